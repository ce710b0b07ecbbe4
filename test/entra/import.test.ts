// `shadowscan import entra` of the synthetic Graph v1.0 exports in fixtures/entra: every
// collection lands in its raw stream with the values of the fixture (app id, scopes, user, time),
// credentials without their secret, an overlapping later sign-in export adds only what is new,
// and Graph PowerShell dumps (UTF-16 LE with BOM, PascalCase, AdditionalProperties, /Date(ms)/)
// read the same as REST JSON.
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { json, REPO, runCli, tempDir } from '../helpers/cli.js';

const FIX = join(REPO, 'fixtures/entra');
const fixture = <T>(name: string) => JSON.parse(readFileSync(join(FIX, name), 'utf8')) as T;
type Page = { value: Record<string, unknown>[] };
type Result = { stream: string; status: string; rowsWritten: number; rejects: number; rejectExamples: string[]; error?: string };

const tmp = tempDir();
afterAll(tmp.cleanup);

async function importEntra(cwd: string, args: string[]) {
  const r = await runCli(['import', 'entra', ...args, '--json'], { cwd });
  return { ...r, results: r.code === 0 || r.code === 3 ? json<{ results: Result[] }>(r).results : [] };
}

async function query<T>(cwd: string, sql: string): Promise<T[]> {
  const r = await runCli(['query', sql, '--json'], { cwd });
  expect(r.code, r.stderr).toBe(0);
  return json<T[]>(r);
}

const byStream = (results: Result[]) => Object.fromEntries(results.map((r) => [r.stream, r]));

