// Corpus suite: the real public Entra samples in ../shared/corpus/entra import, and values read
// from the sample lines themselves (app id, user, time, IP, status) land in the raw streams:
// Azure Monitor diagnostic sign-in/audit records (Panther fixtures: some keys lowercased, some
// records without properties.id or createdDateTime), Office 365 AzureActiveDirectory audit records,
// and ScubaGear's Graph PowerShell mocks (UTF-16 LE with BOM, PascalCase, /Date(ms)/).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { json, REPO, runCli, tempDir } from '../helpers/cli.js';

const CORPUS = resolve(process.env.SHADOWSCAN_CORPUS ?? join(REPO, '../shared/corpus'));
const MONITOR = join(CORPUS, 'entra/panther_azure_audit_signin_audit.jsonl');
const M365 = join(CORPUS, 'entra/panther_m365_audit_aad.jsonl');
const SCUBA_SP = join(CORPUS, 'entra/scubagear_MockServicePrincipals.json');
const SCUBA_APPS = join(CORPUS, 'entra/scubagear_MockApplications.json');
const SCUBA_ARA = join(CORPUS, 'entra/scubagear_MockServicePrincipalAppRoleAssignments.json');

type Obj = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const jsonl = (file: string): Obj[] => readFileSync(file, 'utf8').split('\n').filter((l) => l.trim()).map((l) => JSON.parse(l) as Obj);
const utf16 = (file: string): Obj[] => {
  const b = readFileSync(file);
  expect([b[0], b[1]]).toEqual([0xff, 0xfe]); // the encoding this suite is about
  return JSON.parse(b.subarray(2).toString('utf16le')) as Obj[];
};
/** Case-insensitive top-level field (Panther lowercases some envelopes). */
const get = (o: Obj, k: string) => o[Object.keys(o).find((x) => x.toLowerCase() === k.toLowerCase())!];
/** '2023-07-26 22:58:30.983201900' / '…T…Z' → 'YYYY-MM-DDTHH:MM:SS.ffffff' (UTC, microseconds). */
const micros = (t: string) => {
  const m = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:\.(\d+))?/.exec(t)!;
  return `${m[1]}T${m[2]}.${(m[3] ?? '').slice(0, 6).padEnd(6, '0')}`;
};

const tmp = tempDir();
afterAll(tmp.cleanup);
const dataDir = join(tmp.dir, 'data');
const cli = (args: string[]) => runCli([...args, '--data-dir', dataDir], { cwd: tmp.dir });
async function q<T>(sql: string, extra: string[] = []): Promise<T[]> {
  const r = await cli(['query', sql, '--json', ...extra]);
  expect(r.code, r.stderr).toBe(0);
  return json<T[]>(r);
}
type Result = { stream: string; rowsWritten: number; rejects: number; rejectExamples: string[] };

