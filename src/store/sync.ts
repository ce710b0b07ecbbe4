// The commit protocol (DESIGN.md "Storage" item 1). A sync writes Parquet under
// staging/<sync_id>/chunk-N/ (outside the lake); commitChunk moves the files into the lake's
// hive layout and then records, in ONE state transaction, the chunk's file list together with
// the stream's cursor. Views read only files named by recorded commits, so a crash at any point
// leaves the last good state readable; recover() removes what no commit names.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, renameSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { Clock } from '../clock.js';
import { crashPoint } from '../crash.js';
import type { Duck } from '../db/duck.js';
import type { DataPaths } from './paths.js';
import { transaction, withState, type SyncMode, type SyncStatus } from './state.js';

export interface FileCursor {
  file_key: string;
  head_len: number;
  path: string;
  offset_bytes: number;
  size_bytes: number;
  lines: number;
  /** Key this file had before (its head grew past the first KB); that row is replaced. */
  previous_key?: string;
}

export interface SyncCounters {
  lines_read: number;
  rows_written: number;
  rejects: number;
  requests: number;
  waits: number;
  wait_ms: number;
  retries: number;
  bytes_read: number;
}

export const MAX_REJECT_EXAMPLES = 20;

export interface SyncInit {
  instance: string;
  stream: string;
  connector: string;
  mode: SyncMode;
  origin: 'scan' | 'import';
}

/** One chunk's commit: its row count, the stream cursor or file cursors it advances, counters to add. */
export interface ChunkCommit {
  final: boolean;
  rows: number;
  cursor?: unknown;
  fileCursor?: FileCursor;
  /** Several files' cursors committed in one chunk (a batch of small files). */
  fileCursors?: FileCursor[];
  add?: Partial<SyncCounters>;
}

/** How a sync ended. `complete` marks a snapshot as the one views show from now on. */
export interface SyncFinish {
  status: Exclude<SyncStatus, 'running' | 'interrupted'>;
  complete?: boolean;
  error?: string;
  hint?: string;
  detail?: unknown;
}

export class SyncWriter {
  private chunk = 0;
  readonly counters: SyncCounters = { lines_read: 0, rows_written: 0, rejects: 0, requests: 0, waits: 0, wait_ms: 0, retries: 0, bytes_read: 0 };
  readonly rejectExamples: string[] = [];

  private constructor(
    private readonly paths: DataPaths,
    private readonly clock: Clock,
    readonly syncId: string,
    readonly init: SyncInit,
  ) {}

  static async begin(paths: DataPaths, clock: Clock, init: SyncInit): Promise<SyncWriter> {
    return withState(paths, (db) => SyncWriter.beginIn(db, paths, clock, init), { checkpoint: false });
  }

  /** begin() inside a state session the caller already holds (saves opening the state DB again). */
  static async beginIn(db: Duck, paths: DataPaths, clock: Clock, init: SyncInit): Promise<SyncWriter> {
    const stamp = new Date(clock.now()).toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
    const syncId = `${stamp}-${randomBytes(4).toString('hex')}`;
    await db.run(
      `insert into syncs (sync_id, instance, stream, connector, mode, origin, status, started_at)
       values (?, ?, ?, ?, ?, ?, 'running', ?::timestamp)`,
      [syncId, init.instance, init.stream, init.connector, init.mode, init.origin, new Date(clock.now()).toISOString()],
    );
    return new SyncWriter(paths, clock, syncId, init);
  }

  /**
   * Continues an interrupted sync (its committed chunks stay; new chunks follow them), so a
   * snapshot killed half-way completes from its last committed cursor instead of starting over.
   */
  static async resume(paths: DataPaths, clock: Clock, syncId: string, init: SyncInit): Promise<SyncWriter> {
    const next = await withState(paths, async (db) => {
      const row = await db.one<{ n: number | null }>('select max(chunk) + 1 as n from commits where sync_id = ?', [syncId]);
      const totals = await db.one<SyncCounters>('select * from syncs where sync_id = ?', [syncId]);
      await db.run("update syncs set status = 'running', error = null, hint = null where sync_id = ?", [syncId]);
      return { chunk: row?.n ?? 0, totals };
    });
    const w = new SyncWriter(paths, clock, syncId, init);
    w.chunk = next.chunk;
    if (next.totals) for (const k of Object.keys(w.counters) as (keyof SyncCounters)[]) w.counters[k] = Number(next.totals[k] ?? 0);
    return w;
  }

  /** Where the next chunk's Parquet goes: <staging>/<sync>/chunk-N/instance=…/stream=…  */
  nextChunkDir(): { dir: string; chunk: number; filePrefix: string } {
    const chunk = this.chunk;
    const dir = join(this.paths.staging, this.syncId, `chunk-${chunk}`, `instance=${this.init.instance}`, `stream=${this.init.stream}`);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    return { dir, chunk, filePrefix: `${this.syncId}-${chunk}` };
  }

  addRejectExamples(examples: string[]): void {
    for (const e of examples) if (this.rejectExamples.length < MAX_REJECT_EXAMPLES) this.rejectExamples.push(e);
  }

