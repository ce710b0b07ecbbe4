// Access to the state DB (syncs, commits, cursors). Every call attaches the file, does one short
// piece of work and detaches it, so other processes (query, TUI) can get in between. Sessions
// of one process run one at a time, in call order.
import { AsyncLocalStorage } from 'node:async_hooks';
import { existsSync } from 'node:fs';
import { attachFileWithRetry, type Duck } from '../db/duck.js';
import { migrate } from '../db/migrations.js';
import type { DataPaths } from './paths.js';
import { tracePoint } from '../log.js';

const inSession = new AsyncLocalStorage<true>();
let queue: Promise<unknown> = Promise.resolve();

/**
 * Runs `fn` in a state session. `checkpoint: false` is for a session that writes a row or two and
 * is followed by another in the same run (a sync's begin): its writes stay in the WAL, which the
 * next checkpointing session folds into the file, saving a checkpoint's fsync.
 */
export async function withState<T>(paths: DataPaths, fn: (db: Duck) => Promise<T>, opts: { readOnly?: boolean; checkpoint?: boolean } = {}): Promise<T> {
  // A session inside a session would wait for itself: pass the session's db down instead.
  if (inSession.getStore()) throw new Error('withState called inside a state session');
  const session = async (): Promise<T> => {
    const { db, release } = await attachFileWithRetry(paths.state, { readOnly: opts.readOnly, tempDirectory: paths.tmp });
    tracePoint('state: attached');
    try {
      if (!opts.readOnly) await migrate(db);
      return await inSession.run(true, () => fn(db));
    } finally {
      await release({ checkpoint: opts.checkpoint ?? true });
      tracePoint('state: released');
    }
  };
  const result = queue.then(session, session);
  queue = result.catch(() => undefined);
  return result;
}

/** Read-only access that tolerates a data dir where nothing was ever written. */
export async function readState<T>(paths: DataPaths, fn: (db: Duck) => Promise<T>, empty: T): Promise<T> {
  if (!existsSync(paths.state)) return empty;
  return withState(paths, async (db) => {
    const has = await db.one<{ n: number }>("select count(*) n from information_schema.tables where table_name = 'syncs'");
    return has && has.n > 0 ? fn(db) : empty;
  }, { readOnly: true });
}

export async function transaction<T>(db: Duck, fn: () => Promise<T>): Promise<T> {
  await db.run('begin transaction');
  try {
    const out = await fn();
    await db.run('commit');
    return out;
  } catch (e) {
    await db.run('rollback');
    throw e;
  }
}

export type SyncMode = 'snapshot' | 'events';
export type SyncStatus = 'running' | 'ok' | 'partial' | 'failed' | 'interrupted';

export interface SyncRecord {
  sync_id: string;
  instance: string;
  stream: string;
  connector: string;
  mode: SyncMode;
  origin: 'scan' | 'import';
  status: SyncStatus;
  complete: boolean;
  started_at: Date;
  finished_at: Date | null;
  rows_written: number;
  lines_read: number;
  rejects: number;
  reject_examples: string;
  requests: number;
  waits: number;
  wait_ms: number;
  retries: number;
  bytes_read: number;
  error: string | null;
  hint: string | null;
  detail: string;
}

export interface CommittedFile {
  instance: string;
  stream: string;
  connector: string;
  mode: SyncMode;
  sync_id: string;
  complete: boolean;
  started_at: Date;
  files: string[];
}

/** Every committed chunk with its sync's facts; the lake views are built from this list only. */
export async function committedFiles(db: Duck): Promise<CommittedFile[]> {
  const rows = await db.all<Omit<CommittedFile, 'files'> & { files: string }>(
    `select c.instance, c.stream, s.connector, s.mode, c.sync_id, s.complete, s.started_at, c.files
       from commits c join syncs s using (sync_id)
      order by s.started_at, c.sync_id, c.chunk`,
  );
  return rows.map((r) => ({ ...r, files: JSON.parse(r.files) as string[] }));
}
