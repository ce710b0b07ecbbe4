// SIGKILL during the per-user tokens fan-out (issue 7, acceptance 4): the next scan resumes
// after the last committed user — the emulator, which counts every tokens.list attempt per
// user, sees no committed user asked again — and the snapshot ends complete under the killed
// sync's id with every token stored once.
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
    // Committed: the first 30 users in id order. The next batch (fetched while commit 4 ran) may
    // have been asked too before the kill; it was not committed.
    const sortedIds = users.map((u) => u.id).sort();
    const committed = sortedIds.slice(0, 30);
    const beforeResume = { ...world.emu.stats.tokensByUser };
    expect(committed.every((id) => beforeResume[id] === 1)).toBe(true);
    const inFlight = Object.keys(beforeResume).filter((id) => !committed.includes(id));
    expect(inFlight.every((id) => sortedIds.indexOf(id) < 40)).toBe(true);

    const again = await scan(tmp.dir, world.env);
    expect(again.code, again.stderr).toBe(0);
    const tokens = byStream(again.results).tokens!;
    expect(tokens.status).toBe('ok');
    // No committed user was asked again; every other user was asked by the resumed scan, once.
    expect(committed.map((id) => world.emu.stats.tokensByUser[id])).toEqual(committed.map(() => 1));
    for (const id of sortedIds.slice(30)) expect([id, world.emu.stats.tokensByUser[id]! - (beforeResume[id] ?? 0)]).toEqual([id, 1]);
    expect(Object.keys(world.emu.stats.tokensByUser).sort()).toEqual(sortedIds);

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
