// File sources are tailed, not re-read (DESIGN.md "Storage" item 9). A file is known by the
// hash of its first KB (decompressed), so a renamed, rotated or gzip'd copy resumes at the same
// byte offset; only whole lines are consumed. This module decides which bytes to read and, when
// DuckDB cannot read them in place, stages them as a plain file.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, fstatSync, openSync, readSync, closeSync, statSync, truncateSync } from 'node:fs';
import { createGunzip } from 'node:zlib';
import { pipeline } from 'node:stream/promises';
import { Transform } from 'node:stream';
import { ExternalError } from '../errors.js';
import type { FileCursor } from '../store/sync.js';

export const HEAD_BYTES = 1024;

export interface StoredFileCursor extends FileCursor {
  instance: string;
  stream: string;
}

export function isGzipFile(path: string): boolean {
  const fd = openSync(path, 'r');
  try {
    const b = Buffer.alloc(2);
    return readSync(fd, b, 0, 2, 0) === 2 && b[0] === 0x1f && b[1] === 0x8b;
  } finally {
    closeSync(fd);
  }
}

/** The first `n` decompressed bytes of a file (fewer if the file is shorter). */
export async function readHead(path: string, n: number, gzip: boolean): Promise<Buffer> {
  if (!gzip) {
    const fd = openSync(path, 'r');
    try {
      const b = Buffer.alloc(n);
      const got = readSync(fd, b, 0, n, 0);
      return b.subarray(0, got);
    } finally {
      closeSync(fd);
    }
  }
  const chunks: Buffer[] = [];
  let total = 0;
  const src = createReadStream(path);
  const gunzip = createGunzip();
  try {
    for await (const chunk of src.pipe(gunzip)) {
      chunks.push(chunk as Buffer);
      total += (chunk as Buffer).length;
      if (total >= n) break;
    }
  } catch {
    // A truncated .gz still has a readable head; whatever came out is the head.
  } finally {
    src.destroy();
    gunzip.destroy();
  }
  return Buffer.concat(chunks).subarray(0, n);
}

export function hashHead(head: Buffer): string {
  return createHash('sha256').update(head).digest('hex');
}

/** Finds this file's cursor among the stored ones, comparing heads of the length each was hashed at. */
export async function matchCursor(path: string, gzip: boolean, cursors: StoredFileCursor[]): Promise<{ key: string; headLen: number; cursor?: StoredFileCursor }> {
  const head = await readHead(path, HEAD_BYTES, gzip);
  const byLen = new Map<number, StoredFileCursor[]>();
  for (const c of cursors) byLen.set(c.head_len, [...(byLen.get(c.head_len) ?? []), c]);
  for (const [len, list] of [...byLen].sort((a, b) => b[0] - a[0])) {
    if (head.length < len) continue;
    const key = hashHead(head.subarray(0, len));
    const hit = list.find((c) => c.file_key === key);
    if (hit) return { key: hashHead(head), headLen: head.length, cursor: hit };
  }
  return { key: hashHead(head), headLen: head.length };
}

export interface PlannedRead {
  /** Plain file DuckDB reads: the source itself (direct) or a staged copy of the new bytes. */
  readPath: string;
  direct: boolean;
  /** Decompressed byte offsets [start, end) consumed by this read. */
  start: number;
  end: number;
  /** Bytes of an unterminated last line left for the next read. */
  heldBack: number;
  /** Set when a .gz ended early; everything before the damage is read. */
  gzipError?: string;
  /** Stat of the source when planned, to detect writes during a direct read. */
  size: number;
  mtimeMs: number;
}

/**
 * Plans the read of a file from `start`. Plain files read from the beginning whose last byte is
 * a newline are read in place; otherwise the new whole lines are copied to `stagePath`.
 */
