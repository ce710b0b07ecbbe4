// Imports log files for one instance and stream: detect each file's format (all files are
// checked before anything is written), then per file read only the new whole lines and aggregate
// them; files commit in file order, each with its cursor, several small files in one chunk when
// they are ready together. A crash loses at most the files not yet committed, and the next run
// resumes after the last committed one. Independent files (a directory or glob of logs) are
// read in parallel within the thread budget.
import { existsSync, statSync, rmSync, mkdirSync, readdirSync, renameSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { glob } from 'tinyglobby';
import { ExternalError, UserError, errorMessage } from '../errors.js';
import type { RunContext, StreamDef, StreamRunResult } from '../connectors/types.js';
import { formatBytes, formatCount } from '../output/progress.js';
import { safeExample } from '../redact.js';
import { withState } from '../store/state.js';
import { tracePoint } from '../log.js';
import { MAX_REJECT_EXAMPLES, SyncWriter, type ChunkCommit, type FileCursor } from '../store/sync.js';
import { syncResult } from '../connectors/runtime/result.js';
import { ingestEgressChunk, MAX_LINE_BYTES, type EgressLineFormat } from './egress.js';
import { changedSince, copyWithoutOverlongLines, HEAD_BYTES, isGzipFile, matchCursor, planRead, readHead, type StoredFileCursor } from './filesource.js';
import type { Duck } from '../db/duck.js';

/**
 * A layout either fixed (its SQL is the same for every file) or derived per file from the file's
 * first lines (Zeek `#fields`, a CSV header): the function throws an Error whose message says
 * what is wrong with the file (e.g. a required column missing from its header).
 */
export type LineFormatSource = EgressLineFormat | ((head: string[]) => EgressLineFormat | SkipFile);

/** A file of the right product that carries no egress (e.g. Zeek's x509.log in a log folder): skipped with a note. */
export class SkipFile {
  constructor(readonly reason: string) {}
}

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

/** Upper bound on files read at once (each holds a DuckDB connection and a staged copy). */
const MAX_PARALLEL_FILES = 8;

/**
 * Groups file indexes into lanes: files whose first KB (decompressed) is a prefix of another's
 * may be one log at two points in time and must be read in order; the rest are independent.
 */
export async function sameLogLanes(planned: { path: string; gzip: boolean }[]): Promise<number[][]> {
  const heads = await Promise.all(planned.map((f) => readHead(f.path, HEAD_BYTES, f.gzip)));
  const parent = planned.map((_, i) => i);
  const root = (i: number): number => (parent[i] === i ? i : (parent[i] = root(parent[i]!)));
  // Sorting heads makes prefix-related heads adjacent (a prefix sorts right before its extensions).
  const order = planned.map((_, i) => i).sort((a, b) => Buffer.compare(heads[a]!, heads[b]!));
  for (let k = 1; k < order.length; k++) {
    const a = heads[order[k - 1]!]!;
    const b = heads[order[k]!]!;
    const n = Math.min(a.length, b.length);
    if (a.subarray(0, n).equals(b.subarray(0, n))) parent[root(order[k]!)] = root(order[k - 1]!);
  }
  const lanes = new Map<number, number[]>();
  planned.forEach((_, i) => lanes.set(root(i), [...(lanes.get(root(i)) ?? []), i]));
  // In the given order within a lane (rotated copies as listed), largest lanes first.
  return [...lanes.values()].sort((x, y) => y.length - x.length || x[0]! - y[0]!);
}

/**
 * Moves a file's staged Parquet (day=…/<name>.parquet) into the chunk folder, named
 * <chunk prefix>-<n>.parquet with n counting across the chunk (the lake's naming).
 */
function moveStaged(fromDir: string, toDir: string, toPrefix: string, counter: { n: number }): void {
  if (!existsSync(fromDir)) return;
  for (const day of readdirSync(fromDir).sort()) {
    mkdirSync(join(toDir, day), { recursive: true, mode: 0o700 });
    for (const f of readdirSync(join(fromDir, day)).sort()) renameSync(join(fromDir, day, f), join(toDir, day, `${toPrefix}-${counter.n++}.parquet`));
  }
  rmSync(fromDir, { recursive: true, force: true });
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
            const derived = source(head);
            if (derived instanceof SkipFile) ctx.progress.note(`${ctx.instance}: skipped ${basename(path)}: ${derived.reason}`);
            else planned.push({ path, gzip, format: derived });
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

  tracePoint('import: formats detected');
  // One state session: the stored cursors and the new sync's record.
  const { stored, sync } = await withState(ctx.paths, async (db) => ({
    stored: await db.all<StoredFileCursor>('select * from file_cursors where instance = ? and stream = ?', [ctx.instance, spec.stream.name]),
    sync: await SyncWriter.beginIn(db, ctx.paths, ctx.clock, {
      instance: ctx.instance,
      stream: spec.stream.name,
      connector: spec.connector,
      mode: spec.stream.mode,
      origin: spec.origin,
    }),
  }), { checkpoint: false });
  tracePoint('import: sync begun');
  const fileErrors: string[] = [];
  let filesRead = 0;
  // Reject examples per file: the sync keeps the first ones in file order, whatever order files finish in.
  const examplesByFile: string[][] = planned.map(() => []);
  // Files are read in parallel lanes but commit in file order (chunk numbers are sequential, and
  // a crash then loses only files after the last committed one). Files staged while a commit
  // runs go into the next chunk together: one state transaction per batch, not per small file.
  // A file that has nothing new, or failed, hands its turn on with nothing to commit.
  interface Staged { path: string; dir: string; examples: string[]; fileCursor: FileCursor; rows: number; lines: number; rejects: number; bytesRead: number }
  const settled: (Staged | null | undefined)[] = planned.map(() => undefined);
  const turns = planned.map((_, i) => {
    let resolve!: (s: Staged | null) => void;
    const promise = new Promise<Staged | null>((r) => (resolve = r));
    return {
      promise,
      resolve: (v: Staged | null) => {
        if (settled[i] === undefined) settled[i] = v;
        resolve(v);
      },
    };
  });
  const MAX_BATCH = 256;
  const chunkOf = (batch: Staged[]): ChunkCommit => {
    const sum = (k: 'rows' | 'lines' | 'rejects' | 'bytesRead') => batch.reduce((acc, st) => acc + st[k], 0);
    const target = sync.nextChunkDir();
    const counter = { n: 0 };
    for (const st of batch) {
      sync.addRejectExamples(st.examples);
      moveStaged(st.dir, target.dir, target.filePrefix, counter);
    }
    return {
      final: false,
      rows: sum('rows'),
      fileCursors: batch.map((st) => st.fileCursor),
      add: { lines_read: sum('lines'), rows_written: sum('rows'), rejects: sum('rejects'), bytes_read: sum('bytesRead') },
    };
  };
  // The batch that holds the last file is not committed here: it commits together with the
  // sync's finish (one state session instead of two; see the end of this function).
  let lastBatch: Staged[] | undefined;
  const committer = (async () => {
    let broken: string | undefined;
    for (let i = 0; i < turns.length; ) {
      await turns[i]!.promise;
      const batch: Staged[] = [];
      while (i < turns.length && settled[i] !== undefined && batch.length < MAX_BATCH) {
        const staged = settled[i++];
        if (staged) batch.push(staged);
      }
      if (batch.length === 0) continue;
      if (broken) {
        // Later files were read assuming the earlier commit landed: leave them for the next run.
        for (const st of batch) fileErrors.push(safeExample(`${st.path}: not committed because ${broken} failed to commit; run again`, 500));
        continue;
      }
      if (i === turns.length) {
        lastBatch = batch;
        break;
      }
      try {
        await sync.commitChunk(chunkOf(batch));
        filesRead += batch.length;
      } catch (e) {
        broken = batch[0]!.path;
        fileErrors.push(safeExample(`${batch[0]!.path}: ${errorMessage(e)}`, 500));
      }
    }
  })();

  const importFile = async (i: number, engine: Duck): Promise<void> => {
    const file = planned[i]!;
    const started = performance.now();
    let handedOn = false;
    const handOn = (staged?: Staged) => {
      handedOn = true;
      turns[i]!.resolve(staged ?? null);
    };
    try {
      const match = await matchCursor(file.path, file.gzip, stored);
      const prev = match.cursor;
      const start = prev && prev.offset_bytes <= (file.gzip ? Number.MAX_SAFE_INTEGER : statSync(file.path).size) ? prev.offset_bytes : 0;
      const lineBase = start === 0 ? 0 : (prev?.lines ?? 0);
      const stageDir = join(ctx.paths.staging, sync.syncId, 'read');
      mkdirSync(stageDir, { recursive: true, mode: 0o700 });
      let plan = await planRead(file.path, file.gzip, start, join(stageDir, `${i}.log`));
      if (plan.end <= plan.start && !plan.gzipError) return handOn();
      const label = `${ctx.instance}: ${basename(file.path)} (${i + 1}/${planned.length}): parsing ${formatBytes(plan.end - plan.start)}`;
      ctx.progress.update(label);
      const ticker = setInterval(() => ctx.progress.update(`${label}… ${((performance.now() - started) / 1000).toFixed(0)}s`), 1000);
      ticker.unref();
      // Each file stages into its own folder; it becomes the next chunk only when it commits.
      const chunk = { dir: join(ctx.paths.staging, sync.syncId, 'files', String(i), `instance=${ctx.instance}`, `stream=${spec.stream.name}`), filePrefix: `${sync.syncId}-f${i}` };
      mkdirSync(chunk.dir, { recursive: true, mode: 0o700 });
      const run = () =>
        ingestEgressChunk(engine, {
          readPath: plan.readPath,
          displayPath: file.path,
          lineBase,
          format: file.format,
          stagingDir: chunk.dir,
          filePrefix: chunk.filePrefix,
          instance: ctx.instance,
          syncId: sync.syncId,
          ingestedAt: new Date(ctx.clock.now()),
          maxExamples: MAX_REJECT_EXAMPLES,
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
      tracePoint('file: ingested');
      const examples = [...result.rejectExamples];
      let rejects = result.rejects;
      if (plan.gzipError) {
        rejects += 1;
        examples.unshift(`${file.path}: ${plan.gzipError}`);
      }
      const fileCursor = {
        file_key: match.key,
        head_len: match.headLen,
        previous_key: prev?.file_key,
        path: file.path,
        offset_bytes: plan.end,
        size_bytes: plan.size,
        lines: lineBase + result.lines,
      };
      examplesByFile[i] = examples;
      // Later files in this lane (e.g. a rotated .gz copy of this one) must see the new cursor
      // now; it becomes durable when this file's turn to commit comes.
      const known = stored.filter((c) => c.file_key !== fileCursor.file_key && c.file_key !== prev?.file_key);
      stored.length = 0;
      stored.push(...known, { ...fileCursor, instance: ctx.instance, stream: spec.stream.name });
      const rows = result.rows;
      const lines = result.lines;
      const bytesRead = plan.end - plan.start;
      handOn({ path: file.path, dir: chunk.dir, examples, fileCursor, rows, lines, rejects, bytesRead });
      const secs = (performance.now() - started) / 1000;
      ctx.progress.note(
        `${ctx.instance}: ${basename(file.path)}: ${formatCount(result.lines)} lines, ${rejects} rejected, ${formatBytes(plan.end - plan.start)} in ${secs.toFixed(1)}s (${formatBytes((plan.end - plan.start) / Math.max(secs, 0.001))}/s)`,
      );
      if (!plan.direct) rmSync(plan.readPath, { force: true });
    } catch (e) {
      if (e instanceof UserError) throw e;
      const msg = e instanceof ExternalError ? e.message : `${file.path}: ${errorMessage(e)}`;
      fileErrors.push(safeExample(msg, 500));
    } finally {
      if (!handedOn) handOn();
    }
  };

  // Files that may be the same log (one's head a prefix of the other's: a rotated or gzip'd copy,
  // a file that grew) share a lane and run in order, so the cursor of one is seen by the next.
  // Lanes run concurrently on their own connections of the one engine, whose thread pool and
  // memory limit they share: the configured thread budget bounds the whole import.
  const lanes = await sameLogLanes(planned);
  const threads = Number((await ctx.engine.one<{ t: string }>(`select current_setting('threads')::varchar as t`))?.t ?? 1);
  const width = Math.max(1, Math.min(threads, lanes.length, MAX_PARALLEL_FILES));
  const engines: Duck[] = [ctx.engine];
  let failure: unknown;
  try {
    for (let k = 1; k < width; k++) engines.push(await ctx.engine.fork());
    let nextLane = 0;
    await Promise.all(
      engines.map(async (engine) => {
        while (failure === undefined && nextLane < lanes.length) {
          const lane = lanes[nextLane++]!;
          for (const i of lane) {
            if (failure !== undefined) break;
            await importFile(i, engine).catch((e: unknown) => {
              failure ??= e;
            });
          }
        }
      }),
    );
  } finally {
    for (const e of engines.slice(1)) e.close();
    // Files never started (after a failure) have nothing to commit.
    for (const t of turns) t.resolve(null);
    await committer;
  }
  if (failure !== undefined) {
    // The files staged before the failure still commit (their cursors advance with them); if that
    // fails too, they are read again by the next run, so nothing is lost.
    if (lastBatch) await sync.commitChunk(chunkOf(lastBatch)).catch(() => undefined);
    throw failure;
  }
  const detail = { files: planned.length, lanes: lanes.length, parallel: width };
  const hint = 'check that the files are readable and not being replaced during the import, then run again: committed files are not read twice';
  const ending = (read: number) => {
    const status = fileErrors.length === 0 ? 'ok' : read > 0 ? 'partial' : 'failed';
    return { status, complete: spec.complete && status === 'ok', error: fileErrors.join('; ') || undefined, hint: fileErrors.length ? hint : undefined, detail } as const;
  };
  const chunk = lastBatch && chunkOf(lastBatch);
  // The sync keeps the first reject examples in file order, whatever order the files committed in.
  sync.rejectExamples.splice(0, sync.rejectExamples.length, ...examplesByFile.flat().slice(0, MAX_REJECT_EXAMPLES));
  let end = ending(filesRead + (lastBatch?.length ?? 0));
  if (!lastBatch || !chunk) await sync.finish(end.status, end);
  else {
    try {
      await sync.commitChunk({ ...chunk, finish: end });
      filesRead += lastBatch.length;
    } catch (e) {
      fileErrors.push(safeExample(`${lastBatch[0]!.path}: ${errorMessage(e)}`, 500));
      end = ending(filesRead);
      await sync.finish(end.status, end);
    }
  }
  ctx.progress.done();
  return syncResult(sync, end.status, { files: filesRead, ...(fileErrors.length ? { error: fileErrors.join('; '), hint } : {}) });
}