describe('import entra: Graph JSON exports', () => {
  const cwd = join(tmp.dir, 'graph');
  const sps = fixture<Page>('servicePrincipals.json').value;
  const grants = fixture<Page>('oauth2PermissionGrants.json').value;
  const assignment = fixture<Page>('appRoleAssignedTo.json').value[0]!;
  const app = fixture<Page>('applications.json').value[0]!;
  const audit = fixture<Page>('directoryAudits.json').value[0]!;
  const signIns = fixture<Page>('signIns.json').value;

  it('routes each collection to its stream, snapshot complete with --complete', async () => {
    mkdirSync(cwd);
    const files = ['servicePrincipals.json', 'oauth2PermissionGrants.json', 'appRoleAssignedTo.json', 'applications.json', 'directoryAudits.json', 'signIns.json', 'users.json'];
    const r = await importEntra(cwd, [...files.map((f) => join(FIX, f)), '--complete']);
    expect(r.code, r.stderr).toBe(0);
    const s = byStream(r.results);
    expect(Object.fromEntries(Object.entries(s).map(([k, v]) => [k, [v.status, v.rowsWritten, v.rejects]]))).toEqual({
      service_principals: ['ok', 3, 0],
      oauth2_permission_grants: ['ok', 2, 0],
      app_role_assignments: ['ok', 1, 0],
      applications: ['ok', 1, 0],
      app_credentials: ['ok', 2, 0],
      directory_audits: ['ok', 1, 0],
      sign_ins: ['ok', 2, 0],
      users: ['ok', 2, 0],
    });
  });

  it('keeps the app ids, owner tenant and publisher of the service principals', async () => {
    const rows = await query<{ id: string; app_id: string; display_name: string; app_owner_organization_id: string; publisher_name: string | null }>(
      cwd, 'select id, app_id, display_name, app_owner_organization_id, publisher_name from raw.entra_service_principals order by display_name');
    const notes = sps.find((x) => x.displayName === 'Acme Notes AI')!;
    expect(rows.map((x) => x.display_name)).toEqual(['Acme Notes AI', 'Mailbox Sync Bot', 'Microsoft Graph']);
    expect(rows[0]).toEqual({ id: notes.id, app_id: notes.appId, display_name: 'Acme Notes AI', app_owner_organization_id: notes.appOwnerOrganizationId, publisher_name: 'Acme Notes Ltd' });
  });

  it('splits delegated scopes (stray spaces, duplicates) and keeps object ids and consent type', async () => {
    const rows = await query<{ id: string; client_id: string; consent_type: string; principal_id: string | null; resource_id: string; scopes: string[] }>(
      cwd, 'select id, client_id, consent_type, principal_id, resource_id, scopes from raw.entra_oauth2_permission_grants order by consent_type desc');
    expect(grants[0]!.scope).toBe(' Mail.ReadWrite  offline_access User.Read Mail.ReadWrite ');
    expect(rows).toEqual([
      { id: grants[0]!.id, client_id: grants[0]!.clientId, consent_type: 'Principal', principal_id: grants[0]!.principalId, resource_id: grants[0]!.resourceId, scopes: ['Mail.ReadWrite', 'offline_access', 'User.Read'] },
      { id: grants[1]!.id, client_id: grants[1]!.clientId, consent_type: 'AllPrincipals', principal_id: null, resource_id: grants[1]!.resourceId, scopes: ['openid', 'profile', 'User.Read'] },
    ]);
  });

  it('reads appRoleAssignedTo pages (the collection named by @odata.context) as app role assignments', async () => {
    const rows = await query<Record<string, string>>(cwd, "select id, app_role_id, principal_id, principal_type, resource_id, strftime(created, '%Y-%m-%dT%H:%M:%S.%f') as created from raw.entra_app_role_assignments");
    expect(rows).toEqual([{
      id: assignment.id, app_role_id: assignment.appRoleId, principal_id: assignment.principalId, principal_type: 'ServicePrincipal',
      resource_id: assignment.resourceId, created: '2025-05-02T10:11:12.123456',
    }]);
  });

  it('lands application credentials with their dates, never secretText or the key', async () => {
    const rows = await query<{ kind: string; key_id: string; end: string; app_id: string }>(
      cwd, "select kind, key_id, strftime(end_date_time, '%Y-%m-%d') as end, app_id from raw.entra_app_credentials order by kind");
    expect(rows).toEqual([
      { kind: 'certificate', key_id: 'c5ec0002-0000-4000-8000-00000000c002', end: '2026-04-30', app_id: app.appId },
      { kind: 'password', key_id: 'c5ec0001-0000-4000-8000-00000000c001', end: '2027-04-30', app_id: app.appId },
    ]);
    const secret = (app.passwordCredentials as { secretText: string }[])[0]!.secretText;
    const key = (app.keyCredentials as { key: string }[])[0]!.key;
    const text = await everythingInLake(join(cwd, '.shadowscan/lake'));
    expect(text).toContain(app.appId as string); // the decoding works…
    expect(text).not.toContain(secret); // …and the secret is not there
    expect(text).not.toContain(key);
    expect(text).not.toContain('Xy7q');
  });

  it('reads the consent audit event: actor, target app id, admin flags, permissions', async () => {
    const [row] = await query<Record<string, unknown>>(cwd, `select id, strftime(activity_date_time, '%Y-%m-%dT%H:%M:%S.%f') as at, activity_display_name, initiated_by_user,
      target_id, target_app_id, is_admin_consent, on_behalf_of_all, permissions from raw.entra_directory_audits`);
    expect(row).toEqual({
      id: audit.id, at: '2025-06-02T09:15:30.123456', activity_display_name: 'Consent to application', initiated_by_user: 'ann.lee@contoso.example',
      target_id: sps[1]!.id, target_app_id: sps[1]!.appId, is_admin_consent: false, on_behalf_of_all: false,
      permissions: expect.stringContaining('Scope:  Mail.ReadWrite offline_access User.Read'),
    });
  });

  it('adds only the new sign-in from an overlapping later export (.gz JSON lines): events dedupe on id', async () => {
    const gz = join(tmp.dir, 'signIns-overlap.jsonl.gz');
    writeFileSync(gz, gzipSync(readFileSync(join(FIX, 'signIns-overlap.jsonl'))));
    const r = await importEntra(cwd, [gz]);
    expect(r.code, r.stderr).toBe(0);
    expect(byStream(r.results).sign_ins).toMatchObject({ rowsWritten: 2, rejects: 0 });
    const rows = await query<{ id: string; user_principal_name: string; app_id: string; at: string; error_code: number; event_type: string }>(
      cwd, "select id, user_principal_name, app_id, strftime(created_date_time, '%Y-%m-%dT%H:%M:%S.%f') as at, error_code, sign_in_event_type as event_type from raw.entra_sign_ins order by created_date_time");
    expect(rows.map((x) => x.id)).toEqual([signIns[1]!.id, signIns[0]!.id, '66e1a7c2-0003-4000-8000-000000005103']);
    expect(rows[0]).toEqual({ id: signIns[1]!.id, user_principal_name: 'ann.lee@contoso.example', app_id: signIns[1]!.appId, at: '2025-06-02T09:14:55.555123', error_code: 0, event_type: 'interactiveUser' });
    expect(rows[1]).toMatchObject({ user_principal_name: 'bo.chen@contoso.example', error_code: 50126 });
    expect(rows[2]).toMatchObject({ event_type: 'nonInteractiveUser' });
  });
});

