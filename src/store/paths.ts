// Layout of the data directory (default ./.shadowscan, created 0700; files 0600 via umask).
import { chmodSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';

export interface DataPaths {
  root: string;
  /** State DB: syncs, commits, cursors, findings. Opened only briefly. */
  state: string;
  /** Committed Parquet in hive layout: lake/instance=…/stream=…/day=…/<sync_id>-<chunk>-<i>.parquet */
  lake: string;
  /** Uncommitted output of running syncs; emptied at start-up. */
  staging: string;
  /** DuckDB spill directory. */
  tmp: string;
  lock: string;
  /** Append-only triage decisions (fsync'd), replayed into state. */
  decisions: string;
  /** Append-only audit log in the seed schema. */
  audit: string;
}

export function dataPaths(root: string): DataPaths {
  return {
    root,
    state: join(root, 'state.duckdb'),
    lake: join(root, 'lake'),
    staging: join(root, 'staging'),
    tmp: join(root, 'tmp'),
    lock: join(root, 'lock'),
    decisions: join(root, 'decisions.jsonl'),
    audit: join(root, 'audit.jsonl'),
  };
}

/** Creates the data dir and its sub-folders with owner-only permissions. */
export function ensureDataDir(paths: DataPaths): void {
  for (const dir of [paths.root, paths.lake, paths.staging, paths.tmp]) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    chmodSync(dir, 0o700);
  }
}