export async function planRead(path: string, gzip: boolean, start: number, stagePath: string): Promise<PlannedRead> {
  const st = statSync(path);
  if (!gzip) {
    const end = lastNewlineEnd(path, start, st.size);
    if (start === 0 && end === st.size) return { readPath: path, direct: true, start, end, heldBack: 0, size: st.size, mtimeMs: st.mtimeMs };
    if (end > start) await copyRange(path, start, end, stagePath);
    else truncateOrCreate(stagePath);
    return { readPath: stagePath, direct: false, start, end, heldBack: st.size - end, size: st.size, mtimeMs: st.mtimeMs };
  }
  // gzip: decompress, skip what was consumed, stage the rest. A finished .gz is final, so an
  // unterminated last line is complete.
  let gzipError: string | undefined;
  let skipped = 0;
  let written = 0;
  let endsWithNewline = true;
  const out = createWriteStream(stagePath, { mode: 0o600 });
  const skipper = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      let c = chunk;
      if (skipped < start) {
        const need = start - skipped;
        if (c.length <= need) {
          skipped += c.length;
          return cb();
        }
        skipped = start;
        c = c.subarray(need);
      }
      written += c.length;
      if (c.length) endsWithNewline = c[c.length - 1] === 0x0a;
      cb(null, c);
    },
    flush(cb) {
      if (written > 0 && !endsWithNewline) {
        written += 1;
        cb(null, Buffer.from('\n'));
      } else cb();
    },
  });
  try {
    await pipeline(createReadStream(path), createGunzip(), skipper, out);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code !== 'Z_BUF_ERROR' && code !== 'Z_DATA_ERROR' && !/unexpected end/i.test(String(e))) {
      throw new ExternalError('file', `cannot read ${path}: ${String(e)}`, { cause: e });
    }
    gzipError = `damaged or truncated gzip stream (${code ?? String(e)}); the ${written} bytes before the damage were read`;
    out.destroy();
    // Keep whole lines only.
    const fileEnd = statSync(stagePath).size;
    const end = lastNewlineEnd(stagePath, 0, fileEnd);
    truncateSync(stagePath, end);
    written = end;
  }
  return { readPath: stagePath, direct: false, start: Math.min(start, skipped), end: skipped + written, heldBack: 0, gzipError, size: st.size, mtimeMs: st.mtimeMs };
}

/** True when the file changed since it was planned (a direct read may have seen extra bytes). */
export function changedSince(path: string, plan: PlannedRead): boolean {
  const st = statSync(path);
  return st.size !== plan.size || st.mtimeMs !== plan.mtimeMs;
}

/** Offset just after the last '\n' in [from, size), or `from` when there is none. */
function lastNewlineEnd(path: string, from: number, size: number): number {
  const fd = openSync(path, 'r');
  try {
    const block = 64 * 1024;
    let pos = size;
    const buf = Buffer.alloc(block);
    while (pos > from) {
      const len = Math.min(block, pos - from);
      const at = pos - len;
      readSync(fd, buf, 0, len, at);
      const idx = buf.subarray(0, len).lastIndexOf(0x0a);
      if (idx >= 0) return at + idx + 1;
      pos = at;
    }
    return from;
  } finally {
    closeSync(fd);
  }
}

async function copyRange(path: string, start: number, end: number, dest: string): Promise<void> {
  await pipeline(createReadStream(path, { start, end: end - 1, highWaterMark: 1 << 20 }), createWriteStream(dest, { mode: 0o600 }));
}

function truncateOrCreate(path: string): void {
  closeSync(openSync(path, 'w', 0o600));
}

/**
 * The line starting at byte `offset` of a plain file, without its newline (a CR before it is
 * kept), read up to `max` bytes: for reject examples whose text DuckDB's reader cut short.
 */
export function readLineAt(path: string, offset: number, max: number): string {
  const fd = openSync(path, 'r');
  try {
    const parts: Buffer[] = [];
    const block = Buffer.alloc(64 * 1024);
    let pos = offset;
    let total = 0;
    while (total < max) {
      const n = readSync(fd, block, 0, Math.min(block.length, max - total), pos);
      if (n <= 0) break;
      const nl = block.subarray(0, n).indexOf(0x0a);
      const part = block.subarray(0, nl >= 0 ? nl : n);
      parts.push(Buffer.from(part));
      total += part.length;
      if (nl >= 0) break;
      pos += n;
    }
    return Buffer.concat(parts).toString('utf8');
  } finally {
    closeSync(fd);
  }
}

/**
 * Line numbers (1-based, counted from `firstLine`) of example lines, searched in order with
 * memmem over the file. Lines DuckDB returned in file order are found in one forward pass.
 */
