// `shadowscan import entra` of the admin center's CSV downloads (synthetic fixtures in
// fixtures/entra written from the portal's column names): sign-ins by Request ID, the service
// principal tab recognised, audit rows (no id column) keyed by a content hash so a second import
// of the same download adds nothing; quoted cells with commas, quotes and newlines, and a
// formula-looking cell stored as the text it is.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { json, REPO, runCli, tempDir } from '../helpers/cli.js';

const FIX = join(REPO, 'fixtures/entra');
const INTERACTIVE = join(FIX, 'synthetic-InteractiveSignIns_2025-06-04_2025-06-05.csv');
const APPLICATION = join(FIX, 'synthetic-ApplicationSignIns_2025-06-04_2025-06-05.csv');
const AUDIT = join(FIX, 'synthetic-AuditLogs_2025-06-04.csv');

const tmp = tempDir();
afterAll(tmp.cleanup);
const cwd = join(tmp.dir, 'csv');
mkdirSync(cwd);

/** The CSV cells of a fixture by header (a minimal reader for the test's own expectations). */
function cells(file: string, row: number, column: string): string {
  const text = readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  const records: string[][] = [];
  let rec: string[] = [];
  let cell = '';
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (q) {
      if (c === '"' && text[i + 1] === '"') (cell += '"'), i++;
      else if (c === '"') q = false;
      else cell += c;
    } else if (c === '"') q = true;
    else if (c === ',') rec.push(cell), (cell = '');
    else if (c === '\n') rec.push(cell.replace(/\r$/, '')), records.push(rec), (rec = []), (cell = '');
    else cell += c;
  }
  const header = records[0]!.map((h) => h.trim());
  return records[row]![header.indexOf(column)]!;
}

async function query<T>(sql: string): Promise<T[]> {
  const r = await runCli(['query', sql, '--json'], { cwd });
  expect(r.code, r.stderr).toBe(0);
  return json<T[]>(r);
}

