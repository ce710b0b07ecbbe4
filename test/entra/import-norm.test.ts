// Imported Entra files reach the norm views the rules read: after `import entra … --complete` of
// the synthetic Graph exports and the portal CSV downloads, `shadowscan query` over norm.grants,
// norm.apps, norm.app_credentials, norm.signins, norm.admin_events and norm.people returns the
// fixtures' values (object ids mapped to appIds, scopes split, app roles resolved by name).
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, REPO, runCli, tempDir } from '../helpers/cli.js';

const FIX = join(REPO, 'fixtures/entra');
const page = (name: string) => (JSON.parse(readFileSync(join(FIX, name), 'utf8')) as { value: Record<string, any>[] }).value; // eslint-disable-line @typescript-eslint/no-explicit-any
const tmp = tempDir();
const cwd = join(tmp.dir, 'norm');
afterAll(tmp.cleanup);

const GRAPH_APP_ID = '00000003-0000-0000-c000-000000000000';
const notes = page('servicePrincipals.json').find((s) => s.displayName === 'Acme Notes AI')!;
const bot = page('servicePrincipals.json').find((s) => s.displayName === 'Mailbox Sync Bot')!;

async function query<T>(sql: string): Promise<T[]> {
  const r = await runCli(['query', sql, '--json', '--window-days', '100000'], { cwd });
  expect(r.code, r.stderr).toBe(0);
  return json<T[]>(r);
}

beforeAll(async () => {
  mkdirSync(cwd);
  const graph = ['servicePrincipals.json', 'oauth2PermissionGrants.json', 'appRoleAssignedTo.json', 'applications.json', 'directoryAudits.json', 'signIns.json', 'users.json'];
  const r = await runCli(['import', 'entra', ...graph.map((f) => join(FIX, f)), '--complete', '--json'], { cwd });
  expect(r.code, r.stderr).toBe(0);
  const csv = ['synthetic-InteractiveSignIns_2025-06-04_2025-06-05.csv', 'synthetic-ApplicationSignIns_2025-06-04_2025-06-05.csv', 'synthetic-AuditLogs_2025-06-04.csv'];
  const c = await runCli(['import', 'entra', ...csv.map((f) => join(FIX, f)), '--json'], { cwd });
  expect(c.code, c.stderr).toBe(0);
});