  /**
   * Makes the current chunk visible: move staged files into the lake, then record the commit
   * with the cursor(s) in one transaction. Counters passed here are added to the sync's totals.
   * With `finish`, the same transaction also ends the sync (the last chunk of a run): one state
   * session instead of two, and a crash leaves either both recorded or neither.
   */
  async commitChunk(opts: ChunkCommit & { finish?: SyncFinish }): Promise<void> {
    const chunk = this.chunk++;
    const chunkRoot = join(this.paths.staging, this.syncId, `chunk-${chunk}`);
    const files = listFiles(chunkRoot).map((abs) => relative(chunkRoot, abs));
    for (const rel of files) {
      const target = join(this.paths.lake, rel);
      mkdirSync(dirname(target), { recursive: true, mode: 0o700 });
      renameSync(join(chunkRoot, rel), target);
    }
    rmSync(chunkRoot, { recursive: true, force: true });
    crashPoint('after-move-before-commit');
    for (const [k, v] of Object.entries(opts.add ?? {})) this.counters[k as keyof SyncCounters] += v ?? 0;
    const now = new Date(this.clock.now()).toISOString();
    if (opts.finish) rmSync(join(this.paths.staging, this.syncId), { recursive: true, force: true });
    await withState(this.paths, (db) =>
      transaction(db, async () => {
        await db.run(
          `insert into commits (sync_id, chunk, instance, stream, files, rows_written, final, committed_at)
           values (?, ?, ?, ?, ?, ?, ?, ?::timestamp)`,
          [this.syncId, chunk, this.init.instance, this.init.stream, JSON.stringify(files), opts.rows, opts.final, now],
        );
        if (opts.cursor !== undefined) {
          await db.run(
            `insert into cursors (instance, stream, cursor, sync_id, updated_at) values (?, ?, ?, ?, ?::timestamp)
             on conflict (instance, stream) do update set cursor = excluded.cursor, sync_id = excluded.sync_id, updated_at = excluded.updated_at`,
            [this.init.instance, this.init.stream, JSON.stringify(opts.cursor), this.syncId, now],
          );
        }
        for (const f of [...(opts.fileCursor ? [opts.fileCursor] : []), ...(opts.fileCursors ?? [])]) {
          if (f.previous_key && f.previous_key !== f.file_key) {
            await db.run('delete from file_cursors where instance = ? and stream = ? and file_key = ?', [this.init.instance, this.init.stream, f.previous_key]);
          }
          await db.run(
            `insert into file_cursors (instance, stream, file_key, head_len, path, offset_bytes, size_bytes, lines, updated_at)
             values (?, ?, ?, ?, ?, ?, ?, ?, ?::timestamp)
             on conflict (instance, stream, file_key) do update set head_len = excluded.head_len, path = excluded.path,
               offset_bytes = excluded.offset_bytes, size_bytes = excluded.size_bytes, lines = excluded.lines, updated_at = excluded.updated_at`,
            [this.init.instance, this.init.stream, f.file_key, f.head_len, f.path, f.offset_bytes, f.size_bytes, f.lines, now],
          );
        }
        if (opts.finish) await this.recordFinish(db, opts.finish.status, opts.finish);
        else await this.writeCounters(db.run.bind(db), opts.final);
      }),
    );
    crashPoint('after-commit');
  }

  /** Ends the sync. `complete` marks a snapshot as the one views show from now on. */
  async finish(status: SyncFinish['status'], opts: Omit<SyncFinish, 'status'> = {}): Promise<void> {
    rmSync(join(this.paths.staging, this.syncId), { recursive: true, force: true });
    await withState(this.paths, (db) => this.recordFinish(db, status, opts));
  }

  private async recordFinish(db: Duck, status: SyncFinish['status'], opts: Omit<SyncFinish, 'status'>): Promise<void> {
    await this.writeCounters(db.run.bind(db), opts.complete ?? false);
    await db.run(
      `update syncs set status = ?, finished_at = ?::timestamp, error = ?, hint = ?, detail = ? where sync_id = ?`,
      [status, new Date(this.clock.now()).toISOString(), opts.error ?? null, opts.hint ?? null, JSON.stringify(opts.detail ?? {}), this.syncId],
    );
  }

  private async writeCounters(run: (sql: string, params: (string | number | boolean)[]) => Promise<void>, complete: boolean): Promise<void> {
    const c = this.counters;
    await run(
      `update syncs set rows_written = ?, lines_read = ?, rejects = ?, reject_examples = ?, requests = ?, waits = ?, wait_ms = ?,
         retries = ?, bytes_read = ?, complete = (complete or ?) where sync_id = ?`,
      [c.rows_written, c.lines_read, c.rejects, JSON.stringify(this.rejectExamples), c.requests, c.waits, c.wait_ms, c.retries, c.bytes_read, complete, this.syncId],
    );
  }
}

export function listFiles(root: string): string[] {
  let entries;
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
  return entries.flatMap((e) => (e.isDirectory() ? listFiles(join(root, e.name)) : e.isFile() ? [join(root, e.name)] : []));
}
