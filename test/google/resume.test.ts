// SIGKILL during the per-user tokens fan-out (issue 7, acceptance 4): the next scan resumes
// after the last committed user — the emulator, which counts every tokens.list attempt per
// user, sees each user asked exactly once across both scans — and the snapshot ends complete
// under the killed sync's id with every token stored once.
import { DuckDBInstance } from '@duckdb/node-api';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { committedFiles, lakeFiles } from '../helpers/lake.js';
import { byStream, query, scan, startGoogleWorld, writeGoogleConfig, type GoogleWorld } from './world.js';

let world: GoogleWorld;
const tmp = tempDir();

beforeAll(async () => {
  world = await startGoogleWorld();
  // 10 users per commit: users = commit 1, tokens = commits 2-6 and the final one.
  writeGoogleConfig(tmp.dir, world, { streams: ['users', 'tokens'], checkpoint_every: 10 });
});
afterAll(async () => {
  await world.emu.close();
  tmp.cleanup();
});

describe('kill -9 during the tokens fan-out', () => {
  it('the next scan does not ask for a committed user’s tokens again and ends with every token once', async () => {
    const users = [...world.tenant.google.users];
    const marker = join(tmp.dir, 'crash-marker');
    // Killed right after commit 4: the users listing and 3 batches (30 users) of tokens are committed.
    const killed = await scan(tmp.dir, { ...world.env, SHADOWSCAN_CRASH_AT: 'after-commit:4', SHADOWSCAN_CRASH_MARKER: marker });
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    expect(readFileSync(marker, 'utf8').trim()).toBe('after-commit');
    const beforeResume = { ...world.emu.stats.tokensByUser };
    expect(Object.keys(beforeResume)).toHaveLength(30);
    const ROUTE = '/admin/directory/v1/users/{userKey}/tokens';
    const routeBefore = world.emu.stats.byRoute[ROUTE]!;

    const again = await scan(tmp.dir, world.env);
    expect(again.code, again.stderr).toBe(0);
    const tokens = byStream(again.results).tokens!;
    expect(tokens.status).toBe('ok');
    // Every user asked exactly once over both scans; the resumed run asked only for the other 28.
    expect(Object.keys(world.emu.stats.tokensByUser).sort()).toEqual(users.map((u) => u.id).sort());
    expect(Object.values(world.emu.stats.tokensByUser).every((n) => n === 1)).toBe(true);
    expect(world.emu.stats.byRoute[ROUTE]! - routeBefore).toBe(users.length - 30);
    // The resumed sync's record counts both runs: every user once, plus each run's token request.
    expect(tokens.requests).toBe(users.length + 2);

    // The killed snapshot was completed under its own sync id: one sync, each token once, on disk.
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const glob = join(tmp.dir, '.shadowscan', 'lake', 'instance=google-prod', 'stream=tokens', '**', '*.parquet');
    const syncs = (await conn.runAndReadAll(`select _sync_id as sync, count(*)::int as rows, count(distinct token_id)::int as ids from read_parquet('${glob}') group by 1`)).getRowObjectsJS();
    conn.closeSync();
    db.closeSync();
    const expected = world.tenant.google.counts.tokens;
    expect(syncs).toEqual([{ sync: tokens.syncId, rows: expected, ids: expected }]);
    const [v] = await query<{ n: number }>(tmp.dir, 'select count(*)::int as n from raw.google_tokens', world.env);
    expect(v!.n).toBe(expected);
    expect(lakeFiles(join(tmp.dir, '.shadowscan'))).toEqual(await committedFiles(join(tmp.dir, '.shadowscan')));
  });
});
