// Start-up recovery for writers (run under the data-dir lock): drop staged output, remove lake
// files that no commit names (a crash between move and commit record), and mark syncs whose
// process died as interrupted. Committed chunks and cursors stay, so the next run resumes.
import { rmSync, unlinkSync, readdirSync, rmdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Clock } from '../clock.js';
import type { DataPaths } from './paths.js';
import { readState, withState } from './state.js';
import { listFiles } from './sync.js';

export interface RecoveryReport {
  orphanFilesRemoved: number;
  syncsInterrupted: string[];
}

export async function recover(paths: DataPaths, clock: Clock): Promise<RecoveryReport> {
  rmSync(paths.staging, { recursive: true, force: true });
  // Read-only first (no migration, no checkpoint or fsync on close; nothing at all in a new data
  // dir): the usual start-up has nothing to mark. The data-dir lock keeps other writers out
  // until the update below.
  const found = await readState(
    paths,
    async (db) => ({
      running: (await db.all<{ sync_id: string }>("select sync_id from syncs where status = 'running'")).map((r) => r.sync_id),
      committed: new Set((await db.all<{ files: string }>('select files from commits')).flatMap((r) => JSON.parse(r.files) as string[])),
    }),
    { running: [] as string[], committed: new Set<string>() },
  );
  if (found.running.length) {
    await withState(paths, (db) =>
      db.run(
        `update syncs set status = 'interrupted', finished_at = ?::timestamp,
           error = 'the process stopped before this sync finished (killed or crashed)',
           hint = 'nothing to do: committed chunks are kept and the next run resumes from the last cursor'
         where status = 'running'`,
        [new Date(clock.now()).toISOString()],
      ),
    );
  }
  const { committed, running: interrupted } = found;
  let removed = 0;
  for (const abs of listFiles(paths.lake)) {
    if (!committed.has(relative(paths.lake, abs))) {
      unlinkSync(abs);
      removed++;
    }
  }
  if (removed) pruneEmptyDirs(paths.lake, true);
  return { orphanFilesRemoved: removed, syncsInterrupted: interrupted };
}

/** Removes empty directories below root (and root itself unless keepRoot). */
export function pruneEmptyDirs(root: string, keepRoot: boolean): void {
  let entries;
  try {
    entries = readdirSync(root, { withFileTypes: true });
  } catch {
    return;
  }
  for (const e of entries) if (e.isDirectory()) pruneEmptyDirs(join(root, e.name), false);
  if (!keepRoot && readdirSync(root).length === 0) rmdirSync(root);
}
