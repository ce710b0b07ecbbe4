// SIGKILL in the middle of a live Okta scan (issue 4, acceptance 4): at a named crash point, in
// a snapshot listing, in a per-user fan-out and in the System Log. The next scan resumes the
// killed stream from its last committed chunk and cursor (fewer requests than a full sync of that
// stream) and ends with every row exactly once: 0 lost, 0 duplicated, checked on the Parquet
// files themselves as well as through the views.
import { DuckDBInstance } from '@duckdb/node-api';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { byStream, expectedCounts, rawCounts, scan, startWorld, STREAMS, writeOktaConfig, type OktaWorld } from '../helpers/okta.js';
import { committedFiles, lakeFiles } from '../helpers/lake.js';

let world: OktaWorld;
const tmp = tempDir();
// Small pages and a commit per page, so each stream commits in several chunks.
const config = { page_size: 10, checkpoint_pages: 1, logs: { since_days: 15, page_size: 200 } };
const ROUTE = { users: '/api/v1/users', user_grants: '/api/v1/users/{id}/grants', system_log: '/api/v1/logs' } as const;

beforeAll(async () => {
  world = await startWorld();
});
afterAll(async () => {
  await world.emu.close();
  tmp.cleanup();
});

/** Requests a full sync of each stream takes with `config` (pages of 10; grants per usable user; log pages of 200 + the empty one). */
function fullRequests(stream: keyof typeof ROUTE): number {
  const users = [...world.tenant.okta.users];
  const active = users.filter((u) => u.status !== 'DEPROVISIONED').length;
  if (stream === 'users') return Math.ceil(active / 10) + Math.ceil((users.length - active) / 10);
  if (stream === 'user_grants') {
    return users.filter((u) => u.status !== 'DEPROVISIONED').reduce((n, u) => n + Math.max(1, Math.ceil(world.tenant.okta.userGrants(u.id).length / 10)), 0);
  }
  return Math.floor(world.tenant.okta.systemLog.length / 200) + 1;
}

interface Stored {
  rows: number;
  ids: number;
  /** Per sync: its rows and distinct ids. */
  syncs: { sync: string; rows: number; ids: number }[];
}

/** What each stream holds in the lake, read from every Parquet file (no view, no dedupe). */
async function lakeRows(dataDir: string): Promise<Record<string, Stored>> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const out: Record<string, Stored> = {};
  for (const s of STREAMS) {
    if (!existsSync(join(dataDir, 'lake', 'instance=okta-prod', `stream=${s}`))) continue;
    const glob = join(dataDir, 'lake', 'instance=okta-prod', `stream=${s}`, '**', '*.parquet');
    const id = s === 'system_log' ? 'uuid' : 'id';
    const [r] = (
      await conn.runAndReadAll(
        `with t as (select _sync_id, ${id} as k from read_parquet('${glob}'))
         select (select count(*)::int from t) as rows, (select count(distinct k)::int from t) as ids,
                (select list({'sync': _sync_id, 'rows': n, 'ids': d} order by _sync_id)
                   from (select _sync_id, count(*)::int as n, count(distinct k)::int as d from t group by _sync_id)) as syncs`,
      )
    ).getRowObjectsJS();
    out[s] = r as unknown as Stored;
  }
  conn.closeSync();
  db.closeSync();
  return out;
}


// Commits in order with streams [users, user_grants]: users 1-7 (6 pages + 1 of DEPROVISIONED
// users), user_grants 8-13 (10 of the 57 usable users per chunk). With [system_log]: 1-10 full pages, 11 the end.
const cases = [
  { point: 'after-commit:3', stream: 'users', streams: ['users', 'user_grants'], what: 'the users listing, after 3 of its 7 pages committed' },
  { point: 'after-commit:10', stream: 'user_grants', streams: ['users', 'user_grants'], what: 'the per-user grants fan-out, after 30 of 57 users committed' },
  { point: 'after-move-before-commit:6', stream: 'system_log', streams: ['system_log'], what: 'the System Log, with chunk 6 moved into the lake but not recorded' },
] as const;

describe.each(cases)('SIGKILL at $point ($what)', ({ point, stream, streams }) => {
  it('the next scan resumes the stream from its last committed chunk, with 0 lost and 0 duplicated rows', async () => {
    const dir = join(tmp.dir, point.replace(/:/g, '-'));
    mkdirSync(dir);
    writeOktaConfig(dir, world.emu.url, { ...config, streams });
    const dataDir = join(dir, '.shadowscan');
    const marker = join(dir, 'crash-marker');

    const killed = await scan(dir, { ...world.env, SHADOWSCAN_CRASH_AT: point, SHADOWSCAN_CRASH_MARKER: marker });
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    expect(readFileSync(marker, 'utf8').trim()).toBe(point.split(':')[0]);

    const before = world.emu.stats.byRoute[ROUTE[stream]] ?? 0;
    const again = await scan(dir, world.env);
    expect(again.code, again.stderr).toBe(0);
    const results = byStream(again.results);
    expect(again.results.map((r) => [r.stream, r.status])).toEqual(streams.map((s) => [s, 'ok']));
    // Resumed, not restarted: this run asked the emulator for less than a full sync of the stream.
    const resumedRequests = (world.emu.stats.byRoute[ROUTE[stream]] ?? 0) - before;
    expect(resumedRequests).toBeGreaterThan(0);
    expect(resumedRequests).toBeLessThan(fullRequests(stream));

    const expected = expectedCounts(world.tenant);
    const counts = await rawCounts(dir, world.env);
    expect(streams.map((s) => [s, counts[s]])).toEqual(streams.map((s) => [s, expected[s]]));
    // Stored exactly once, on disk: every snapshot sync (the ones the kill did not reach, the
    // re-run ones, and the killed one resumed under its own sync id) holds each row once; the
    // System Log holds each event once across its syncs.
    const lake = await lakeRows(dataDir);
    for (const s of streams) {
      if (s === 'system_log') expect([s, lake[s]!.rows, lake[s]!.ids]).toEqual([s, expected[s], expected[s]]);
      else for (const sync of lake[s]!.syncs) expect([s, sync.rows, sync.ids]).toEqual([s, expected[s], expected[s]]);
    }
    if (stream !== 'system_log') {
      // The killed snapshot was completed under its own sync id (one sync in the lake, not two).
      const syncs = lake[stream]!.syncs.map((x) => x.sync);
      expect(syncs).toHaveLength(1);
      expect(results[stream]!.syncId).toBe(syncs[0]);
    }
    expect(lakeFiles(dataDir)).toEqual(await committedFiles(dataDir));
  });
});