describe('import entra → norm views', () => {
  it('norm.grants: the user grant by UPN, the tenant-wide consent as *, the app-only Mail.ReadWrite by name; ids mapped to appIds', async () => {
    const rows = await query<{ app_id: string; principal: string; resource: string; scopes: string[]; consent_type: string }>(
      "select app_id, principal, resource, scopes, consent_type from norm.grants where provider = 'entra' order by consent_type, principal");
    expect(rows).toEqual([
      { app_id: notes.appId, principal: '*', resource: GRAPH_APP_ID, scopes: ['User.Read', 'openid', 'profile'], consent_type: 'admin' },
      { app_id: bot.appId, principal: '*', resource: GRAPH_APP_ID, scopes: ['Mail.ReadWrite'], consent_type: 'application' },
      { app_id: notes.appId, principal: 'ann.lee@contoso.example', resource: GRAPH_APP_ID, scopes: ['Mail.ReadWrite', 'User.Read', 'offline_access'], consent_type: 'user' },
    ]);
  });

  it('norm.apps: publisher, owner tenant, first-party only for Microsoft; created from the registration', async () => {
    const rows = await query<{ app_id: string; name: string; publisher: string | null; publisher_id: string; first_party: boolean; created: string | null }>(
      "select app_id, name, publisher, publisher_id, first_party, strftime(created_at, '%Y-%m-%d') as created from norm.apps where provider = 'entra' order by name");
    expect(rows).toEqual([
      { app_id: notes.appId, name: 'Acme Notes AI', publisher: 'Acme Notes Ltd', publisher_id: notes.appOwnerOrganizationId, first_party: false, created: null },
      { app_id: bot.appId, name: 'Mailbox Sync Bot', publisher: null, publisher_id: bot.appOwnerOrganizationId, first_party: false, created: '2025-04-30' },
      { app_id: GRAPH_APP_ID, name: 'Microsoft Graph', publisher: null, publisher_id: 'f8cdef31-a31e-4b4a-93e4-5f571e91255a', first_party: true, created: null },
    ]);
  });

  it('norm.app_credentials: the registration\'s secret and certificate with their expiry', async () => {
    const rows = await query<{ app_id: string; kind: string; expires: string }>("select app_id, kind, strftime(expires_at, '%Y-%m-%d') as expires from norm.app_credentials order by kind");
    expect(rows).toEqual([{ app_id: bot.appId, kind: 'certificate', expires: '2026-04-30' }, { app_id: bot.appId, kind: 'client_secret', expires: '2027-04-30' }]);
  });

  it('norm.signins: Graph export and portal CSV sign-ins with user, app, time, IP and result', async () => {
    const rows = await query<{ ts: string; user: string | null; app_id: string; ip: string; result: string; event_id: string }>(
      "select strftime(ts, '%Y-%m-%dT%H:%M:%S') as ts, \"user\", app_id, ip, result, event_id from norm.signins where provider = 'entra' order by ts");
    expect(rows).toEqual([
      { ts: '2025-06-02T09:14:55', user: 'ann.lee@contoso.example', app_id: notes.appId, ip: '203.0.113.7', result: 'SUCCESS', event_id: '66e1a7c2-0001-4000-8000-000000005101' },
      { ts: '2025-06-02T11:02:03', user: 'bo.chen@contoso.example', app_id: notes.appId, ip: '198.51.100.4', result: 'FAILURE', event_id: '66e1a7c2-0002-4000-8000-000000005102' },
      { ts: '2025-06-04T02:00:00', user: null, app_id: bot.appId, ip: '192.0.2.44', result: 'SUCCESS', event_id: '7b0c5a11-0003-4000-8000-000000006603' },
      { ts: '2025-06-04T08:01:02', user: 'ann.lee@contoso.example', app_id: notes.appId, ip: '203.0.113.7', result: 'SUCCESS', event_id: '7b0c5a11-0001-4000-8000-000000006601' },
      { ts: '2025-06-04T08:05:09', user: 'bo.chen@contoso.example', app_id: notes.appId, ip: '198.51.100.4', result: 'FAILURE', event_id: '7b0c5a11-0002-4000-8000-000000006602' },
    ]);
  });

  it('norm.admin_events: the consents (Graph and CSV) with actor, app id and detail', async () => {
    const rows = await query<{ actor: string; action: string; app_id: string; detail: string }>(
      "select actor, action, app_id, detail from norm.admin_events where provider = 'entra' and action = 'Consent to application' order by ts");
    expect(rows).toEqual([
      { actor: 'ann.lee@contoso.example', action: 'Consent to application', app_id: notes.appId, detail: expect.stringMatching(/^user consent; permissions: .*Scope:  Mail\.ReadWrite offline_access User\.Read/) },
      { actor: 'bo.chen@contoso.example', action: 'Consent to application', app_id: notes.appId, detail: 'admin consent; for all users; permissions: [] => [[ConsentType: AllPrincipals, Scope: openid profile User.Read]]; ' },
    ]);
  });

  it('norm.people: the exported users by email with their UPN as a login', async () => {
    const rows = await query<{ person_id: string; logins: string[] }>("select person_id, logins from norm.people where list_contains(providers, 'entra') order by 1");
    expect(rows).toEqual([
      { person_id: 'ann.lee@contoso.example', logins: ['ann.lee@contoso.example'] },
      { person_id: 'bo.chen@contoso.example', logins: ['bo.chen@contoso.example'] },
    ]);
  });
});