describe('entra corpus: Azure Monitor diagnostic sign-in and audit logs', () => {
  const lines = jsonl(MONITOR);
  const signInLines = lines.filter((l) => /signinlogs$/i.test(get(l, 'category')));
  const auditLines = lines.filter((l) => !/signinlogs$/i.test(get(l, 'category')));

  it(`imports all ${lines.length} records with no rejects`, async () => {
    const r = await cli(['import', 'entra', MONITOR, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const results = json<{ results: Result[] }>(r).results;
    expect(results.map((x) => [x.stream, x.rowsWritten, x.rejects]).sort()).toEqual([
      ['directory_audits', auditLines.length, 0],
      ['sign_ins', signInLines.length, 0],
    ]);
  });

  it('a service principal sign-in (lowercased envelope): id, app id, SP name, error code, time, IP', async () => {
    const line = lines.find((l) => get(l, 'category') === 'ServicePrincipalSignInLogs')!;
    const p = line.properties;
    const rows = await q<Obj>(`select id, app_id, service_principal_id, service_principal_name, error_code, ip_address, sign_in_event_type, is_interactive,
      strftime(created_date_time, '%Y-%m-%dT%H:%M:%S.%f') as at from raw.entra_sign_ins where id = '${p.id}'`);
    expect(rows).toEqual([{
      id: p.id, app_id: p.appId, service_principal_id: p.servicePrincipalId, service_principal_name: p.servicePrincipalName, error_code: p.status.errorCode,
      ip_address: p.ipAddress, sign_in_event_type: 'servicePrincipal', is_interactive: false, at: micros(p.createdDateTime),
    }]);
  });

  it('an interactive sign-in without properties.createdDateTime or id: time from the envelope, status from resultType', async () => {
    const line = signInLines.find((l) => l.properties.appId === '29d9ed98-a469-4536-ade2-f981bc1d605e')!;
    expect(line.properties.createdDateTime).toBeUndefined();
    const p = line.properties;
    const rows = await q<Obj>(`select user_principal_name, app_id, app_display_name, ip_address, error_code, sign_in_event_type, user_agent,
      strftime(created_date_time, '%Y-%m-%dT%H:%M:%S.%f') as at, id like 'derived:%' as derived from raw.entra_sign_ins where app_id = '${p.appId}'`);
    expect(rows).toEqual([{
      user_principal_name: p.userPrincipalName, app_id: p.appId, app_display_name: p.appDisplayName, ip_address: p.ipAddress, error_code: Number(line.resultType),
      sign_in_event_type: 'interactiveUser', user_agent: p.userAgent, at: micros(line.time), derived: true,
    }]);
  });

  it('a non-interactive sign-in keeps its type; duplicate records collapse to one per id', async () => {
    const line = lines.find((l) => get(l, 'category') === 'NonInteractiveUserSignInLogs' && l.properties.appId === 'app-noninteractive-test-999')!;
    const rows = await q<Obj>(`select user_principal_name, sign_in_event_type from raw.entra_sign_ins where app_id = '${line.properties.appId}'`);
    expect(rows).toEqual([{ user_principal_name: line.properties.userPrincipalName, sign_in_event_type: 'nonInteractiveUser' }]);
    const spId = lines.find((l) => get(l, 'category') === 'ServicePrincipalSignInLogs')!.properties.id;
    expect(lines.filter((l) => l.properties.id === spId).length).toBeGreaterThan(1);
    expect((await q<{ n: number }>(`select count(*) as n from raw.entra_sign_ins where id = '${spId}'`))[0]!.n).toBe(1);
  });

  it('an ApplicationManagement audit ("Add service principal credentials"): actor, target, time', async () => {
    const line = auditLines.find((l) => l.properties.activityDisplayName === 'Add service principal credentials')!;
    const p = line.properties;
    const rows = await q<Obj>(`select activity_display_name, category, initiated_by_user, initiated_by_ip, target_id, target_type, target_display_name, result,
      strftime(activity_date_time, '%Y-%m-%dT%H:%M:%S.%f') as at from raw.entra_directory_audits where activity_display_name = '${p.activityDisplayName}'`);
    expect(rows).toEqual([{
      activity_display_name: p.activityDisplayName, category: line.category, initiated_by_user: p.initiatedBy.user.userPrincipalName, initiated_by_ip: p.initiatedBy.user.ipAddress,
      target_id: p.targetResources[0].id, target_type: 'ServicePrincipal', target_display_name: p.targetResources[0].displayName, result: 'success', at: micros(p.activityDateTime),
    }]);
  });
});

describe('entra corpus: Office 365 audit records of the AzureActiveDirectory workload', () => {
  const lines = jsonl(M365);
  const failed = lines.find((l) => l.Operation === 'UserLoginFailed')!;

  it('imports the sign-ins and directory changes (records repeat ids; the first one is kept)', async () => {
    const r = await cli(['import', 'entra', M365, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const results = json<{ results: Result[] }>(r).results;
    expect(results.every((x) => x.rejects === 0)).toBe(true);
    expect(results.reduce((n, x) => n + x.rowsWritten, 0)).toBe(lines.length);
  });

  it('UserLoginFailed becomes a failed sign-in with user, app, IP, time, reason and user agent', async () => {
    const rows = await q<Obj>(`select user_principal_name, app_id, ip_address, error_code, failure_reason, user_agent, strftime(created_date_time, '%Y-%m-%d %H:%M:%S') as at
      from raw.entra_sign_ins where id = '${failed.Id}'`);
    expect(rows).toEqual([{
      user_principal_name: failed.UserId, app_id: failed.ApplicationId, ip_address: failed.ClientIP, error_code: null, failure_reason: failed.LogonError,
      user_agent: failed.ExtendedProperties.find((p: Obj) => p.Name === 'UserAgent').Value, at: failed.CreationTime,
    }]);
  });

  it('"Update user." becomes a directory audit with its modified properties', async () => {
    const upd = lines.find((l) => l.Operation === 'Update user.')!;
    const rows = await q<Obj>(`select activity_display_name, result, target_display_name, target_resources from raw.entra_directory_audits where id = '${upd.Id}'`);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ activity_display_name: 'Update user', result: 'success', target_display_name: upd.ObjectId });
    expect(rows[0]!.target_resources).toContain(upd.ModifiedProperties[0].Name);
  });
});

describe('entra corpus: values reach the norm views', () => {
  const monitor = jsonl(MONITOR);
  const m365 = jsonl(M365);

  it('norm.signins: the device-code sign-in (Azure Monitor) and the failed Office 365 logon, with user, app, time, IP, result', async () => {
    const dc = monitor.find((l) => l.properties.authenticationProtocol === 'deviceCode')!;
    const failed = m365.find((l) => l.Operation === 'UserLoginFailed')!;
    const rows = await q<Obj>(`select "user", app_id, strftime(ts, '%Y-%m-%d %H:%M:%S.%g') as ts, ip, result from norm.signins
      where provider = 'entra' and (app_id = '${dc.properties.appId}' or event_id = '${failed.Id}') order by ts`, ['--window-days', '100000']);
    expect(rows).toEqual([
      { user: failed.UserId, app_id: failed.ApplicationId, ts: `${failed.CreationTime}.000`, ip: failed.ClientIP, result: 'FAILURE' },
      { user: dc.properties.userPrincipalName, app_id: dc.properties.appId, ts: dc.time, ip: dc.properties.ipAddress, result: 'SUCCESS' },
    ]);
  });

  it('norm.admin_events: the ApplicationManagement audits with actor and target', async () => {
    const adds = monitor.filter((l) => get(l, 'category') === 'ApplicationManagement');
    const rows = await q<Obj>(`select actor, action, target from norm.admin_events where provider = 'entra' and action like 'Add service principal%' order by ts`, ['--window-days', '100000']);
    expect(rows).toEqual(adds.map((l) => ({ actor: l.properties.initiatedBy.user.userPrincipalName, action: l.properties.activityDisplayName, target: l.properties.targetResources[0].displayName })));
  });
});

describe('entra corpus: ScubaGear Graph PowerShell mocks (UTF-16 LE with BOM)', () => {
  const sps = utf16(SCUBA_SP);
  const apps = utf16(SCUBA_APPS);
  const assignments = utf16(SCUBA_ARA);
  let results: Result[];

  it('imports service principals and applications; the assignment mocks (no principal, resource or id) are counted rejects', async () => {
    const r = await cli(['import', 'entra', SCUBA_SP, SCUBA_APPS, SCUBA_ARA, '--complete', '--json']);
    expect(r.code, r.stderr).toBe(0);
    results = json<{ results: Result[] }>(r).results;
    const s = Object.fromEntries(results.map((x) => [x.stream, x]));
    expect(s.service_principals!.rowsWritten).toBe(sps.length);
    expect(s.applications!.rowsWritten).toBe(apps.length);
    // Every password and key credential of the mocks is its own row: 8 on service principals, 5
    // on applications. Their keyIds repeat (…0010 on five service principals, twice on one of
    // them as password and certificate), so a key on key_id alone would keep only 4 of the 13.
    const credentials = [...sps, ...apps].reduce((n: number, o: Obj) => n + (o.PasswordCredentials?.length ?? 0) + (o.KeyCredentials?.length ?? 0), 0);
    expect(credentials).toBe(13);
    expect(s.app_credentials!.rowsWritten).toBe(13);
    expect(await q(`select count(*)::int as n, count(distinct key_id)::int as key_ids from raw.entra_app_credentials`)).toEqual([{ n: 13, key_ids: 4 }]);
    expect(await q(`select count(*)::int as n from norm.app_credentials where provider = 'entra'`)).toEqual([{ n: 13 }]);
    expect(results.reduce((n, x) => n + x.rejects, 0)).toBe(assignments.length);
    expect(results.flatMap((x) => x.rejectExamples)[0]).toMatch(/scubagear_MockServicePrincipalAppRoleAssignments\.json:2: app role assignment without id, principalId, resourceId/);
  });

  it('service principals keep AppId and AppOwnerOrganizationId; /Date(ms)/ credential dates become timestamps', async () => {
    const sp = sps[0]!;
    const rows = await q<Obj>(`select id, app_id, display_name, app_owner_organization_id from raw.entra_service_principals where app_id = '${sp.AppId}'`);
    expect(rows).toEqual([{ id: sp.Id, app_id: sp.AppId, display_name: sp.DisplayName, app_owner_organization_id: sp.AppOwnerOrganizationId }]);
    const cred = sp.PasswordCredentials[0];
    const ms = Number(/Date\((\d+)\)/.exec(cred.EndDateTime)![1]);
    const [c] = await q<Obj>(`select strftime(end_date_time, '%Y-%m-%dT%H:%M:%S') as e from raw.entra_app_credentials
      where owner_type = 'service_principal' and app_id = '${sp.AppId}' and kind = 'password'`);
    expect(c!.e).toBe(new Date(ms).toISOString().slice(0, 19));
  });

  it('applications keep requiredResourceAccess (resource appId, permission id, Role)', async () => {
    const app = apps[0]!;
    const [row] = await q<{ access: Obj[]; aud: string }>(`select required_resource_access as access, sign_in_audience as aud from raw.entra_applications where app_id = '${app.AppId}'`);
    const expected = app.RequiredResourceAccess.flatMap((r: Obj) => r.ResourceAccess.map((a: Obj) => ({ resource_app_id: r.ResourceAppId, id: a.Id, type: a.Type })));
    expect(row!.access).toEqual(expected);
    expect(row!.aud).toBe(app.SignInAudience);
  });
});
