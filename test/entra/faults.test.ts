// Faults injected by the Graph emulator (issue 6): a 429 storm and 503s with Retry-After are
// waited out and cost no rows; a 500 beyond the retries, a timeout or a truncated page on the
// delegated-grants listing leaves the instance partial (exit 3): the grants view keeps the
// previous complete snapshot and no finding in the instance is resolved — even one whose app
// really was deleted — until a clean scan completes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, runCli, tempDir } from '../helpers/cli.js';
import type { EntraFaults } from '../../fixtures/emulators/entra/index.js';
import { byStream, expectedEntraCounts, query, scan, startEntraWorld, writeEntraConfig, type EntraWorld } from '../helpers/entra.js';

let world: EntraWorld;
const tmp = tempDir();
// Small pages and a commit per page: the grants listing is 6 pages, page 1 commits before page 2 fails.
// (The streams norm.apps and norm.grants read; sign-ins and audits are left out to keep the suite fast.)
const STREAMS = ['users', 'service_principals', 'applications', 'oauth2_permission_grants', 'app_role_assignments'] as const;
const config = { page_size: 20, checkpoint_pages: 1, streams: [...STREAMS] };
const GRANTS = '/v1.0/oauth2PermissionGrants';
let previousSync: string;
let inboxAppId: string;

type Finding = { rule_id: string; instance: string; resource: string; status: string };
async function findings(): Promise<Finding[]> {
  const r = await runCli(['findings', 'list', '--status', 'all', '--json'], { cwd: tmp.dir, env: world.env });
  expect(r.code, r.stderr).toBe(0);
  return json<Finding[]>(r);
}

beforeAll(async () => {
  world = await startEntraWorld();
  mkdirSync(join(tmp.dir, 'registry'));
  for (const entry of world.tenant.entra.registry) writeFileSync(join(tmp.dir, 'registry', `${entry.id}.yaml`), stringify(entry));
  writeEntraConfig(tmp.dir, world.emu, config, { registry: { dir: 'registry' } });
  inboxAppId = world.tenant.entra.answerKey.find((a) => a.id === 'entra-inboxpilot-ai')!.app_id!;
}, 60_000);
afterAll(async () => {
  await world.emu.close();
  tmp.cleanup();
});

describe('throttling is waited out', () => {
  const cases: { name: string; faults: EntraFaults; check: (r: Awaited<ReturnType<typeof scan>>) => void }[] = [
    {
      name: 'a storm of 25 × 429 with Retry-After',
      faults: { rateLimitStorm: { requests: 25, resetInMs: 3_000 } },
      check: (r) => {
        expect(world.emu.stats.rateLimited).toBe(25);
        expect(r.results.reduce((n, x) => n + (x.throttled ?? 0), 0)).toBe(25);
        // Each 429 said Retry-After: 3 (virtual seconds), and each was waited out.
        expect(r.results.reduce((n, x) => n + (x.waitMs ?? 0), 0)).toBeGreaterThanOrEqual(25 * 3_000);
      },
    },
    {
      name: '503 Service Unavailable with Retry-After, twice on page 2',
      faults: { serverError: [{ path: GRANTS, page: 2, times: 2, status: 503 }] },
      check: (r) => {
        expect(world.emu.stats.byStatus['503']).toBe(2);
        expect(byStream(r.results).oauth2_permission_grants!.retries).toBe(2);
        expect(byStream(r.results).oauth2_permission_grants!.waitMs).toBeGreaterThanOrEqual(2 * 2_000);
      },
    },
  ];
  for (const c of cases) {
    it(`${c.name}: every stream complete with every row`, async () => {
      world.emu.resetStats();
      world.emu.setFaults(c.faults);
      const r = await scan(tmp.dir, world.env);
      world.emu.setFaults({});
      expect(r.code, r.stderr).toBe(0);
      const expected = expectedEntraCounts(world.tenant);
      for (const s of STREAMS) expect([s, byStream(r.results)[s]!.status, byStream(r.results)[s]!.rowsWritten]).toEqual([s, 'ok', expected[s]]);
      // Every request the emulator answered (MSAL's token request too) was counted by the scanner, throttled ones included.
      expect(r.results.reduce((n, x) => n + (x.requests ?? 0), 0)).toBe(world.emu.stats.requests);
      c.check(r);
      previousSync = byStream(r.results).oauth2_permission_grants!.syncId;
    });
  }
});

