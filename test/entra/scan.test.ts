// `shadowscan scan` of an Entra instance against the Graph emulator, authenticated through
// @azure/msal-node client credentials: every stream complete with the tenant's rows, and the
// norm views hold the planted apps with their principals, resources and scopes (issue 6).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { byStream, ENTRA_STREAMS, entraRawCounts, expectedEntraCounts, query, scan, startEntraWorld, writeEntraConfig, type EntraWorld } from '../helpers/entra.js';

let world: EntraWorld;
const tmp = tempDir();
let first: Awaited<ReturnType<typeof scan>>;

beforeAll(async () => {
  world = await startEntraWorld();
  writeEntraConfig(tmp.dir, world.emu);
  first = await scan(tmp.dir, world.env);
}, 120_000);
afterAll(async () => {
  await world.emu.close();
  tmp.cleanup();
});

const planted = (id: string) => {
  const e = world.tenant.entra.answerKey.find((a) => a.id === id);
  if (!e?.app_id) throw new Error(`no planted app ${id}`);
  return e as typeof e & { app_id: string };
};

describe('a clean scan of the demo tenant through MSAL and Graph', () => {
  it('exits 0 with every stream ok and the tenant’s row count; one token for the whole scan; no 429', async () => {
    expect(first.code, first.stderr).toBe(0);
    const results = byStream(first.results);
    const expected = expectedEntraCounts(world.tenant);
    expect(Object.keys(results).sort()).toEqual([...ENTRA_STREAMS].sort());
    for (const s of ENTRA_STREAMS) expect([s, results[s]!.status, results[s]!.rowsWritten]).toEqual([s, 'ok', expected[s]]);
    expect(world.emu.stats.tokensIssued).toBe(1);
    expect(world.emu.stats.rateLimited).toBe(0);
    expect(await entraRawCounts(tmp.dir, world.env)).toEqual(expected);
  });

  it('norm.grants maps object ids to appIds: a user consent with stray spaces, a tenant-wide consent, an app-only permission resolved through Graph’s appRoles', async () => {
    const inbox = planted('entra-inboxpilot-ai');
    const contract = planted('entra-contract-scanner');
    const archiver = planted('entra-mailbox-archiver');
    const crm = planted('entra-crm-contact-sync-overscoped');
    const rows = await query<{ app_id: string; principal: string; resource: string; scopes: string[]; consent_type: string }>(
      tmp.dir,
      `select app_id, principal, resource, scopes, consent_type from norm.grants
        where app_id in ('${inbox.app_id}', '${contract.app_id}', '${archiver.app_id}', '${crm.app_id}') order by app_id, principal`,
      world.env,
    );
    const graph = '00000003-0000-0000-c000-000000000000';
    expect(rows).toEqual(
      [
        { app_id: inbox.app_id, principal: inbox.people[0], resource: graph, scopes: ['Mail.ReadWrite', 'offline_access', 'openid', 'profile'], consent_type: 'user' },
        { app_id: contract.app_id, principal: '*', resource: graph, scopes: ['Files.Read.All', 'Sites.Read.All', 'User.Read', 'offline_access'], consent_type: 'admin' },
        { app_id: archiver.app_id, principal: '*', resource: graph, scopes: ['Mail.ReadWrite'], consent_type: 'application' },
        { app_id: crm.app_id, principal: '*', resource: graph, scopes: ['Contacts.Read', 'Mail.Send', 'User.Read'], consent_type: 'admin' },
      ].sort((a, b) => a.app_id.localeCompare(b.app_id)),
    );
  });

  it('norm.apps: publisher ids, verification, first-party marks for every Microsoft app and nothing else', async () => {
    const fp = world.tenant.entra.firstPartyApps.map((a) => a.app_id).sort();
    const inbox = planted('entra-inboxpilot-ai');
    const [row] = await query<{ fp: string[]; n: number; inbox: Record<string, unknown> }>(
      tmp.dir,
      `select (select list(app_id order by app_id) from norm.apps where first_party) as fp,
              (select count(*) from norm.apps where provider = 'entra') as n,
              (select {'name': name, 'verified': verified_publisher, 'first_party': first_party, 'publisher_id': publisher_id} from norm.apps where app_id = '${inbox.app_id}') as inbox`,
      world.env,
    );
    expect(row!.fp).toEqual(fp);
    expect(fp).toContain('00000003-0000-0000-c000-000000000000');
    expect(row!.n).toBe(world.tenant.entra.servicePrincipals.length);
    const sp = [...world.tenant.entra.servicePrincipals].find((s) => s.appId === inbox.app_id)!;
    expect(row!.inbox).toEqual({ name: 'InboxPilot AI', verified: false, first_party: false, publisher_id: sp.appOwnerOrganizationId });
  });

  it('norm.people, signins, admin_events and app_credentials come from users, sign-ins, audits and credentials', async () => {
    const e = world.tenant.entra;
    const archiver = planted('entra-mailbox-archiver');
    const inbox = planted('entra-inboxpilot-ai');
    const [row] = await query<Record<string, unknown>>(
      tmp.dir,
      `select (select count(*) from norm.people) as people,
              (select count(*) from norm.people where status = 'disabled') as disabled,
              (select count(*) from norm.signins where provider = 'entra' and "user" = '${inbox.people[0]}' and app_id = '${inbox.app_id}') as inbox_signins,
              (select list(action order by ts) from norm.admin_events where app_id = '${inbox.app_id}') as inbox_events,
              (select list(action order by ts) from norm.admin_events where app_id = '${planted('entra-contract-scanner').app_id}') as contract_events,
              (select list(kind) from norm.app_credentials where app_id = '${archiver.app_id}') as archiver_creds`,
      world.env,
    );
    expect(row).toEqual({
      people: e.users.length,
      disabled: [...e.users].filter((u) => u.accountEnabled === false).length,
      inbox_signins: 1,
      inbox_events: ['Add service principal', 'Consent to application', 'Add delegated permission grant'],
      contract_events: ['Add service principal', 'Consent to application', 'Add OAuth2PermissionGrant'],
      archiver_creds: ['client_secret'],
    });
  });
});