describe('import entra: credentials are identified by owner and key id, not key id alone', () => {
  // Synthetic: a keyId is unique only within its owner's credential list (ScubaGear's mocks reuse
  // them across owners, and across one owner's password and key credentials), so every row stays.
  it('keeps two owners sharing a key id, and one owner\'s password and certificate sharing one', async () => {
    const cwd = join(tmp.dir, 'shared-key-id');
    mkdirSync(cwd);
    const keyId = 'c5ec0000-0000-4000-8000-0000000000aa';
    const cred = (end: string) => ({ keyId, displayName: 'ci', endDateTime: `${end}T00:00:00Z`, startDateTime: '2025-01-01T00:00:00Z' });
    const app = (n: number, extra: Record<string, unknown>) => ({ id: `a0000000-0000-4000-8000-00000000000${n}`, appId: `b0000000-0000-4000-8000-00000000000${n}`, displayName: `App ${n}`, ...extra });
    const file = join(cwd, 'applications.json');
    writeFileSync(file, JSON.stringify({
      '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#applications',
      value: [
        app(1, { passwordCredentials: [cred('2027-01-01')] }),
        app(2, { passwordCredentials: [cred('2028-01-01')], keyCredentials: [{ ...cred('2029-01-01'), type: 'AsymmetricX509Cert', usage: 'Verify' }] }),
      ],
    }));
    const r = await importEntra(cwd, [file, '--complete']);
    expect(r.code, r.stderr).toBe(0);
    expect(byStream(r.results).app_credentials!.rowsWritten).toBe(3);
    const expected = [
      { app_id: 'b0000000-0000-4000-8000-000000000001', kind: 'client_secret', expires: '2027-01-01' },
      { app_id: 'b0000000-0000-4000-8000-000000000002', kind: 'client_secret', expires: '2028-01-01' },
      { app_id: 'b0000000-0000-4000-8000-000000000002', kind: 'certificate', expires: '2029-01-01' },
    ];
    expect(await query(cwd, "select app_id, kind, strftime(expires_at, '%Y-%m-%d') as expires from norm.app_credentials order by expires")).toEqual(expected);
    expect(await query(cwd, `select count(distinct owner_id) as owners, count(*) as n from raw.entra_app_credentials where key_id = '${keyId}'`)).toEqual([{ owners: 2, n: 3 }]);
  });
});

describe('import entra: a single Graph object (GET …/{id})', () => {
  it('takes its collection from its own @odata.context even when its fields alone would not tell', async () => {
    const cwd = join(tmp.dir, 'entity');
    mkdirSync(cwd);
    const file = join(cwd, 'sp.json');
    writeFileSync(file, JSON.stringify({ '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#servicePrincipals/$entity', id: 'e0000001-0000-4000-8000-000000000001', appId: 'e0000002-0000-4000-8000-000000000002', displayName: 'Bare SP' }, null, 2));
    const r = await importEntra(cwd, [file, '--complete']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.results.map((x) => [x.stream, x.rowsWritten])).toEqual([['service_principals', 1]]);
    expect(await query(cwd, 'select app_id, display_name from raw.entra_service_principals')).toEqual([{ app_id: 'e0000002-0000-4000-8000-000000000002', display_name: 'Bare SP' }]);
  });
});

