// The synthetic demo tenant (the one the Graph emulator serves to live scans), exported the ways
// real tenants get exported — Graph REST pages (two pages appended in one file), a Graph
// PowerShell dump of the applications (UTF-16 LE with BOM, every key PascalCase), users as
// gzip'd JSON lines, sign-ins as Azure Monitor diagnostic records — and imported: the raw
// streams hold the whole tenant, and the norm views show the planted apps exactly as
// test/entra/scan.test.ts expects from a live scan.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clockEnv } from '../../src/clock.js';
import { json, runCli, tempDir } from '../helpers/cli.js';
import { demoTenant, ENTRA_STREAMS, entraRawCounts, expectedEntraCounts, query } from '../helpers/entra.js';

const tenant = demoTenant();
const e = tenant.entra;
const tmp = tempDir();
const dir = join(tmp.dir, 'work');
const exports = join(tmp.dir, 'exports');
// Queries see the tenant's "now", so the rules window covers its sign-ins.
const env = { SHADOWSCAN_CLOCK: clockEnv(1, Date.now(), tenant.now) };
const CONTEXT = 'https://graph.microsoft.com/v1.0/$metadata#';
type Obj = Record<string, unknown>;

const pascal = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(pascal) : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k.startsWith('@') ? k : k[0]!.toUpperCase() + k.slice(1), pascal(x)])) : v;

const monitorCategory: Record<string, string> = {
  interactiveUser: 'SignInLogs',
  nonInteractiveUser: 'NonInteractiveUserSignInLogs',
  servicePrincipal: 'ServicePrincipalSignInLogs',
  managedIdentity: 'ManagedIdentitySignInLogs',
};

const planted = (id: string) => {
  const a = e.answerKey.find((x) => x.id === id);
  if (!a?.app_id) throw new Error(`no planted app ${id}`);
  return a as typeof a & { app_id: string };
};

let results: { stream: string; status: string; rowsWritten: number; rejects: number }[];

beforeAll(async () => {
  mkdirSync(dir);
  mkdirSync(exports);
  const page = (collection: string, value: Obj[], extra: Obj = {}) => JSON.stringify({ '@odata.context': CONTEXT + collection, ...extra, value }, null, 2);
  const sps = [...e.servicePrincipals];
  writeFileSync(join(exports, 'servicePrincipals.json'), page('servicePrincipals', sps));
  const grants = [...e.grants];
  const half = Math.ceil(grants.length / 2);
  writeFileSync(join(exports, 'oauth2PermissionGrants.json'), `${page('oauth2PermissionGrants', grants.slice(0, half), { '@odata.nextLink': 'https://graph.microsoft.com/v1.0/oauth2PermissionGrants?$skiptoken=2' })}\n${page('oauth2PermissionGrants', grants.slice(half))}\n`);
  const assignments = sps.map((sp) => ({ sp, list: e.appRoleAssignedTo(String(sp.id)) })).filter((x) => x.list.length > 0);
  assignments.forEach(({ sp, list }, i) => writeFileSync(join(exports, `appRoleAssignedTo-${i}.json`), page(`servicePrincipals('${String(sp.id)}')/appRoleAssignedTo`, list)));
  const ps = JSON.stringify(pascal([...e.applications]), null, 4).replace(/\n/g, '\r\n');
  writeFileSync(join(exports, 'Get-MgApplication.json'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(ps, 'utf16le')]));
  writeFileSync(join(exports, 'users.jsonl.gz'), gzipSync([...e.users].map((u) => JSON.stringify(u)).join('\n')));
  const diag = [...e.signIns].map((s) => JSON.stringify({
    time: String(s.createdDateTime).replace('T', ' ').replace('Z', ''), resourceId: `/tenants/${e.tenantId}/providers/Microsoft.aadiam`, operationName: 'Sign-in activity',
    category: monitorCategory[(s.signInEventTypes as string[])[0]!], tenantId: e.tenantId, callerIpAddress: s.ipAddress, properties: s,
  }));
  writeFileSync(join(exports, 'signins-diagnostic.jsonl'), `${diag.join('\n')}\n`);
  writeFileSync(join(exports, 'directoryAudits.json'), page('auditLogs/directoryAudits', [...e.directoryAudits]));

  const r = await runCli(['import', 'entra', exports, '--complete', '--json'], { cwd: dir, env });
  expect(r.code, r.stderr).toBe(0);
  results = json<{ results: typeof results }>(r).results;
}, 120_000);
afterAll(tmp.cleanup);

describe('import entra: the demo tenant exported as Graph pages, a PowerShell dump, JSON lines and Azure Monitor records', () => {
  it('lands the whole tenant in every stream with no rejects (all sign-in types: the exports hold them)', async () => {
    expect(results.map((x) => x.stream).sort()).toEqual([...ENTRA_STREAMS].sort());
    expect(results.every((x) => x.status === 'ok' && x.rejects === 0)).toBe(true);
    expect(await entraRawCounts(dir, env)).toEqual(expectedEntraCounts(tenant, true));
  });

  it('norm.grants: the planted apps with the principals, resources and scopes a live scan finds', async () => {
    const inbox = planted('entra-inboxpilot-ai');
    const contract = planted('entra-contract-scanner');
    const archiver = planted('entra-mailbox-archiver');
    const crm = planted('entra-crm-contact-sync-overscoped');
    const rows = await query<{ app_id: string; principal: string; resource: string; scopes: string[]; consent_type: string }>(
      dir,
      `select app_id, principal, resource, scopes, consent_type from norm.grants
        where app_id in ('${inbox.app_id}', '${contract.app_id}', '${archiver.app_id}', '${crm.app_id}') order by app_id, principal`,
      env,
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

  it('norm.apps, people, signins, admin_events and app_credentials hold what a live scan holds', async () => {
    const inbox = planted('entra-inboxpilot-ai');
    const archiver = planted('entra-mailbox-archiver');
    const fp = e.firstPartyApps.map((a) => a.app_id).sort();
    const [row] = await query<Record<string, unknown>>(
      dir,
      `select (select list(app_id order by app_id) from norm.apps where first_party) as fp,
              (select count(*) from norm.apps where provider = 'entra') as apps,
              (select count(*) from norm.people) as people,
              (select count(*) from norm.signins where provider = 'entra' and "user" = '${inbox.people[0]}' and app_id = '${inbox.app_id}') as inbox_signins,
              (select list(action order by ts) from norm.admin_events where app_id = '${inbox.app_id}') as inbox_events,
              (select list(kind) from norm.app_credentials where app_id = '${archiver.app_id}') as archiver_creds`,
      env,
    );
    const inboxSignIns = [...e.signIns].filter((s) => s.appId === inbox.app_id && String(s.userPrincipalName).toLowerCase() === inbox.people[0] && Date.parse(String(s.createdDateTime)) >= tenant.now - 30 * 86_400_000);
    expect(row).toEqual({
      fp,
      apps: e.servicePrincipals.length,
      people: e.users.length,
      inbox_signins: inboxSignIns.length,
      inbox_events: ['Add service principal', 'Consent to application', 'Add delegated permission grant'],
      archiver_creds: ['client_secret'],
    });
    expect(inboxSignIns.length).toBeGreaterThan(0);
  });
});
