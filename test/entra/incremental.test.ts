// Sign-ins and directory audits are read incrementally by time (issue 6): the next sync asks only
// for [newest event read − overlap, now], skips the overlap's events it already stored (Graph
// has no cursor; ids are checked), and so stores every event exactly once — checked on the
// Parquet files themselves, not through the deduplicating view.
import { DuckDBInstance } from '@duckdb/node-api';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { byStream, interactiveSignIns, scan, startEntraWorld, writeEntraConfig, type EntraWorld } from '../helpers/entra.js';
import type { GraphObject } from '../../fixtures/tenant/entra.js';

let world: EntraWorld;
const tmp = tempDir();
const OVERLAP_MIN = 15;

beforeAll(async () => {
  world = await startEntraWorld();
  writeEntraConfig(tmp.dir, world.emu, { streams: ['sign_ins', 'directory_audits'] });
}, 60_000);
afterAll(async () => {
  await world.emu.close();
  tmp.cleanup();
});

async function stored(stream: string, id = 'id'): Promise<{ rows: number; ids: number }> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const glob = join(tmp.dir, '.shadowscan', 'lake', 'instance=*', `stream=${stream}`, '**', '*.parquet');
  const [r] = (await conn.runAndReadAll(`select count(*)::int as rows, count(distinct ${id})::int as ids from read_parquet('${glob}', hive_partitioning = true)`)).getRowObjectsJS();
  conn.closeSync();
  db.closeSync();
  return r as { rows: number; ids: number };
}

const newest = (items: GraphObject[], field: string) => Math.max(...items.map((e) => Date.parse(String(e[field]))));

function fresh(template: GraphObject, field: string, n: number, tag: string): GraphObject[] {
  const now = world.clock.now();
  return Array.from({ length: n }, (_, i) => ({ ...template, id: `${tag}-0000-4000-8000-${String(i).padStart(12, '0')}`, [field]: new Date(now - (n - i) * 1_000).toISOString() }));
}

/** The time window ($filter ge … le …) of each first-page request since the last reset. */
function windows(route: string): { ge: number; le: number }[] {
  return world.emu.stats.filters.filter((f) => f.route === route).map((f) => {
    const [, ge, le] = /ge (\S+) and \S+ le (\S+)/.exec(f.filter) ?? [];
    return { ge: Date.parse(ge ?? ''), le: Date.parse(le ?? '') };
  });
}

describe('incremental sign-ins and audits', () => {
  let signInHwm: number;
  let auditHwm: number;
  const signIns = () => interactiveSignIns(world.tenant);
  const audits = () => [...world.tenant.entra.directoryAudits];

  it('the first sync reads the configured look-back once', async () => {
    world.emu.resetStats();
    const r = await scan(tmp.dir, world.env);
    expect(r.code, r.stderr).toBe(0);
    expect(byStream(r.results).sign_ins).toMatchObject({ status: 'ok', rowsWritten: signIns().length });
    expect(byStream(r.results).directory_audits).toMatchObject({ status: 'ok', rowsWritten: audits().length });
    expect(await stored('sign_ins')).toEqual({ rows: signIns().length, ids: signIns().length });
    signInHwm = newest(signIns(), 'createdDateTime');
    auditHwm = newest(audits(), 'activityDateTime');
  });

  it('the second sync asks only for [newest − overlap, now] and stores each new event once (0 duplicates)', async () => {
    world.emu.resetStats();
    const last = signIns().at(-1)!;
    world.emu.appendSignIns(fresh(last, 'createdDateTime', 120, 'aaaaaaaa'));
    world.emu.appendAudits(fresh(audits().at(-1)!, 'activityDateTime', 7, 'bbbbbbbb'));
    const r = await scan(tmp.dir, world.env);
    expect(r.code, r.stderr).toBe(0);
    expect(byStream(r.results).sign_ins).toMatchObject({ status: 'ok', rowsWritten: 120 });
    expect(byStream(r.results).directory_audits).toMatchObject({ status: 'ok', rowsWritten: 7 });
    // One Graph request each: the new window fits one page (plus MSAL's one token request).
    expect(world.emu.stats.byRoute).toEqual({ '/v1.0/auditLogs/signIns': 1, '/auditLogs/directoryAudits': 1, '/{tenant}/oauth2/v2.0/token': 1 });
    const [s] = windows('/v1.0/auditLogs/signIns');
    const [a] = windows('/auditLogs/directoryAudits');
    expect(s!.ge).toBe(signInHwm - OVERLAP_MIN * 60_000);
    expect(a!.ge).toBe(auditHwm - OVERLAP_MIN * 60_000);
    expect(s!.le).toBeGreaterThan(signInHwm);
    // The overlap re-read some stored events (else the test would not show that they are skipped).
    const overlapped = signIns().filter((e) => Date.parse(String(e.createdDateTime)) >= s!.ge).length;
    expect(overlapped).toBeGreaterThan(0);
    expect(await stored('sign_ins')).toEqual({ rows: signIns().length + 120, ids: signIns().length + 120 });
    expect(await stored('directory_audits')).toEqual({ rows: audits().length + 7, ids: audits().length + 7 });
  });

  it('with nothing new, the next sync is one request per log and stores nothing', async () => {
    world.emu.resetStats();
    const r = await scan(tmp.dir, world.env);
    expect(r.code, r.stderr).toBe(0);
    expect(byStream(r.results).sign_ins).toMatchObject({ status: 'ok', rowsWritten: 0 });
    expect(byStream(r.results).directory_audits).toMatchObject({ status: 'ok', rowsWritten: 0 });
    expect(world.emu.stats.byRoute).toEqual({ '/v1.0/auditLogs/signIns': 1, '/auditLogs/directoryAudits': 1, '/{tenant}/oauth2/v2.0/token': 1 });
    expect(await stored('sign_ins')).toEqual({ rows: signIns().length + 120, ids: signIns().length + 120 });
  });
});
