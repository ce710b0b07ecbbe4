// Reads exported JSON files record by record, whatever their layout: JSON lines, one JSON array,
// one document that wraps its records in an array member (Graph `{"@odata.context", "value": […]}`,
// Azure Event Hub `{"records": […]}`), plain or .gz, UTF-8 or UTF-16 (PowerShell writes UTF-16 LE
// with a BOM). Each record comes with the line it starts on, so rejects read `file:line: reason`.
// A truncated document still yields every record that is complete before the cut.
import { createHash } from 'node:crypto';
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { UserError } from '../errors.js';
import { safeExample } from '../redact.js';
import { isGzipFile, readHead } from './filesource.js';

/** Whole JSON documents (not JSON lines) are parsed in memory; beyond this size ask for JSON lines. */
export const MAX_JSON_DOCUMENT_BYTES = 1024 * 1024 * 1024;

export type TextEncoding = 'utf-8' | 'utf-16le' | 'utf-16be';

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
  const head = new TextDecoder(sniff.encoding).decode(raw.subarray(sniff.bom));
  return { path, gzip, encoding: sniff.encoding, bom: sniff.bom, head, empty: head.trim() === '' };
}

/** The whole decoded text of a file (for JSON documents and CSV). */
export async function readAllText(file: OpenedText): Promise<string> {
  if (statSync(file.path).size > MAX_JSON_DOCUMENT_BYTES) {
    throw new UserError(`${safeExample(file.path, 500)}: JSON documents over 1 GB are not supported`, { hint: 'export as JSON lines (one record per line)' });
  }
  const bytes = file.gzip ? await gunzipBytes(file.path) : readFileSync(file.path);
  return new TextDecoder(file.encoding).decode(bytes.subarray(file.bom));
}

