// Read access to findings for commands: opens the state DB once (read-write, briefly),
// replays pending decisions so what is shown includes every recorded decision, then reads.
import type { Duck } from '../db/duck.js';
import type { DataPaths } from '../store/paths.js';
import { ensureDataDir } from '../store/paths.js';
import { withState } from '../store/state.js';
import { replayDecisions } from './decisions.js';

export interface LastScan {
  scan_id: string;
  started_at: Date;
  finished_at: Date;
  status: string;
  summary: string;
}

export async function withFindings<T>(paths: DataPaths, fn: (db: Duck, lastScan: LastScan | undefined) => Promise<T>): Promise<T> {
  ensureDataDir(paths);
  return withState(paths, async (db) => {
    await replayDecisions(db, paths);
    const last = await db.one<LastScan>('select * from scans order by started_at desc limit 1');
    return fn(db, last);
  });
}
