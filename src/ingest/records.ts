// Reads exported JSON files record by record, whatever their layout: JSON lines, one JSON array,
// one document that wraps its records in an array member (Graph `{"@odata.context", "value": […]}`,
// Azure Event Hub `{"records": […]}`), plain or .gz, UTF-8 or UTF-16 (PowerShell writes UTF-16 LE
// with a BOM). Each record comes with the line it starts on, so rejects read `file:line: reason`.
// A truncated document still yields every record that is complete before the cut.
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { UserError } from '../errors.js';
import { safeExample } from '../redact.js';
import { isGzipFile, readHead } from './filesource.js';

/** One record of a JSON document is held in memory while it is read; larger ones are rejects. */
export const MAX_RECORD_CHARS = 64 * 1024 * 1024;

export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be' | 'windows-1252';

export interface JsonRecord {
  line: number;
  value?: unknown;
  /** The wrapping document without its record array (e.g. `@odata.context`), when there is one. */
  container?: Record<string, unknown>;
  error?: string;
}

export interface JsonRecordOptions {
  /** Members of a top-level object whose array elements are the records (e.g. value, records). */
  unwrap?: string[];
}

/**
 * The text encoding of a file from its first bytes: a BOM, or for BOM-less UTF-16 the NUL bytes
 * every other byte of ASCII text has. `binary` when NULs appear without that pattern.
 */
