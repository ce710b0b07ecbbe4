// SIGKILL in the middle of a live Entra scan: in a snapshot listing (delegated grants), in the
// service principals' delta round, and in a sign-in window. The next scan resumes a killed
// snapshot from its last committed chunk and next link (fewer requests than a full sync), under
// the killed sync's own id; a killed sign-in window is read again but stores only what is
// missing. Every row exactly once, checked on the Parquet files.
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { committedFiles, lakeFiles } from '../helpers/lake.js';
import { byStream, interactiveSignIns, scan, startEntraWorld, writeEntraConfig, type EntraWorld } from '../helpers/entra.js';

let world: EntraWorld;
const tmp = tempDir();
const PAGE = 10;

beforeAll(async () => {
  world = await startEntraWorld();
}, 60_000);
afterAll(async () => {
  await world.emu.close();
  tmp.cleanup();
});

async function lakeSyncs(dataDir: string, stream: string): Promise<{ sync: string; rows: number; ids: number }[]> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const glob = join(dataDir, 'lake', 'instance=entra-prod', `stream=${stream}`, '**', '*.parquet');
  const rows = (await conn.runAndReadAll(`select _sync_id as sync, count(*)::int as rows, count(distinct id)::int as ids from read_parquet('${glob}') group by 1 order by 1`)).getRowObjectsJS();
  conn.closeSync();
  db.closeSync();
  return rows as { sync: string; rows: number; ids: number }[];
}

const cases = [
  { stream: 'oauth2_permission_grants', route: '/oauth2PermissionGrants', total: () => world.tenant.entra.grants.length },
  { stream: 'service_principals', route: '/servicePrincipals/delta', total: () => world.tenant.entra.servicePrincipals.length },
] as const;

describe.each(cases)('SIGKILL after 3 committed pages of $stream', ({ stream, route, total }) => {
  it('the next scan resumes from the last committed page: 0 lost, 0 duplicated, one sync', async () => {
    const dir = join(tmp.dir, stream);
    mkdirSync(dir);
    writeEntraConfig(dir, world.emu, { streams: [stream], page_size: PAGE, checkpoint_pages: 1 });
    const marker = join(dir, 'crash-marker');
    const killed = await scan(dir, { ...world.env, SHADOWSCAN_CRASH_AT: 'after-commit:3', SHADOWSCAN_CRASH_MARKER: marker });
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    expect(readFileSync(marker, 'utf8').trim()).toBe('after-commit');

    const before = world.emu.stats.byRoute[route] ?? 0;
    const again = await scan(dir, world.env);
    expect(again.code, again.stderr).toBe(0);
    const requests = (world.emu.stats.byRoute[route] ?? 0) - before;
    const full = Math.ceil(total() / PAGE);
    expect(requests).toBeGreaterThan(0);
    expect(requests).toBeLessThan(full);
    const syncs = await lakeSyncs(join(dir, '.shadowscan'), stream);
    expect(syncs).toEqual([{ sync: byStream(again.results)[stream]!.syncId, rows: total(), ids: total() }]);
    expect(lakeFiles(join(dir, '.shadowscan'))).toEqual(await committedFiles(join(dir, '.shadowscan')));
  });
});

describe('SIGKILL after 3 committed pages of a sign-in window', () => {
  it('the next scan reads the window again and stores only the missing events: each exactly once on disk', async () => {
    const dir = join(tmp.dir, 'sign_ins');
    mkdirSync(dir);
    writeEntraConfig(dir, world.emu, { streams: ['sign_ins'], checkpoint_pages: 1, sign_ins: { since_days: 15, overlap_minutes: 15, page_size: 100 } });
    const marker = join(dir, 'crash-marker');
    const killed = await scan(dir, { ...world.env, SHADOWSCAN_CRASH_AT: 'after-commit:3', SHADOWSCAN_CRASH_MARKER: marker });
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    const again = await scan(dir, world.env);
    expect(again.code, again.stderr).toBe(0);
    const total = interactiveSignIns(world.tenant).length;
    expect(byStream(again.results).sign_ins!.rowsWritten).toBe(total - 300);
    const syncs = await lakeSyncs(join(dir, '.shadowscan'), 'sign_ins');
    expect(syncs.map((x) => x.rows).sort((a, b) => a - b)).toEqual([300, total - 300]);
    const db = await DuckDBInstance.create(':memory:');
    const conn = await db.connect();
    const glob = join(dir, '.shadowscan', 'lake', 'instance=entra-prod', 'stream=sign_ins', '**', '*.parquet');
    const [r] = (await conn.runAndReadAll(`select count(*)::int as rows, count(distinct id)::int as ids from read_parquet('${glob}')`)).getRowObjectsJS();
    conn.closeSync();
    db.closeSync();
    expect(r).toEqual({ rows: total, ids: total });
  });
});