describe('the grants listing fails beyond the retries', () => {
  beforeAll(async () => {
    // The inbox app is an open finding; then it is deleted at the provider. A complete scan would resolve it.
    expect((await findings()).filter((f) => f.resource === inboxAppId).map((f) => [f.rule_id, f.status])).toEqual([['unregistered-app', 'open']]);
    expect(world.emu.removeApp(inboxAppId)).toBe(true);
  });

  const cases: { name: string; faults: EntraFaults; status: 'partial' | 'failed'; error: RegExp }[] = [
    { name: 'HTTP 500 on page 2', faults: { serverError: [{ path: GRANTS, page: 2, times: 3 }] }, status: 'partial', error: /^GET \/v1\.0\/oauth2PermissionGrants: HTTP 500 after 3 attempts$/ },
    { name: 'a timeout (slow responses)', faults: { slow: { delayMs: 1_500, requests: 3, pathPrefix: GRANTS } }, status: 'failed', error: /^GET \/v1\.0\/oauth2PermissionGrants: timeout after 1 s \(after 3 attempts\)$/ },
    { name: 'truncated JSON on page 2', faults: { truncate: [{ path: GRANTS, page: 2, times: 3 }] }, status: 'partial', error: /^GET \/v1\.0\/oauth2PermissionGrants: HTTP 200 with an unreadable \(truncated\?\) body after 3 attempts$/ },
  ];
  for (const c of cases) {
    it(`${c.name}: exit 3, the grants stream ${c.status} with the reason, the previous snapshot kept, nothing resolved`, async () => {
      world.emu.setFaults(c.faults);
      const r = await scan(tmp.dir, world.env);
      world.emu.setFaults({});
      expect(r.code, `${r.stderr}\n${r.stdout}`).toBe(3);
      expect(r.stderr).not.toMatch(/internal error/);
      const grants = byStream(r.results).oauth2_permission_grants!;
      expect(grants).toMatchObject({ status: c.status, rowsWritten: c.status === 'partial' ? 20 : 0 });
      expect(grants.error).toMatch(c.error);
      expect(grants.hint).toMatch(c.name.includes('timeout') ? /connection to Microsoft Graph kept failing.*run the scan again/ : /^Microsoft Graph kept failing; run the scan again/);
      const inboxSp = String([...world.tenant.entra.servicePrincipals].find((x) => x.appId === inboxAppId)!.id);
      const [v] = await query<{ syncs: string[]; inbox: number }>(
        tmp.dir,
        `select (select list(distinct _sync_id) from raw.entra_oauth2_permission_grants) as syncs,
                (select count(*) from raw.entra_oauth2_permission_grants where client_id = '${inboxSp}') as inbox`,
        world.env,
      );
      expect(v).toEqual({ syncs: [previousSync], inbox: 1 });
      const inbox = (await findings()).filter((f) => f.resource === inboxAppId);
      expect(inbox.map((f) => [f.rule_id, f.status])).toEqual([['unregistered-app', 'open']]);
    });
  }

  it('the next clean scan completes, and only then is the deleted app’s finding resolved', async () => {
    const r = await scan(tmp.dir, world.env);
    expect(r.code, r.stderr).toBe(0);
    const inbox = (await findings()).filter((f) => f.resource === inboxAppId);
    expect(inbox.map((f) => [f.rule_id, f.status])).toEqual([['unregistered-app', 'resolved']]);
    const [v] = await query<{ inbox: number }>(tmp.dir, `select count(*) as inbox from norm.grants where app_id = '${inboxAppId}'`, world.env);
    expect(v!.inbox).toBe(0);
  });
});