export function sniffEncoding(head: Buffer): { encoding: TextEncoding; bom: number } | { binary: true } {
  if (head.length >= 3 && head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8', bom: 3 };
  if (head.length >= 2 && head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bom: 2 };
  if (head.length >= 2 && head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bom: 2 };
  const n = Math.min(head.length & ~1, 512);
  let evenNul = 0;
  let oddNul = 0;
  for (let i = 0; i < n; i += 2) {
    if (head[i] === 0) evenNul++;
    if (head[i + 1] === 0) oddNul++;
  }
  const pairs = n / 2;
  if (pairs >= 2 && oddNul >= pairs * 0.6 && evenNul === 0) return { encoding: 'utf-16le', bom: 0 };
  if (pairs >= 2 && evenNul >= pairs * 0.6 && oddNul === 0) return { encoding: 'utf-16be', bom: 0 };
  if (evenNul + oddNul > 0) return { binary: true };
  return { encoding: 'utf-8', bom: 0 };
}

export interface OpenedText {
  path: string;
  gzip: boolean;
  encoding: TextEncoding;
  bom: number;
  /** The first decoded characters (up to 64 KB of bytes), BOM removed. */
  head: string;
  empty: boolean;
}

/** Opens a text export: gzip and encoding detected, first characters decoded. Binary files are a UserError. */
export async function openText(path: string): Promise<OpenedText> {
  const gzip = isGzipFile(path);
  const raw = await readHead(path, 64 * 1024, gzip);
  if (raw.length === 0) return { path, gzip, encoding: 'utf-8', bom: 0, head: '', empty: true };
  const sniff = sniffEncoding(raw);
  if ('binary' in sniff) {
    throw new UserError(`${safeExample(path, 500)}: binary data, not a text export`, { hint: 'pass JSON, JSON lines or CSV files (plain or .gz)' });
  }
  // Text (not JSON, which is UTF-8 by definition) that is not valid UTF-8 and has no BOM: Excel's
  // "CSV (Comma delimited)" writes the Windows code page.
  const looksJson = /^\s*[[{]/.test(raw.subarray(0, 64).toString('latin1'));
  const encoding = sniff.encoding === 'utf-8' && sniff.bom === 0 && !looksJson && !validUtf8(raw) ? 'windows-1252' : sniff.encoding;
  const head = new TextDecoder(encoding).decode(raw.subarray(sniff.bom));
  return { path, gzip, encoding, bom: sniff.bom, head, empty: head.trim() === '' };
}

function validUtf8(bytes: Buffer): boolean {
  try {
    // stream: a multi-byte character cut at the end of the head is not an error.
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

/** Decoded lines of a file, streamed (line numbers from 1); the last element is an error when a .gz ends early. */
export async function* textLines(file: OpenedText): AsyncGenerator<{ line: number; text?: string; error?: string }> {
  const bytes = file.gzip ? createReadStream(file.path).pipe(createGunzip()) : createReadStream(file.path);
  const input = file.encoding === 'utf-8' ? bytes : Readable.from(decodeChunks(bytes, file.encoding));
  const rl = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of rl) {
      line++;
      yield { line, text: line === 1 ? text.replace(/^\uFEFF/, '') : text };
    }
  } catch (e) {
    yield { line: line + 1, error: `read stopped: ${(e as Error).message} (truncated .gz?)` };
  }
}

/** The decoded text of a file in chunks (BOM removed); a .gz that ends early just ends. */
async function* decodedChunks(file: OpenedText): AsyncGenerator<string> {
  const bytes = file.gzip ? createReadStream(file.path).pipe(createGunzip()) : createReadStream(file.path);
  const decoder = new TextDecoder(file.encoding);
  let first = true;
  try {
    for await (const chunk of bytes) {
      let text = decoder.decode(chunk as Buffer, { stream: true });
      if (first && text) {
        text = text.replace(/^\uFEFF/, '');
        first = false;
      }
      if (text) yield text;
    }
  } catch {
    // A truncated .gz: what came out is the document; the reader reports the record that was cut off.
  }
  const rest = decoder.decode();
  if (rest) yield rest;
}

async function* decodeChunks(src: AsyncIterable<unknown>, encoding: TextEncoding): AsyncGenerator<string> {
  const decoder = new TextDecoder(encoding);
  for await (const chunk of src) yield decoder.decode(chunk as Buffer, { stream: true });
  yield decoder.decode();
}

/**
 * Is the text one JSON document (array or pretty-printed object) rather than JSON lines? JSON
 * lines put whole objects at the start of lines; a pretty-printed document never does (its
 * first line is an open brace, its inner lines are indented). A broken first line does not
 * make JSON lines a document: any of the first lines that parses decides.
 */
export function isJsonDocument(head: string): boolean {
  const t = head.replace(/^\s+/, '');
  if (t.startsWith('[')) return true;
  if (!t.startsWith('{')) return false;
  const lines = t.split('\n');
  if (lines.length > 1) lines.pop(); // the last line of the head may be cut
  for (const l of lines.slice(0, 50)) {
    if (!l.startsWith('{')) continue;
    try {
      JSON.parse(l);
      return false;
    } catch {
      // not a whole object on this line
    }
  }
  return true;
}

/** Records of a JSON/JSONL file (see the module comment). */
export async function* jsonRecords(file: OpenedText, opts: JsonRecordOptions = {}): AsyncGenerator<JsonRecord> {
  if (file.empty) return;
  const unwrap = new Set((opts.unwrap ?? []).map((k) => k.toLowerCase()));
  if (isJsonDocument(file.head)) {
    for await (const rec of documentRecords(decodedChunks(file), unwrap)) {
      const wrapped = rec.value === undefined ? undefined : unwrapped(rec.value, unwrap);
      // An array of pages (e.g. PowerShell collecting `value` pages): each page's records.
      if (wrapped) for (const v of wrapped.records) yield { line: rec.line, value: v, container: wrapped.container };
      else yield rec;
    }
    return;
  }
  for await (const l of textLines(file)) {
    if (l.error) {
      yield { line: l.line, error: l.error };
      continue;
    }
    const t = l.text!.trim();
    if (!t) continue;
    let value: unknown;
    try {
      value = JSON.parse(t);
    } catch {
      yield { line: l.line, error: `not a JSON object: ${safeExample(t, 80)}` };
      continue;
    }
    const wrapped = unwrapped(value, unwrap);
    if (wrapped) for (const v of wrapped.records) yield { line: l.line, value: v, container: wrapped.container };
    else yield { line: l.line, value };
  }
}

function unwrapped(value: unknown, unwrap: Set<string>): { records: unknown[]; container: Record<string, unknown> } | undefined {
  if (!value || typeof value !== 'object' || Array.isArray(value) || unwrap.size === 0) return undefined;
  const obj = value as Record<string, unknown>;
  const key = Object.keys(obj).find((k) => unwrap.has(k.toLowerCase()) && Array.isArray(obj[k]));
  if (key === undefined) return undefined;
  const { [key]: records, ...container } = obj;
  return { records: records as unknown[], container };
}

type Phase = 'before' | 'array' | 'element' | 'keys' | 'key' | 'colon' | 'value' | 'member' | 'after';

/**
 * One JSON document, streamed: a top-level array's elements, or the elements of the array member
 * of a top-level object named in `unwrap` (the other members form the container: members that
 * come before the records, such as `@odata.context`, reach every record), or — for an object
 * without such a member — the object itself, put together from its members. Only one record is
 * held in memory at a time, so exports far larger than memory read fine; a document cut off
 * mid-way yields every record before the cut, then the cut as an error.
 */
export async function* documentRecords(chunks: AsyncIterable<string>, unwrap: Set<string>): AsyncGenerator<JsonRecord> {
  let phase: Phase = 'before';
  let line = 1;
  let firstLine = 1;
  let topIsObject = false;
  let inWrapped = false; // reading the unwrap array inside the top-level object
  let sawWrapped = false;
  let members: Record<string, unknown> = {};
  let snapshot: Record<string, unknown> | undefined; // the members before the record array
  let memberErrors: string[] = [];
  let key = '';
  let keyPieces: string[] = [];
  // The value being captured (an element or a member): its text pieces, line, and nesting state.
  let pieces: string[] = [];
  let size = 0;
  let oversize = false;
  let valueLine = 0;
  let depth = 0;
  let inString = false;
  let escaped = false;
  let scalar = false;
  let trailing = false;

  const startValue = () => {
    pieces = [];
    size = 0;
    oversize = false;
    valueLine = line;
    depth = 0;
    inString = false;
    escaped = false;
    scalar = false;
  };
  const take = (chunk: string, from: number, to: number) => {
    if (oversize || to <= from) return;
    size += to - from;
    if (size > MAX_RECORD_CHARS) {
      oversize = true;
      pieces = [];
    } else pieces.push(chunk.slice(from, to));
  };
  const parsed = (): { value?: unknown; error?: string } => {
    if (oversize) return { error: `record over ${MAX_RECORD_CHARS / 1024 / 1024} MB, skipped` };
    try {
      return { value: JSON.parse(pieces.join('')) };
    } catch (e) {
      return { error: `not valid JSON (${(e as Error).message.slice(0, 120)})` };
    }
  };
  // A finished object without a record array is itself a record. Then state is reset, since
  // documents may follow one another (pages appended to one file).
  const endDocument = (): JsonRecord | undefined => {
    let rec: JsonRecord | undefined;
    if (topIsObject && !sawWrapped) {
      rec = memberErrors.length ? { line: firstLine, error: `not valid JSON at line ${memberErrors[0]}` } : { line: firstLine, value: members };
    }
    topIsObject = false;
    sawWrapped = false;
    inWrapped = false;
    members = {};
    snapshot = undefined;
    memberErrors = [];
    return rec;
  };

  for await (const chunk of chunks) {
    let valueStart = phase === 'element' || phase === 'member' ? 0 : -1;
    let keyStart = phase === 'key' ? 0 : -1;
    const out: JsonRecord[] = [];
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      const ws = c === 32 || c === 10 || c === 13 || c === 9;
      if (phase === 'element' || phase === 'member') {
        // Inside a value: find its end. Scalars end before , ] } or whitespace; strings, objects and arrays at their closing char.
        let ended = -1; // index after the value's last char
        if (inString) {
          if (escaped) escaped = false;
          else if (c === 92) escaped = true;
          else if (c === 34) {
            inString = false;
            if (depth === 0) ended = i + 1;
          }
        } else if (scalar) {
          if (ws || c === 44 || c === 93 || c === 125) ended = i;
        } else if (c === 34) inString = true;
        else if (c === 123 || c === 91) depth++;
        else if (c === 125 || c === 93) {
          depth--;
          if (depth === 0) ended = i + 1;
        } else if (depth === 0 && !ws) scalar = true;
        if (ended >= 0) {
          take(chunk, valueStart, ended);
          valueStart = -1;
          const r = parsed();
          if (phase === 'element') {
            out.push(r.error !== undefined ? { line: valueLine, error: r.error } : { line: valueLine, value: r.value, ...(snapshot ? { container: snapshot } : {}) });
            phase = 'array';
          } else {
            if (r.error !== undefined) memberErrors.push(`${valueLine}: ${key}: ${r.error}`);
            else members[key] = r.value;
            phase = 'keys';
          }
          if (ended === i) i--; // the char that ended a scalar belongs to the enclosing container
          else if (c === 10) line++;
          continue;
        }
        if (c === 10) line++;
        continue;
      }
      if (c === 10) line++;
      switch (phase) {
        case 'before':
          if (ws) break;
          firstLine = line;
          if (c === 91) phase = 'array';
          else if (c === 123) {
            topIsObject = true;
            phase = 'keys';
          } else {
            out.push({ line, error: 'not JSON: the document starts with neither [ nor {' });
            phase = 'after';
            trailing = true;
          }
          break;
        case 'array':
          if (ws || c === 44) break;
          if (c === 93) {
            if (inWrapped) {
              inWrapped = false;
              phase = 'keys';
            } else phase = 'after';
            break;
          }
          phase = 'element';
          startValue();
          valueStart = i;
          i--; // let the value scanner see its first char
          if (c === 10) line--;
          break;
        case 'keys':
          if (ws || c === 44) break;
          if (c === 125) {
            phase = 'after';
            break;
          }
          if (c !== 34) {
            out.push({ line, error: `not valid JSON: expected a member name, found ${JSON.stringify(chunk[i])}` });
            phase = 'after';
            trailing = true;
            break;
          }
          phase = 'key';
          keyPieces = [];
          keyStart = i + 1;
          escaped = false;
          break;
        case 'key':
          if (escaped) escaped = false;
          else if (c === 92) escaped = true;
          else if (c === 34) {
            keyPieces.push(chunk.slice(keyStart, i));
            keyStart = -1;
            try {
              key = JSON.parse(`"${keyPieces.join('')}"`) as string;
            } catch {
              key = keyPieces.join('');
            }
            phase = 'colon';
          }
          break;
        case 'colon':
          if (ws) break;
          if (c === 58) phase = 'value';
          else {
            out.push({ line, error: `not valid JSON: expected ':' after ${JSON.stringify(key)}` });
            phase = 'after';
            trailing = true;
          }
          break;
        case 'value':
          if (ws) break;
          if (c === 91 && !sawWrapped && unwrap.has(key.toLowerCase())) {
            sawWrapped = true;
            inWrapped = true;
            snapshot = { ...members };
            phase = 'array';
            break;
          }
          phase = 'member';
          startValue();
          valueStart = i;
          i--;
          if (c === 10) line--;
          break;
        case 'after':
          if (ws || trailing) break;
          if (c === 123 || c === 91) {
            // Another document follows (pages appended to one file).
            const rec = endDocument();
            if (rec) out.push(rec);
            phase = 'before';
            i--;
            break;
          }
          out.push({ line, error: 'unexpected text after the end of the JSON document' });
          trailing = true;
          break;
      }
    }
    if (valueStart >= 0) take(chunk, valueStart, chunk.length);
    if (keyStart >= 0) keyPieces.push(chunk.slice(keyStart));
    yield* out;
  }

  // End of input.
  if (phase === 'element' && scalar && !inString) {
    const r = parsed();
    yield r.error !== undefined ? { line: valueLine, error: r.error } : { line: valueLine, value: r.value };
    phase = 'array';
  }
  if (phase === 'element') yield { line: valueLine, error: 'record is cut off: the file ends inside it (truncated export?)' };
  else if (phase !== 'after' && phase !== 'before') yield { line, error: 'the file ends before the JSON document is closed (truncated export?)' };
  if (phase === 'after') {
    const rec = endDocument();
    if (rec) yield rec;
  }
}
/**
 * A stand-in event id for exported records that lack one (SIEM copies, the portal's audit CSV):
 * a hash of the record's content, so importing the same record again still dedupes.
 */
export function contentId(value: unknown): string {
  return `derived:${createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 32)}`;
}