export function locateLines(path: string, examples: string[], firstLine: number): (number | undefined)[] {
  const fd = openSync(path, 'r');
  try {
    const size = fstatSync(fd).size;
    const out: (number | undefined)[] = [];
    let pos = 0;
    let lineAtPos = firstLine;
    const block = 4 << 20;
    for (const ex of examples) {
      // DuckDB strips a CR before the LF; search for the line as it is in the file.
      const crlfNeedle = Buffer.from(`${ex}\r\n`);
      let needle = Buffer.from(`${ex}\n`);
      let found: number | undefined;
      // Search forward from pos, block by block, with overlap so a line across blocks is found;
      // then once from the start (examples out of file order, e.g. when another import running
      // at the same time turned DuckDB's preserve_insertion_order off).
      let scan = pos;
      let lineAtScan = lineAtPos;
      let wrapped = pos === 0;
      while (found === undefined && (scan < size || !wrapped)) {
        if (scan >= size) {
          wrapped = true;
          scan = 0;
          lineAtScan = firstLine;
          needle = Buffer.from(`${ex}\n`);
          continue;
        }
        const len = Math.min(block + needle.length, size - scan);
        const buf = Buffer.alloc(len);
        readSync(fd, buf, 0, len, scan);
        let idx = buf.indexOf(needle);
        while (idx > 0 && buf[idx - 1] !== 0x0a) idx = buf.indexOf(needle, idx + 1);
        if (idx < 0) {
          idx = buf.indexOf(crlfNeedle);
          while (idx > 0 && buf[idx - 1] !== 0x0a) idx = buf.indexOf(crlfNeedle, idx + 1);
          if (idx >= 0) needle = crlfNeedle;
        }
        if (idx === 0 && scan > 0) {
          const prev = Buffer.alloc(1);
          readSync(fd, prev, 0, 1, scan - 1);
          if (prev[0] !== 0x0a) idx = buf.indexOf(needle, 1);
        }
        if (idx >= 0) {
          lineAtScan += countNewlines(buf, 0, idx);
          found = lineAtScan;
          pos = scan + idx + needle.length;
          lineAtPos = lineAtScan + 1;
        } else {
          const step = Math.min(block, len);
          lineAtScan += countNewlines(buf, 0, step);
          scan += step;
        }
      }
      out.push(found);
    }
    return out;
  } finally {
    closeSync(fd);
  }
}

function countNewlines(buf: Buffer, from: number, to: number): number {
  let n = 0;
  let i = buf.indexOf(0x0a, from);
  while (i >= 0 && i < to) {
    n++;
    i = buf.indexOf(0x0a, i + 1);
  }
  return n;
}

export const OVERLONG_MARKER = '#shadowscan-overlong-line ';

/**
 * Copies [start, end) of a plain file to `dest`, replacing lines longer than `maxLine` bytes by
 * a short marker line (DuckDB's reader fails a whole file on such a line; the marker is counted
 * as a reject). A line is held only until it is complete or too long: memory stays bounded.
 */
export async function copyWithoutOverlongLines(path: string, start: number, end: number, dest: string, maxLine: number): Promise<void> {
  let pending: Buffer[] = [];
  let pendingLen = 0;
  let dropped = 0; // > 0 while skipping an overlong line
  const filter = new Transform({
    transform(chunk: Buffer, _enc, cb) {
      const out: Buffer[] = [];
      let from = 0;
      while (from < chunk.length) {
        const nl = chunk.indexOf(0x0a, from);
        const stop = nl === -1 ? chunk.length : nl;
        const piece = chunk.subarray(from, stop);
        if (dropped > 0) dropped += piece.length;
        else if (pendingLen + piece.length > maxLine) {
          dropped = pendingLen + piece.length;
          pending = [];
          pendingLen = 0;
        } else {
          pending.push(piece);
          pendingLen += piece.length;
        }
        if (nl !== -1) {
          if (dropped > 0) out.push(Buffer.from(`${OVERLONG_MARKER}${dropped}`));
          else out.push(...pending);
          out.push(Buffer.from('\n'));
          pending = [];
          pendingLen = 0;
          dropped = 0;
        }
        from = stop + 1;
      }
      cb(null, Buffer.concat(out));
    },
    flush(cb) {
      cb(null, dropped > 0 ? Buffer.from(`${OVERLONG_MARKER}${dropped}\n`) : Buffer.concat(pending));
    },
  });
  await pipeline(createReadStream(path, { start, end: end - 1, highWaterMark: 1 << 20 }), filter, createWriteStream(dest, { mode: 0o600 }));
}
