// Retention: removes lake partitions (day=…) older than a date. The state is updated first
// (commits stop naming the files), then the files are deleted, so a crash in between leaves
// only orphan files that start-up recovery removes. The latest complete snapshot of each
// instance and stream is never removed: views would lose the current inventory.
import { statSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Clock } from '../clock.js';
import type { DataPaths } from './paths.js';
import { pruneEmptyDirs } from './recover.js';
import { committedFiles, readState, transaction, withState, type CommittedFile } from './state.js';

export interface PurgePlan {
  before: string;
  files: { path: string; day: string; stream: string; instance: string; bytes: number }[];
  bytes: number;
}

const DAY_RE = /(?:^|\/)day=(\d{4}-\d{2}-\d{2})\//;

export async function planPurge(paths: DataPaths, before: Date, streams?: Set<string>): Promise<PurgePlan> {
  const commits = await readState(paths, committedFiles, [] as CommittedFile[]);
  const keep = latestCompleteSnapshots(commits);
  const cutoff = before.toISOString().slice(0, 10);
  const files: PurgePlan['files'] = [];
  for (const c of commits) {
    if (streams && !streams.has(c.stream)) continue;
    if (keep.has(c.sync_id)) continue;
    for (const f of c.files) {
      const day = DAY_RE.exec(f)?.[1];
      if (!day || day >= cutoff) continue;
      let bytes = 0;
      try {
        bytes = statSync(join(paths.lake, f)).size;
      } catch {
        // Already gone; the state entry is still removed.
      }
      files.push({ path: f, day, stream: c.stream, instance: c.instance, bytes });
    }
  }
  return { before: cutoff, files, bytes: files.reduce((s, f) => s + f.bytes, 0) };
}

export async function executePurge(paths: DataPaths, plan: PurgePlan): Promise<void> {
  if (plan.files.length === 0) return;
  const gone = new Set(plan.files.map((f) => f.path));
  await withState(paths, async (db) => {
    const rows = await db.all<{ sync_id: string; chunk: number; files: string }>('select sync_id, chunk, files from commits');
    await transaction(db, async () => {
      for (const r of rows) {
        const files = JSON.parse(r.files) as string[];
        const kept = files.filter((f) => !gone.has(f));
        if (kept.length !== files.length) {
          await db.run('update commits set files = ? where sync_id = ? and chunk = ?', [JSON.stringify(kept), r.sync_id, r.chunk]);
        }
      }
    });
  });
  for (const f of plan.files) {
    try {
      unlinkSync(join(paths.lake, f.path));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
  pruneEmptyDirs(paths.lake, true);
}

/** Applies `retention_days` per stream (called at the end of each scan). */
export async function applyRetention(paths: DataPaths, retentionDays: Record<string, number>, clock: Clock): Promise<PurgePlan> {
  const all: PurgePlan = { before: '', files: [], bytes: 0 };
  for (const [stream, days] of Object.entries(retentionDays)) {
    const plan = await planPurge(paths, new Date(clock.now() - days * 86_400_000), new Set([stream]));
    await executePurge(paths, plan);
    all.files.push(...plan.files);
    all.bytes += plan.bytes;
  }
  return all;
}

function latestCompleteSnapshots(commits: CommittedFile[]): Set<string> {
  const latest = new Map<string, CommittedFile>();
  for (const c of commits) {
    if (c.mode !== 'snapshot' || !c.complete) continue;
    const key = `${c.instance}\u0000${c.stream}`;
    const cur = latest.get(key);
    if (!cur || new Date(c.started_at).getTime() >= new Date(cur.started_at).getTime()) latest.set(key, c);
  }
  return new Set([...latest.values()].map((c) => c.sync_id));
}
