// Non-interactive, service-principal and managed-identity sign-ins exist only in Graph beta
// (`signInEventTypes`): off by default, read behind `beta_sign_in_event_types: true` (issue 6).
// With the flag the planted mailbox-archiver script's app-only sign-ins show up in norm.signins.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { byStream, query, scan, startEntraWorld, writeEntraConfig, type EntraWorld } from '../helpers/entra.js';

let world: EntraWorld;
const off = tempDir();
const on = tempDir();

beforeAll(async () => {
  world = await startEntraWorld();
}, 60_000);
afterAll(async () => {
  await world.emu.close();
  off.cleanup();
  on.cleanup();
});

const count = (type: string) => [...world.tenant.entra.signIns].filter((s) => (s.signInEventTypes as string[])[0] === type).length;

describe('beta sign-in event types', () => {
  it('off (default): v1.0 only — interactive sign-ins, no beta request', async () => {
    writeEntraConfig(off.dir, world.emu, { streams: ['sign_ins'] });
    world.emu.resetStats();
    const r = await scan(off.dir, world.env);
    expect(r.code, r.stderr).toBe(0);
    expect(byStream(r.results).sign_ins!.rowsWritten).toBe(count('interactiveUser'));
    expect(world.emu.stats.byRoute['/beta/auditLogs/signIns']).toBeUndefined();
  });

  it('on: also the non-interactive and service-principal sign-ins, so app-only scripts show up', async () => {
    writeEntraConfig(on.dir, world.emu, { streams: ['sign_ins'], beta_sign_in_event_types: true });
    world.emu.resetStats();
    const r = await scan(on.dir, world.env);
    expect(r.code, r.stderr).toBe(0);
    expect(byStream(r.results).sign_ins!.rowsWritten).toBe(world.tenant.entra.signIns.length);
    const beta = world.emu.stats.filters.find((f) => f.route === '/beta/auditLogs/signIns');
    expect(beta?.filter).toMatch(/signInEventTypes\/any\(t: t eq 'nonInteractiveUser' or t eq 'servicePrincipal' or t eq 'managedIdentity'\)$/);
    const archiver = world.tenant.entra.answerKey.find((a) => a.id === 'entra-mailbox-archiver')!.app_id!;
    const [v] = await query<{ n: number; users: number; ips: string[] }>(
      on.dir,
      `select count(*) as n, count("user") as users, list(distinct ip) as ips from norm.signins where app_id = '${archiver}'`,
      world.env,
    );
    const expected = [...world.tenant.entra.signIns].filter((s) => s.appId === archiver).length;
    expect(expected).toBeGreaterThan(10);
    expect(v).toEqual({ n: expected, users: 0, ips: ['10.200.4.17'] });
    expect(count('servicePrincipal') + count('nonInteractiveUser')).toBeGreaterThan(0);
  });
});
