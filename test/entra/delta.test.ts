// Service principals through Graph's delta query (issue 6): the first sync reads
// /servicePrincipals/delta in full and keeps the deltaLink; the next costs one request and still
// yields a complete snapshot; an app deleted at the provider arrives as `@removed` and leaves the
// views; an expired link (410 resyncRequired) falls back to a full round, still complete.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { byStream, query, scan, startEntraWorld, writeEntraConfig, type EntraWorld } from '../helpers/entra.js';

let world: EntraWorld;
const tmp = tempDir();
const PAGE = 20;

beforeAll(async () => {
  world = await startEntraWorld();
  writeEntraConfig(tmp.dir, world.emu, { streams: ['service_principals'], page_size: PAGE });
}, 60_000);
afterAll(async () => {
  await world.emu.close();
  tmp.cleanup();
});

const total = () => world.tenant.entra.servicePrincipals.length;

async function view(): Promise<{ n: number; syncs: number; names: number; roles: number }> {
  const [v] = await query<{ n: number; syncs: number; names: number; roles: number }>(
    tmp.dir,
    `select count(*) as n, count(distinct _sync_id) as syncs, count(display_name) as names,
            (select len(app_roles) from raw.entra_service_principals where app_id = '00000003-0000-0000-c000-000000000000') as roles
       from raw.entra_service_principals`,
    world.env,
  );
  return v!;
}

describe('service principals by delta query', () => {
  let roles: number;
  it('first sync: the full delta round, page by page', async () => {
    world.emu.resetStats();
    const r = await scan(tmp.dir, world.env);
    expect(r.code, r.stderr).toBe(0);
    expect(byStream(r.results).service_principals).toMatchObject({ status: 'ok', rowsWritten: total() });
    expect(world.emu.stats.byRoute['/servicePrincipals/delta']).toBe(Math.ceil(total() / PAGE));
    const v = await view();
    roles = v.roles;
    expect(roles).toBeGreaterThan(15);
    expect(v).toEqual({ n: total(), syncs: 1, names: total(), roles });
  });

  it('second sync: one request, and the snapshot is complete again (carried over, app roles intact)', async () => {
    world.emu.resetStats();
    const r = await scan(tmp.dir, world.env);
    expect(r.code, r.stderr).toBe(0);
    expect(byStream(r.results).service_principals).toMatchObject({ status: 'ok', rowsWritten: total() });
    expect(world.emu.stats.byRoute['/servicePrincipals/delta']).toBe(1);
    expect(await view()).toEqual({ n: total(), syncs: 1, names: total(), roles });
  });

  it('an app deleted at the provider arrives as @removed and leaves the snapshot', async () => {
    const inbox = world.tenant.entra.answerKey.find((a) => a.id === 'entra-inboxpilot-ai')!.app_id!;
    expect(world.emu.removeApp(inbox)).toBe(true);
    world.emu.resetStats();
    const r = await scan(tmp.dir, world.env);
    expect(r.code, r.stderr).toBe(0);
    expect(byStream(r.results).service_principals!.rowsWritten).toBe(total() - 1);
    expect(world.emu.stats.byRoute['/servicePrincipals/delta']).toBe(1);
    const [v] = await query<{ n: number }>(tmp.dir, `select count(*) as n from norm.apps where app_id = '${inbox}'`, world.env);
    expect(v!.n).toBe(0);
  });

  it('an expired delta link (410 resyncRequired) falls back to a full round, complete', async () => {
    world.emu.expireDeltaTokens();
    world.emu.resetStats();
    const r = await scan(tmp.dir, world.env);
    expect(r.code, r.stderr).toBe(0);
    expect(byStream(r.results).service_principals).toMatchObject({ status: 'ok', rowsWritten: total() - 1 });
    expect(world.emu.stats.byStatus['410']).toBe(1);
    expect(world.emu.stats.byRoute['/servicePrincipals/delta']).toBe(1 + Math.ceil((total() - 1) / PAGE));
    expect(await view()).toEqual({ n: total() - 1, syncs: 1, names: total() - 1, roles });
  });
});
