// Incremental Reports fetch (issue 7, acceptance 5): each sync starts `overlap_minutes` before
// the newest event stored, so events that arrive late (Google's Reports lag) are picked up, and
// the overlap's already-stored events, or a page served twice, are not stored again: the Parquet
// files themselves (no view dedupe) hold every event exactly once.
import { DuckDBInstance } from '@duckdb/node-api';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import type { GoogleActivity } from '../../fixtures/tenant/index.js';
import { byStream, scan, startGoogleWorld, writeGoogleConfig, type GoogleWorld } from './world.js';

let world: GoogleWorld;
const tmp = tempDir();
const STREAMS = ['token_activity', 'login_activity'];

beforeAll(async () => {
  world = await startGoogleWorld();
  writeGoogleConfig(tmp.dir, world, { streams: STREAMS });
});
afterAll(async () => {
  await world.emu.close();
  tmp.cleanup();
});

/** Rows and distinct event ids in the stream's Parquet files, read directly. */
async function stored(stream: string): Promise<{ rows: number; ids: number }> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const glob = join(tmp.dir, '.shadowscan', 'lake', 'instance=google-prod', `stream=${stream}`, '**', '*.parquet');
  const [r] = (await conn.runAndReadAll(`select count(*)::int as rows, count(distinct event_id)::int as ids from read_parquet('${glob}')`)).getRowObjectsJS();
  conn.closeSync();
  db.closeSync();
  return r as { rows: number; ids: number };
}

const late = (base: GoogleActivity, timeMs: number, uq: string): GoogleActivity => ({
  ...base,
  id: { ...base.id, time: new Date(timeMs).toISOString(), uniqueQualifier: uq },
});

describe('incremental token and login audit', () => {
  it('stores 0 duplicates across overlapping windows and picks up late arrivals', async () => {
    const g = world.tenant.google;
    const first = await scan(tmp.dir, world.env);
    expect(first.code, first.stderr).toBe(0);
    expect(byStream(first.results).token_activity!.rowsWritten).toBe(g.counts.tokenEvents);
    expect(await stored('token_activity')).toEqual({ rows: g.counts.tokenEvents, ids: g.counts.tokenEvents });

    // The overlap is not empty: events of the last hour before the high-water mark are read again.
    const newest = Date.parse(g.activities.token.at(-1)!.id.time);
    const inOverlap = g.activities.token.filter((a) => Date.parse(a.id.time) >= newest - 60 * 60_000).length;
    expect(inOverlap).toBeGreaterThan(0);

    // Two events that happened 20 and 40 minutes before the newest one arrive only now.
    const base = g.activities.token.at(-1)!;
    world.emu.appendActivities('token', [late(base, newest - 20 * 60_000, '-7001'), late(base, newest - 40 * 60_000, '-7002')]);
    const second = await scan(tmp.dir, world.env);
    expect(second.code, second.stderr).toBe(0);
    const r2 = byStream(second.results);
    expect([r2.token_activity!.rowsWritten, r2.login_activity!.rowsWritten]).toEqual([2, 0]);
    expect(await stored('token_activity')).toEqual({ rows: g.counts.tokenEvents + 2, ids: g.counts.tokenEvents + 2 });

    // A page served twice (its nextPageToken pointing back at itself) stores nothing twice either.
    world.emu.setFaults({ duplicatePage: [{ path: '/admin/reports/v1/activity/users/{userKey}/applications/{applicationName}', page: 1 }] });
    const third = await scan(tmp.dir, world.env);
    world.emu.setFaults({});
    expect(third.code, third.stderr).toBe(0);
    expect(byStream(third.results).token_activity!.rowsWritten + byStream(third.results).login_activity!.rowsWritten).toBe(0);
    expect(await stored('token_activity')).toEqual({ rows: g.counts.tokenEvents + 2, ids: g.counts.tokenEvents + 2 });
    expect(await stored('login_activity')).toEqual({ rows: g.counts.loginEvents, ids: g.counts.loginEvents });
  });
});