describe('import entra: Log Analytics rows (SigninLogs / AuditLogs tables, as Sentinel exports them)', () => {
  it('reads PascalCase columns, dynamic columns held as JSON text, and ResultType', async () => {
    const cwd = join(tmp.dir, 'la');
    mkdirSync(cwd);
    const signIn = {
      TenantId: 't', TimeGenerated: '2025-06-05T10:00:00.123Z', Type: 'SigninLogs', Category: 'SignInLogs', Id: 'la-signin-1', CreatedDateTime: '2025-06-05T09:59:58.1234567Z',
      UserPrincipalName: 'Ann.Lee@contoso.example', AppId: '5c0ffee0-1234-4abc-8def-000000000042', AppDisplayName: 'Acme Notes AI', IPAddress: '203.0.113.7',
      ResultType: '50126', ResultDescription: 'Invalid username or password', Location: 'US', LocationDetails: '{"city":"Seattle","countryOrRegion":"US"}', IsInteractive: true,
    };
    const audit = {
      TenantId: 't', TimeGenerated: '2025-06-05T10:01:00Z', Type: 'AuditLogs', Category: 'ApplicationManagement', Id: 'la-audit-1', ActivityDateTime: '2025-06-05T10:00:59.5Z',
      ActivityDisplayName: 'Consent to application', Result: 'success', LoggedByService: 'Core Directory',
      InitiatedBy: '{"user":{"userPrincipalName":"bo.chen@contoso.example","ipAddress":"198.51.100.4"}}',
      TargetResources: '[{"id":"9a1f0c11-0000-4000-8000-00000000a002","type":"ServicePrincipal","displayName":"Acme Notes AI","modifiedProperties":[{"displayName":"ConsentContext.IsAdminConsent","oldValue":null,"newValue":"\\"True\\""}]}]',
      AdditionalDetails: '[{"key":"AppId","value":"5c0ffee0-1234-4abc-8def-000000000042"}]',
    };
    const file = join(cwd, 'sentinel-export.jsonl');
    writeFileSync(file, `${JSON.stringify(signIn)}\n${JSON.stringify(audit)}\n`);
    const r = await importEntra(cwd, [file]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.results.map((x) => [x.stream, x.rowsWritten, x.rejects]).sort()).toEqual([['directory_audits', 1, 0], ['sign_ins', 1, 0]]);
    expect(await query(cwd, "select id, user_principal_name, app_id, ip_address, error_code, failure_reason, strftime(created_date_time, '%H:%M:%S.%f') as at from raw.entra_sign_ins")).toEqual([
      { id: 'la-signin-1', user_principal_name: 'ann.lee@contoso.example', app_id: signIn.AppId, ip_address: '203.0.113.7', error_code: 50126, failure_reason: 'Invalid username or password', at: '09:59:58.123456' },
    ]);
    expect(await query(cwd, 'select id, initiated_by_user, target_id, target_app_id, is_admin_consent from raw.entra_directory_audits')).toEqual([
      { id: 'la-audit-1', initiated_by_user: 'bo.chen@contoso.example', target_id: '9a1f0c11-0000-4000-8000-00000000a002', target_app_id: signIn.AppId, is_admin_consent: true },
    ]);
  });
});

describe('import entra: Azure Monitor Event Hub batches', () => {
  it('reads {"records": […]} batches, one per line or as one document, each record routed by its category', async () => {
    const cwd = join(tmp.dir, 'eventhub');
    mkdirSync(cwd);
    const diag = (category: string, properties: Record<string, unknown>) => ({ time: '2025-06-06T07:00:00.0000000Z', category, operationName: 'Sign-in activity', resultType: '0', callerIpAddress: '192.0.2.7', properties });
    const batch1 = { records: [diag('ServicePrincipalSignInLogs', { id: 'eh-1', appId: 'a1', servicePrincipalId: 'sp1', servicePrincipalName: 'Nightly ETL' }), diag('ManagedIdentitySignInLogs', { id: 'eh-2', appId: 'a2' })] };
    const batch2 = { records: [{ time: '2025-06-06T07:05:00Z', category: 'AuditLogs', operationName: 'Add service principal', properties: { id: 'eh-3', activityDisplayName: 'Add service principal', category: 'ApplicationManagement', initiatedBy: { user: { userPrincipalName: 'ann.lee@contoso.example' } }, targetResources: [{ id: 'sp9', type: 'ServicePrincipal', displayName: 'New App' }] } }] };
    const lines = join(cwd, 'eventhub.jsonl');
    writeFileSync(lines, `${JSON.stringify(batch1)}\n${JSON.stringify(batch2)}\n`);
    const doc = join(cwd, 'eventhub-capture.json');
    writeFileSync(doc, JSON.stringify(batch1, null, 2));
    const r = await importEntra(cwd, [lines, doc]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.results.map((x) => [x.stream, x.rowsWritten, x.rejects]).sort()).toEqual([['directory_audits', 1, 0], ['sign_ins', 4, 0]]);
    expect(await query(cwd, "select id, sign_in_event_type, service_principal_name, ip_address, error_code, strftime(created_date_time, '%H:%M') as at from raw.entra_sign_ins order by id")).toEqual([
      { id: 'eh-1', sign_in_event_type: 'servicePrincipal', service_principal_name: 'Nightly ETL', ip_address: '192.0.2.7', error_code: 0, at: '07:00' },
      { id: 'eh-2', sign_in_event_type: 'managedIdentity', service_principal_name: null, ip_address: '192.0.2.7', error_code: 0, at: '07:00' },
    ]);
    expect(await query(cwd, "select id, activity_display_name, initiated_by_user, target_display_name, strftime(activity_date_time, '%H:%M') as at from raw.entra_directory_audits")).toEqual([
      { id: 'eh-3', activity_display_name: 'Add service principal', initiated_by_user: 'ann.lee@contoso.example', target_display_name: 'New App', at: '07:05' },
    ]);
  });
});

