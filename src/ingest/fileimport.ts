// Imports log files for one instance and stream: detect each file's format (all files are
// checked before anything is written), then per file read only the new whole lines, aggregate,
// and commit the chunk together with the file's cursor. One file = one chunk, so a crash loses
// at most the file in progress and the next run resumes after the last committed one.
import { existsSync, statSync, rmSync, mkdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { glob } from 'tinyglobby';
import { ExternalError, UserError, errorMessage } from '../errors.js';
import type { RunContext, StreamDef, StreamRunResult } from '../connectors/types.js';
import { formatBytes } from '../output/progress.js';
import { safeExample } from '../redact.js';
import { withState } from '../store/state.js';
import { MAX_REJECT_EXAMPLES, SyncWriter } from '../store/sync.js';
import { syncResult } from '../connectors/runtime/result.js';
import { ingestEgressChunk, MAX_LINE_BYTES, type EgressLineFormat } from './egress.js';
import { changedSince, copyWithoutOverlongLines, isGzipFile, matchCursor, planRead, readHead, type StoredFileCursor } from './filesource.js';

/**
 * A layout either fixed (its SQL is the same for every file) or derived per file from the file's
 * first lines (Zeek `#fields`, a CSV header): the function throws an Error whose message says
 * what is wrong with the file (e.g. a required column missing from its header).
 */
export type LineFormatSource = EgressLineFormat | ((head: string[]) => EgressLineFormat);

export interface LogImportSpec<F extends string> {
  connector: string;
  stream: StreamDef;
  files: string[];
  origin: 'scan' | 'import';
  complete: boolean;
  forcedFormat?: F;
  formats: Record<F, LineFormatSource>;
  detect(sample: string[]): F | undefined;
  formatsTried: string;
}

/** First lines of a file's head (the last, possibly cut, line dropped unless it is the only one). */
function headLines(head: string): string[] {
  const lines = head.split('\n').map((l) => l.replace(/\r$/, ''));
  return lines.length > 1 ? lines.slice(0, -1) : lines;
}

/** Expands globs; a pattern or file that matches nothing is a user error naming it. */
export async function expandFiles(patterns: string[], cwd = process.cwd()): Promise<string[]> {
  const out: string[] = [];
  const missing: string[] = [];
  for (const p of patterns) {
    const abs = resolve(cwd, p);
    if (existsSync(abs)) {
      if (statSync(abs).isDirectory()) {
        const inDir = await glob('**/*', { cwd: abs, absolute: true, onlyFiles: true });
        out.push(...inDir.sort());
      } else out.push(abs);
      continue;
    }
    const matched = await glob(p, { cwd, absolute: true, onlyFiles: true });
    if (matched.length === 0) missing.push(p);
    out.push(...matched.sort());
  }
  if (missing.length) {
    throw new UserError(`no such file: ${missing.map((m) => safeExample(m)).join(', ')}`, { hint: 'check the path (globs such as /var/log/squid/access.log* are allowed)' });
  }
  return [...new Set(out)];
}

export async function importLogFiles<F extends string>(ctx: RunContext, spec: LogImportSpec<F>): Promise<StreamRunResult> {
  // 1. Detect formats of all files first: a wrong file fails the command before anything is written.
  const planned: { path: string; gzip: boolean; format: EgressLineFormat }[] = [];
  const problems: string[] = [];
  for (const path of spec.files) {
    try {
      const gzip = isGzipFile(path);
      if (statSync(path).size === 0) continue;
      const head = headLines((await readHead(path, 64 * 1024, gzip)).toString('utf8'));
      const format = spec.forcedFormat ?? spec.detect(head.slice(0, 50));
      if (!format) problems.push(`${path}: not a known ${spec.connector} log format (tried ${spec.formatsTried})`);
      else {
        const source = spec.formats[format];
        if (typeof source !== 'function') planned.push({ path, gzip, format: source });
        else {
          try {
            planned.push({ path, gzip, format: source(head) });
          } catch (e) {
            problems.push(`${path}: ${errorMessage(e)}`);
          }
        }
      }
    } catch (e) {
      problems.push(`${path}: cannot read: ${(e as NodeJS.ErrnoException).code ?? errorMessage(e)}`);
    }
  }
  if (problems.length) {
    throw new UserError(`${problems.length} file${problems.length > 1 ? 's' : ''} cannot be imported:`, {
      details: problems.map((p) => safeExample(p, 500)),
      hint: `pass --format to force a layout, or check that these are ${spec.connector} logs`,
    });
  }

  const stored = await withState(ctx.paths, (db) =>
    db.all<StoredFileCursor>('select * from file_cursors where instance = ? and stream = ?', [ctx.instance, spec.stream.name]),
  );
  const sync = await SyncWriter.begin(ctx.paths, ctx.clock, {
    instance: ctx.instance,
    stream: spec.stream.name,
    connector: spec.connector,
    mode: spec.stream.mode,
    origin: spec.origin,
  });
  const fileErrors: string[] = [];
  let filesRead = 0;
  for (const [i, file] of planned.entries()) {
    const started = performance.now();
    try {
      const match = await matchCursor(file.path, file.gzip, stored);
      const prev = match.cursor;
      const start = prev && prev.offset_bytes <= (file.gzip ? Number.MAX_SAFE_INTEGER : statSync(file.path).size) ? prev.offset_bytes : 0;
      const lineBase = start === 0 ? 0 : (prev?.lines ?? 0);
      const stageDir = join(ctx.paths.staging, sync.syncId, 'read');
      mkdirSync(stageDir, { recursive: true, mode: 0o700 });
      let plan = await planRead(file.path, file.gzip, start, join(stageDir, `${i}.log`));
      if (plan.end <= plan.start && !plan.gzipError) continue;
      const label = `${ctx.instance}: ${basename(file.path)} (${i + 1}/${planned.length}): parsing ${formatBytes(plan.end - plan.start)}`;
      ctx.progress.update(label);
      const ticker = setInterval(() => ctx.progress.update(`${label}… ${((performance.now() - started) / 1000).toFixed(0)}s`), 1000);
      ticker.unref();
      const chunk = sync.nextChunkDir();
      const run = () =>
        ingestEgressChunk(ctx.engine, {
          readPath: plan.readPath,
          displayPath: file.path,
          lineBase,
          format: file.format,
          stagingDir: chunk.dir,
          filePrefix: chunk.filePrefix,
          instance: ctx.instance,
          syncId: sync.syncId,
          ingestedAt: new Date(ctx.clock.now()),
          maxExamples: MAX_REJECT_EXAMPLES - sync.rejectExamples.length,
        });
      let result;
      try {
        result = await run().catch(async (e: unknown) => {
          if (!/maximum line size|line size of/i.test(String(e))) throw e;
          // A line longer than DuckDB's reader accepts: read a copy with such lines replaced by a marker.
          rmSync(chunk.dir, { recursive: true, force: true });
          mkdirSync(chunk.dir, { recursive: true, mode: 0o700 });
          const source = plan.readPath;
          const sanitized = join(stageDir, `${i}.sanitized.log`);
          await copyWithoutOverlongLines(source, plan.direct ? plan.start : 0, plan.direct ? plan.end : plan.end - plan.start, sanitized, MAX_LINE_BYTES);
          if (!plan.direct) rmSync(source, { force: true });
          plan = { ...plan, readPath: sanitized, direct: false };
          return run();
        });
        if (plan.direct && changedSince(file.path, plan)) {
          // Written to while DuckDB read it in place: redo from a stable copy of the planned bytes.
          rmSync(chunk.dir, { recursive: true, force: true });
          mkdirSync(chunk.dir, { recursive: true, mode: 0o700 });
          plan = await planRead(file.path, false, start, join(stageDir, `${i}.log`));
          result = await run();
        }
      } finally {
        clearInterval(ticker);
      }
      const examples = [...result.rejectExamples];
      let rejects = result.rejects;
      if (plan.gzipError) {
        rejects += 1;
        examples.unshift(`${file.path}: ${plan.gzipError}`);
      }
      sync.addRejectExamples(examples);
      const fileCursor = {
        file_key: match.key,
        head_len: match.headLen,
        previous_key: prev?.file_key,
        path: file.path,
        offset_bytes: plan.end,
        size_bytes: plan.size,
        lines: lineBase + result.lines,
      };
      await sync.commitChunk({
        final: false,
        rows: result.rows,
        fileCursor,
        add: { lines_read: result.lines, rows_written: result.rows, rejects, bytes_read: plan.end - plan.start },
      });
      // Later files in this run (e.g. a rotated .gz copy of this one) must see the new cursor.
      const known = stored.filter((c) => c.file_key !== fileCursor.file_key && c.file_key !== prev?.file_key);
      stored.length = 0;
      stored.push(...known, { ...fileCursor, instance: ctx.instance, stream: spec.stream.name });
      filesRead++;
      const secs = (performance.now() - started) / 1000;
      ctx.progress.note(
        `${ctx.instance}: ${basename(file.path)}: ${result.lines.toLocaleString()} lines, ${rejects} rejected, ${formatBytes(plan.end - plan.start)} in ${secs.toFixed(1)}s (${formatBytes((plan.end - plan.start) / Math.max(secs, 0.001))}/s)`,
      );
      if (!plan.direct) rmSync(plan.readPath, { force: true });
    } catch (e) {
      if (e instanceof UserError) throw e;
      const msg = e instanceof ExternalError ? e.message : `${file.path}: ${errorMessage(e)}`;
      fileErrors.push(safeExample(msg, 500));
    }
  }
  const status = fileErrors.length === 0 ? 'ok' : filesRead > 0 ? 'partial' : 'failed';
  const hint = fileErrors.length ? 'check that the files are readable and not being replaced during the import, then run again: committed files are not read twice' : undefined;
  await sync.finish(status, { complete: spec.complete && status === 'ok', error: fileErrors.join('; ') || undefined, hint, detail: { files: planned.length } });
  ctx.progress.done();
  return syncResult(sync, status, { files: filesRead, ...(fileErrors.length ? { error: fileErrors.join('; '), hint } : {}) });
}
