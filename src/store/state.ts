// Access to the state DB (syncs, commits, cursors). Every call opens the file, does one short
// piece of work and closes it, so other processes (query, TUI) can get in between.
import { existsSync } from 'node:fs';
import { openFileWithRetry, type Duck } from '../db/duck.js';
import { migrate } from '../db/migrations.js';
import type { DataPaths } from './paths.js';

export async function withState<T>(paths: DataPaths, fn: (db: Duck) => Promise<T>, opts: { readOnly?: boolean } = {}): Promise<T> {
  const db = await openFileWithRetry(paths.state, {
    access_mode: opts.readOnly ? 'READ_ONLY' : 'READ_WRITE',
    threads: '1',
    memory_limit: '256MB',
    autoinstall_known_extensions: 'false',
    autoload_known_extensions: 'false',
  });
  try {
    if (!opts.readOnly) await migrate(db);
    return await fn(db);
  } finally {
    db.close();
  }
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