describe('import entra: admin center CSV downloads', () => {
  it('imports the three downloads: 3 sign-ins, 2 audit events, no rejects', async () => {
    const r = await runCli(['import', 'entra', INTERACTIVE, APPLICATION, AUDIT, '--json'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    const results = json<{ results: { stream: string; rowsWritten: number; rejects: number }[] }>(r).results;
    expect(results.map((x) => [x.stream, x.rowsWritten, x.rejects]).sort()).toEqual([['directory_audits', 2, 0], ['sign_ins', 3, 0]]);
  });

  it('maps the interactive sign-in columns (Application ID with the trailing space included)', async () => {
    const rows = await query<Record<string, unknown>>(`select id, strftime(created_date_time, '%Y-%m-%dT%H:%M:%S') as at, user_principal_name, user_display_name, app_id,
      app_display_name, ip_address, error_code, failure_reason, city, country, sign_in_event_type, user_agent from raw.entra_sign_ins where service_principal_id is null order by created_date_time`);
    expect(rows[0]).toEqual({
      id: cells(INTERACTIVE, 1, 'Request ID'), at: '2025-06-04T08:01:02', user_principal_name: 'ann.lee@contoso.example', user_display_name: 'Ann Lee',
      app_id: cells(INTERACTIVE, 1, 'Application ID'), app_display_name: 'Acme Notes AI', ip_address: '203.0.113.7', error_code: 0, failure_reason: null,
      city: 'Seattle', country: 'US', sign_in_event_type: 'interactiveUser', user_agent: cells(INTERACTIVE, 1, 'User agent'),
    });
    expect(rows[0]!.app_id).toBe('5c0ffee0-1234-4abc-8def-000000000042');
    // Quoted cell with a comma, doubled quotes and a leading '=': stored as text, exactly.
    expect(rows[1]).toMatchObject({ user_display_name: cells(INTERACTIVE, 2, 'User'), error_code: 50126, failure_reason: cells(INTERACTIVE, 2, 'Failure reason') });
    expect(rows[1]!.user_display_name).toBe('=HYPERLINK("https://evil.example","Bo, ""the"" Chen")');
    expect(rows[1]!.failure_reason).toContain('\nLine two of the reason.');
  });

  it('recognises the service principal download (ApplicationSignIns)', async () => {
    const rows = await query<Record<string, unknown>>('select id, app_id, service_principal_id, service_principal_name, sign_in_event_type, is_interactive, user_principal_name from raw.entra_sign_ins where service_principal_id is not null');
    expect(rows).toEqual([{
      id: cells(APPLICATION, 1, 'Request ID'), app_id: cells(APPLICATION, 1, 'Application ID'), service_principal_id: cells(APPLICATION, 1, 'Service principal ID'),
      service_principal_name: 'Mailbox Sync Bot', sign_in_event_type: 'servicePrincipal', is_interactive: false, user_principal_name: null,
    }]);
  });

  it('maps audit rows: actor (user or app), target, consent flags and the app id from AdditionalDetails', async () => {
    const rows = await query<Record<string, unknown>>(`select id, strftime(activity_date_time, '%Y-%m-%dT%H:%M:%S.%f') as at, activity_display_name, category, logged_by_service, result,
      initiated_by_user, initiated_by_app_name, target_id, target_app_id, is_admin_consent, on_behalf_of_all, permissions from raw.entra_directory_audits order by activity_date_time`);
    expect(rows[0]).toEqual({
      id: expect.stringMatching(/^derived:[0-9a-f]{32}$/), at: '2025-06-04T09:10:11.123456', activity_display_name: 'Consent to application', category: 'ApplicationManagement',
      logged_by_service: 'Core Directory', result: 'success', initiated_by_user: cells(AUDIT, 1, 'ActorUserPrincipalName'), initiated_by_app_name: null,
      target_id: cells(AUDIT, 1, 'Target1ObjectId'), target_app_id: cells(AUDIT, 1, 'AdditionalDetail1Value'), is_admin_consent: true, on_behalf_of_all: true,
      permissions: '[] => [[ConsentType: AllPrincipals, Scope: openid profile User.Read]]; ',
    });
    expect(rows[1]).toMatchObject({ activity_display_name: 'Add service principal credentials', initiated_by_user: null, initiated_by_app_name: 'Mailbox Sync Bot' });
  });

  it('a second import of the same downloads (the audit one gzip\'d) adds no row (sign-ins by Request ID, audits by content hash)', async () => {
    const gz = join(tmp.dir, 'AuditLogs.csv.gz');
    writeFileSync(gz, gzipSync(readFileSync(AUDIT)));
    const r = await runCli(['import', 'entra', INTERACTIVE, APPLICATION, gz, '--json'], { cwd });
    expect(r.code, r.stderr).toBe(0);
    expect(json<{ results: { stream: string; rowsWritten: number }[] }>(r).results.find((x) => x.stream === 'directory_audits')!.rowsWritten).toBe(2);
    const [c] = await query<{ s: number; a: number }>('select (select count(*) from raw.entra_sign_ins) as s, (select count(*) from raw.entra_directory_audits) as a');
    expect(c).toEqual({ s: 3, a: 2 });
  });

  it('reads a download re-saved by Excel as "CSV (Comma delimited)" in the Windows code page (not UTF-8)', async () => {
    const other = join(tmp.dir, 'cp1252');
    mkdirSync(other);
    const text = 'Date (UTC),Request ID,User,Username,Application ID ,IP address,Status,Sign-in error code\r\n2025-06-04T08:01:02Z,cp-1,Zoë Müller,zoe.muller@contoso.example,app-1,192.0.2.9,Success,0\r\n';
    const file = join(other, 'signins.csv');
    writeFileSync(file, Buffer.from(text, 'latin1')); // é/ë/ü are the same bytes in Latin-1 and Windows-1252
    const r = await runCli(['import', 'entra', file, '--json'], { cwd: other });
    expect(r.code, r.stderr).toBe(0);
    const q = await runCli(['query', 'select user_display_name, user_principal_name from raw.entra_sign_ins', '--json'], { cwd: other });
    expect(json(q)).toEqual([{ user_display_name: 'Zoë Müller', user_principal_name: 'zoe.muller@contoso.example' }]);
  });

  it('reads the same download re-saved by Excel as "Unicode Text" (UTF-16 LE with BOM, tab-separated)', async () => {
    const other = join(tmp.dir, 'excel');
    mkdirSync(other);
    const header = ['Date (UTC)', 'Request ID', 'User', 'Username', 'Application', 'Application ID', 'IP address', 'Status', 'Sign-in error code'];
    const row = ['2025-06-04T08:01:02Z', cells(INTERACTIVE, 1, 'Request ID'), 'Ann Lee', 'ann.lee@contoso.example', 'Acme Notes AI', cells(INTERACTIVE, 1, 'Application ID'), '203.0.113.7', 'Success', '0'];
    const file = join(other, 'signins.txt');
    writeFileSync(file, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(`${header.join('\t')}\r\n${row.join('\t')}\r\n`, 'utf16le')]));
    const r = await runCli(['import', 'entra', file, '--json'], { cwd: other });
    expect(r.code, r.stderr).toBe(0);
    const q = await runCli(['query', 'select id, user_principal_name, app_id, error_code from raw.entra_sign_ins', '--json'], { cwd: other });
    expect(json(q)).toEqual([{ id: row[1], user_principal_name: 'ann.lee@contoso.example', app_id: row[5], error_code: 0 }]);
  });
});
