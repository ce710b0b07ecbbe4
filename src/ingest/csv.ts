// RFC 4180 CSV (or tab-separated) records from a stream of text lines (quoted fields may span lines, "" is a quote),
// each with the line it starts on. Bounded: a quoted field left open for over 1 MB is reported as
// an error instead of swallowing the rest of the file.
const MAX_RECORD_CHARS = 1024 * 1024;

export interface CsvRecord {
  line: number;
  fields?: string[];
  error?: string;
}

/** `delimiter`: ',' for CSV, '\t' for the tab-separated text Excel saves as "Unicode Text" (UTF-16). */
export async function* csvRecords(lines: AsyncIterable<{ line: number; text?: string; error?: string }>, delimiter = ','): AsyncGenerator<CsvRecord> {
  let fields: string[] = [];
  let field = '';
  let inQuotes = false;
  let startLine = 0;
  let size = 0;
  for await (const l of lines) {
    if (l.error !== undefined) {
      yield { line: l.line, error: l.error };
      continue;
    }
    const text = l.text ?? '';
    if (!inQuotes) {
      if (text.trim() === '') continue;
      fields = [];
      field = '';
      startLine = l.line;
      size = 0;
    } else {
      field += '\n';
    }
    size += text.length + 1;
    for (let i = 0; i < text.length; i++) {
      const c = text[i];
      if (inQuotes) {
        if (c === '"') {
          if (text[i + 1] === '"') {
            field += '"';
            i++;
          } else inQuotes = false;
        } else field += c;
      } else if (c === '"' && field === '') inQuotes = true;
      else if (c === delimiter) {
        fields.push(field);
        field = '';
      } else field += c;
    }
    if (inQuotes && size > MAX_RECORD_CHARS) {
      yield { line: startLine, error: 'a quoted field is never closed (over 1 MB); the rest of this record is skipped' };
      inQuotes = false;
      continue;
    }
    if (!inQuotes) {
      fields.push(field);
      yield { line: startLine, fields };
    }
  }
  if (inQuotes) yield { line: startLine, error: 'the file ends inside a quoted field (truncated export?)' };
}
