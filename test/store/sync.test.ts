// The commit protocol (src/store/sync.ts): a sync's last chunk can commit together with its finish,
// in one state transaction.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/clock.js';
import { dataPaths, ensureDataDir } from '../../src/store/paths.js';
import { withState } from '../../src/store/state.js';
import { SyncWriter } from '../../src/store/sync.js';
import { tempDir } from '../helpers/cli.js';

const tmp = tempDir();
afterAll(tmp.cleanup);

describe('SyncWriter', () => {
  it('commits the last chunk and finishes the sync in one step: files in the lake, cursor, counters and status recorded', async () => {
    const paths = dataPaths(join(tmp.dir, 'data'));
    ensureDataDir(paths);
    const sync = await SyncWriter.begin(paths, systemClock, { instance: 'p', stream: 'egress_hourly', connector: 'squid', mode: 'events', origin: 'import' });
    // The begin session skips its checkpoint: its row waits in the WAL for the next session.
    expect(existsSync(`${paths.state}.wal`)).toBe(true);
    const target = sync.nextChunkDir();
    mkdirSync(join(target.dir, 'day=2026-01-01'), { recursive: true });
    writeFileSync(join(target.dir, 'day=2026-01-01', `${target.filePrefix}-0.parquet`), 'x');
    sync.addRejectExamples(['a.log:3: bad timestamp — x']);
    await sync.commitChunk({
      final: false,
      rows: 7,
      fileCursors: [{ file_key: 'k1', head_len: 10, path: '/logs/a.log', offset_bytes: 100, size_bytes: 100, lines: 12 }],
      add: { lines_read: 12, rows_written: 7, rejects: 1, bytes_read: 100 },
      finish: { status: 'ok', complete: false, detail: { files: 1 } },
    });
    const rel = `instance=p/stream=egress_hourly/day=2026-01-01/${target.filePrefix}-0.parquet`;
    expect(existsSync(join(paths.lake, rel))).toBe(true);
    expect(existsSync(join(paths.staging, sync.syncId))).toBe(false);
    expect(existsSync(`${paths.state}.wal`)).toBe(false);
    const rows = await withState(paths, async (db) => ({
      sync: await db.one<{ status: string; finished: boolean; lines_read: number; rows_written: number; rejects: number; reject_examples: string; detail: string }>(
        'select status, finished_at is not null as finished, lines_read, rows_written, rejects, reject_examples, detail from syncs where sync_id = ?',
        [sync.syncId],
      ),
      commits: await db.all<{ chunk: number; files: string; rows_written: number }>('select chunk, files, rows_written from commits where sync_id = ?', [sync.syncId]),
      cursor: await db.one<{ offset_bytes: number; lines: number }>("select offset_bytes, lines from file_cursors where file_key = 'k1'"),
    }));
    expect(rows.sync).toEqual({ status: 'ok', finished: true, lines_read: 12, rows_written: 7, rejects: 1, reject_examples: JSON.stringify(['a.log:3: bad timestamp — x']), detail: '{"files":1}' });
    expect(rows.commits).toEqual([{ chunk: 0, files: JSON.stringify([rel]), rows_written: 7 }]);
    expect(rows.cursor).toEqual({ offset_bytes: 100, lines: 12 });
  });
});