async function gunzipBytes(path: string): Promise<Buffer> {
  const chunks: Buffer[] = [];
  const src = createReadStream(path).pipe(createGunzip());
  try {
    for await (const c of src) chunks.push(c as Buffer);
  } catch {
    // A truncated .gz: keep what came out; the JSON reader reports the record that was cut off.
  }
  return Buffer.concat(chunks);
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

async function* decodeChunks(src: AsyncIterable<unknown>, encoding: TextEncoding): AsyncGenerator<string> {
  const decoder = new TextDecoder(encoding);
  for await (const chunk of src) yield decoder.decode(chunk as Buffer, { stream: true });
  yield decoder.decode();
}

/** Is the text one JSON document (array or pretty-printed object) rather than JSON lines? */
export function isJsonDocument(head: string): boolean {
  const t = head.trimStart();
  if (t.startsWith('[')) return true;
  if (!t.startsWith('{')) return false;
  const firstLine = t.split('\n', 1)[0]!.trim();
  try {
    JSON.parse(firstLine);
    return false; // the first line is a whole object: JSON lines
  } catch {
    return true;
  }
}

/** Records of a JSON/JSONL file (see the module comment). */
export async function* jsonRecords(file: OpenedText, opts: JsonRecordOptions = {}): AsyncGenerator<JsonRecord> {
  if (file.empty) return;
  const unwrap = new Set((opts.unwrap ?? []).map((k) => k.toLowerCase()));
  if (isJsonDocument(file.head)) {
    yield* documentRecords(await readAllText(file), unwrap);
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

interface Slice {
  start: number;
  end: number;
  line: number;
}

/**
 * One JSON document: a top-level array's elements, or the elements of the array member named in
 * `unwrap`, or the document itself. Elements are located by a scan that follows strings and
 * nesting, then parsed one by one, so a document cut off mid-way still yields the complete ones.
 */
function* documentRecords(text: string, unwrap: Set<string>): Generator<JsonRecord> {
  const scan = scanDocument(text, unwrap);
  if (!scan.elements) {
    // A single object that is itself the record.
    try {
      yield { line: scan.firstLine, value: JSON.parse(text) };
    } catch (e) {
      yield { line: lineAt(text, errorPosition(e) ?? text.length), error: `not valid JSON (${(e as Error).message.slice(0, 120)}); the file may be truncated` };
    }
    return;
  }
  const container: Record<string, unknown> = {};
  for (const [k, s] of scan.members) {
    try {
      container[k] = JSON.parse(text.slice(s.start, s.end));
    } catch {
      // A damaged metadata member (e.g. @odata.context) is not a record: leave it out.
    }
  }
  const hasContainer = scan.members.size > 0 || scan.wrapped;
  for (const s of scan.elements) {
    const slice = text.slice(s.start, s.end);
    try {
      yield { line: s.line, value: JSON.parse(slice), ...(hasContainer ? { container } : {}) };
    } catch (e) {
      yield { line: s.line, error: s.end >= text.length ? 'record is cut off: the file ends inside it (truncated export?)' : `not valid JSON (${(e as Error).message.slice(0, 120)})` };
    }
  }
  if (!scan.closed && (scan.elements.length === 0 || scan.elements.at(-1)!.end < text.length)) {
    yield { line: lineAt(text, text.length), error: 'the file ends before the JSON document is closed (truncated export?)' };
  }
}

function errorPosition(e: unknown): number | undefined {
  const m = /position (\d+)/.exec(String((e as Error).message));
  return m ? Number(m[1]) : undefined;
}

function lineAt(text: string, pos: number): number {
  let n = 1;
  for (let i = 0; i < pos && i < text.length; i++) if (text.charCodeAt(i) === 10) n++;
  return n;
}

/**
 * Finds record slices: elements of a top-level array, or of the top-level object's members named
 * in `unwrap` (other members are kept as the container). `elements` is undefined for a single
 * object without such a member.
 */
function scanDocument(text: string, unwrap: Set<string>) {
  let i = 0;
  let line = 1;
  const n = text.length;
  const skipWs = () => {
    while (i < n) {
      const c = text.charCodeAt(i);
      if (c === 10) line++;
      else if (c !== 32 && c !== 9 && c !== 13) break;
      i++;
    }
  };
  // Skips one JSON value starting at i (any kind), tracking lines; returns false at end of text.
  const skipValue = (): boolean => {
    let depth = 0;
    let inString = false;
    while (i < n) {
      const c = text.charCodeAt(i);
      if (inString) {
        if (c === 92) i++; // backslash: skip the escaped char
        else if (c === 34) {
          inString = false;
          if (depth === 0) {
            i++;
            return true;
          }
        } else if (c === 10) line++;
        i++;
        continue;
      }
      if (c === 34) inString = true;
      else if (c === 123 || c === 91) depth++;
      else if (c === 125 || c === 93) {
        if (depth === 0) return true; // the enclosing container closes: a scalar ended
        depth--;
        if (depth === 0) {
          i++;
          return true;
        }
      } else if (depth === 0 && (c === 44 || c === 32 || c === 10 || c === 13 || c === 9)) return true;
      else if (c === 10) line++;
      i++;
    }
    return false;
  };
  // Reads the elements of the array whose '[' is at i.
  const arrayElements = (): { elements: Slice[]; closed: boolean } => {
    const elements: Slice[] = [];
    i++; // '['
    for (;;) {
      skipWs();
      if (i >= n) return { elements, closed: false };
      const c = text.charCodeAt(i);
      if (c === 93) {
        i++;
        return { elements, closed: true };
      }
      if (c === 44) {
        i++;
        continue;
      }
      const start = i;
      const startLine = line;
      const done = skipValue();
      elements.push({ start, end: i, line: startLine });
      if (!done) return { elements, closed: false };
    }
  };
  skipWs();
  const firstLine = line;
  if (text.charCodeAt(i) === 91) {
    const r = arrayElements();
    return { firstLine, elements: r.elements, closed: r.closed, members: new Map<string, Slice>(), wrapped: false };
  }
  if (text.charCodeAt(i) !== 123 || unwrap.size === 0) return { firstLine, elements: undefined, closed: true, members: new Map<string, Slice>(), wrapped: false };
  // Top-level object: look for the record array among its members.
  const members = new Map<string, Slice>();
  let elements: Slice[] | undefined;
  let closed = false;
  i++;
  for (;;) {
    skipWs();
    if (i >= n) break;
    const c = text.charCodeAt(i);
    if (c === 125) {
      closed = true;
      break;
    }
    if (c === 44) {
      i++;
      continue;
    }
    if (c !== 34) break; // not a key: malformed; let the caller report it
    const keyStart = i;
    if (!skipValue()) break;
    let key: string;
    try {
      key = JSON.parse(text.slice(keyStart, i)) as string;
    } catch {
      break;
    }
    skipWs();
    if (text.charCodeAt(i) !== 58) break; // ':'
    i++;
    skipWs();
    if (elements === undefined && unwrap.has(key.toLowerCase()) && text.charCodeAt(i) === 91) {
      const r = arrayElements();
      elements = r.elements;
      if (!r.closed) break;
      continue;
    }
    const start = i;
    const startLine = line;
    const done = skipValue();
    members.set(key, { start, end: i, line: startLine });
    if (!done) break;
  }
  if (elements === undefined) return { firstLine, elements: undefined, closed: true, members, wrapped: false };
  return { firstLine, elements, closed, members, wrapped: true };
}

/**
 * A stand-in event id for exported records that lack one (SIEM copies, the portal's audit CSV):
 * a hash of the record's content, so importing the same record again still dedupes.
 */
export function contentId(value: unknown): string {
  return `derived:${createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 32)}`;
}