describe('import entra: Graph PowerShell dumps', () => {
  const cwd = join(tmp.dir, 'ps');
  // ConvertTo-Json of Get-MgServicePrincipal objects: PascalCase, AdditionalProperties, /Date(ms)/ (PowerShell writes "\/Date(…)\/").
  const dump = `[\r\n  {\r\n    "Id":  "9A1F0C11-0000-4000-8000-00000000D001",\r\n    "AppId":  "D0C5A11E-0000-4000-8000-0000000000D1",\r\n    "DisplayName":  "Ops Runbook (PowerShell)",\r\n    "ServicePrincipalType":  "Application",\r\n    "AppOwnerOrganizationId":  "c0ffee00-0000-4000-8000-00000000c0de",\r\n    "PasswordCredentials":  [ { "KeyId": "d0c5a11e-0000-4000-8000-00000000e001", "DisplayName": "runbook", "StartDateTime": "\\/Date(1733343742000)\\/", "EndDateTime": "\\/Date(4102444800000)\\/", "SecretText": null } ],\r\n    "KeyCredentials":  null,\r\n    "AdditionalProperties":  { "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals/$entity", "publisherName": "Contoso IT", "AppId": "not-this-one" }\r\n  }\r\n]\r\n`;

  it('decodes UTF-16 LE with BOM, reads PascalCase keys, merges AdditionalProperties and converts /Date(ms)/', async () => {
    mkdirSync(cwd);
    const file = join(cwd, 'Get-MgServicePrincipal.json');
    writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(dump, 'utf16le')]));
    const r = await importEntra(cwd, [file, '--complete']);
    expect(r.code, r.stderr).toBe(0);
    expect(byStream(r.results).service_principals).toMatchObject({ rowsWritten: 1, rejects: 0 });
    const [sp] = await query<Record<string, string>>(cwd, 'select id, app_id, display_name, publisher_name, app_owner_organization_id from raw.entra_service_principals');
    expect(sp).toEqual({ id: '9a1f0c11-0000-4000-8000-00000000d001', app_id: 'd0c5a11e-0000-4000-8000-0000000000d1', display_name: 'Ops Runbook (PowerShell)', publisher_name: 'Contoso IT', app_owner_organization_id: 'c0ffee00-0000-4000-8000-00000000c0de' });
    const [cred] = await query<Record<string, string>>(cwd, "select key_id, strftime(start_date_time, '%Y-%m-%dT%H:%M:%S') as s, strftime(end_date_time, '%Y-%m-%d') as e from raw.entra_app_credentials");
    expect(cred).toEqual({ key_id: 'd0c5a11e-0000-4000-8000-00000000e001', s: '2024-12-04T20:22:22', e: '2100-01-01' });
  });

  it('reads BOM-less UTF-16 BE JSON lines as well', async () => {
    const line = JSON.stringify({ id: 'be16-0001', createdDateTime: '2025-06-05T01:02:03Z', userPrincipalName: 'ann.lee@contoso.example', appId: 'd0c5a11e-0000-4000-8000-0000000000d1', ipAddress: '203.0.113.9', status: { errorCode: 0 } });
    const le = Buffer.from(`${line}\n`, 'utf16le');
    const be = Buffer.alloc(le.length);
    for (let i = 0; i < le.length; i += 2) {
      be[i] = le[i + 1]!;
      be[i + 1] = le[i]!;
    }
    const file = join(cwd, 'signins-utf16be.jsonl');
    writeFileSync(file, be);
    const r = await importEntra(cwd, [file]);
    expect(r.code, r.stderr).toBe(0);
    const rows = await query<Record<string, string>>(cwd, "select id, user_principal_name, ip_address from raw.entra_sign_ins");
    expect(rows).toEqual([{ id: 'be16-0001', user_principal_name: 'ann.lee@contoso.example', ip_address: '203.0.113.9' }]);
  });
});

/** Every value of every Parquet file under `lake`, as text (DuckDB decodes; a byte grep of zstd pages would prove nothing). */
async function everythingInLake(lake: string): Promise<string> {
  const files: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith('.parquet')) files.push(join(d, e.name));
    }
  };
  walk(lake);
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  let out = '';
  for (const f of files) {
    const rows = (await conn.runAndReadAll(`select to_json(t)::varchar as j from read_parquet('${f.replace(/'/g, "''")}') t`)).getRowObjectsJS();
    out += rows.map((r) => String(r.j)).join('\n');
  }
  conn.closeSync();
  db.closeSync();
  return out;
}
