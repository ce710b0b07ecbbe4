// Bad input to `shadowscan import entra`: each case ends in a clear error (exit 2, naming the file
// and what to do) or in counted rejects with file:line examples — never in silently wrong rows.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { json, REPO, runCli, tempDir } from '../helpers/cli.js';

const FIX = join(REPO, 'fixtures/entra');
const tmp = tempDir();
afterAll(tmp.cleanup);
let n = 0;
/** A fresh working directory (own data dir) per case. */
function workdir(): string {
  const d = join(tmp.dir, `case-${++n}`);
  mkdirSync(d);
  return d;
}
const write = (dir: string, name: string, content: string | Buffer) => {
  const p = join(dir, name);
  writeFileSync(p, content);
  return p;
};
type Result = { stream: string; status: string; rowsWritten: number; rejects: number; rejectExamples: string[]; error?: string };
const importEntra = (cwd: string, ...args: string[]) => runCli(['import', 'entra', ...args, '--json'], { cwd });
const esc = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('import entra: bad files', () => {
  it('truncated Graph JSON: the complete records land, the cut one is a reject with its line, and --complete is refused (partial, exit 3)', async () => {
    const cwd = workdir();
    const text = readFileSync(join(FIX, 'servicePrincipals.json'), 'utf8');
    const cutAt = text.indexOf('"Mailbox Sync Bot"');
    const file = write(cwd, 'servicePrincipals.json', text.slice(0, cutAt));
    const cutLine = text.slice(0, text.lastIndexOf('{', text.lastIndexOf('"id"', cutAt))).split('\n').length;
    const r = await importEntra(cwd, file, '--complete');
    expect(r.code, r.stderr).toBe(3);
    const [sp] = json<{ results: Result[] }>(r).results;
    expect(sp).toMatchObject({ stream: 'service_principals', status: 'partial', rowsWritten: 2, rejects: 1 });
    expect(sp!.rejectExamples).toEqual([expect.stringMatching(new RegExp(`^${esc(file)}:${cutLine}: record is cut off`))]);
    expect(sp!.error).toMatch(/not recorded as a complete snapshot: .*servicePrincipals\.json is truncated/);
    // Not complete, so the snapshot view shows nothing from it.
    const q = await runCli(['query', 'select count(*) as n from raw.entra_service_principals', '--json'], { cwd });
    expect(json<{ n: number }[]>(q)[0]!.n).toBe(0);
  });

  it('truncated between records: every record lands and the unclosed document is one reject', async () => {
    const cwd = workdir();
    const text = readFileSync(join(FIX, 'oauth2PermissionGrants.json'), 'utf8');
    const file = write(cwd, 'grants.json', text.slice(0, text.lastIndexOf(']')));
    const r = await importEntra(cwd, file);
    expect(r.code, r.stderr).toBe(0);
    const [g] = json<{ results: Result[] }>(r).results;
    expect(g).toMatchObject({ stream: 'oauth2_permission_grants', rowsWritten: 2, rejects: 1 });
    expect(g!.rejectExamples[0]).toMatch(/grants\.json:\d+: the file ends before the JSON document is closed/);
  });

  it('a truncated .gz of JSON lines keeps the lines before the cut and counts the cut', async () => {
    const cwd = workdir();
    const lines = readFileSync(join(FIX, 'signIns-overlap.jsonl'));
    const gz = gzipSync(Buffer.concat([lines, lines, lines, lines]));
    const file = write(cwd, 'signins.jsonl.gz', gz.subarray(0, gz.length - 12));
    const r = await importEntra(cwd, file);
    expect(r.code, r.stderr).toBe(0);
    const [s] = json<{ results: Result[] }>(r).results;
    expect(s!.rejectExamples.some((e) => /signins\.jsonl\.gz:\d+: read stopped: .*truncated \.gz/.test(e))).toBe(true);
    const q = await runCli(['query', 'select count(*) as n from raw.entra_sign_ins', '--json'], { cwd });
    expect(json<{ n: number }[]>(q)[0]!.n).toBe(2);
  });

  it('wrong shape: JSON that holds nothing Entra is an error naming file:line and the formats', async () => {
    const cwd = workdir();
    const file = write(cwd, 'other.json', JSON.stringify({ value: [{ hello: 'world' }, { uuid: 'x', eventType: 'user.session.start' }] }, null, 2));
    const r = await importEntra(cwd, file);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('no Entra records found in some files');
    expect(r.stderr).toMatch(new RegExp(`${esc(file)}:3: not a recognised Entra record`));
    expect(r.stderr).toContain('graph-json, powershell, azure-monitor, m365-audit, portal-csv');
  });

  it('Entra records missing what they need are counted rejects, the rest imports', async () => {
    const cwd = workdir();
    const file = write(cwd, 'mixed.jsonl', [
      JSON.stringify({ id: 'ara-1', appRoleId: 'e2a3a72e-5f79-4c64-b1b1-878b674786c9', resourceDisplayName: 'Microsoft Graph' }),
      '{"id": "broken',
      JSON.stringify({ '@odata.type': '#microsoft.graph.servicePrincipal', id: 'sp-gone', '@removed': { reason: 'deleted' } }),
      JSON.stringify({ id: 'si-1', createdDateTime: '2025-06-05T00:00:00Z', userPrincipalName: 'a@contoso.example', appId: 'x', ipAddress: '192.0.2.1' }),
      '',
    ].join('\n'));
    const r = await importEntra(cwd, file);
    expect(r.code, r.stderr).toBe(0);
    const [s] = json<{ results: Result[] }>(r).results;
    expect(s).toMatchObject({ stream: 'sign_ins', rowsWritten: 1, rejects: 3 });
    expect(s!.rejectExamples).toEqual([
      `${file}:1: app role assignment without principalId, resourceId`,
      expect.stringMatching(new RegExp(`^${esc(file)}:2: not a JSON object`)),
      `${file}:3: an object a delta page reports as removed (@removed): not part of the tenant any more`,
    ]);
  });

  it('a broken record holding a client secret is a reject whose example masks it (result and status)', async () => {
    const cwd = workdir();
    const secret = 'Q~synthetic.Secret-7f3a9c1e';
    const file = write(cwd, 'apps.jsonl', [
      `{"passwordCredentials": [{"secretText": "${secret}", "keyId": "k1", "endDateTime": "2027-01-01T00:00:00Z"}], "id": "a1", "appId": "b1"`,
      JSON.stringify({ id: 'si-1', createdDateTime: '2025-06-05T00:00:00Z', userPrincipalName: 'a@contoso.example', appId: 'x', ipAddress: '192.0.2.1' }),
      '',
    ].join('\n'));
    const r = await importEntra(cwd, file);
    expect(r.code, r.stderr).toBe(0);
    const [s] = json<{ results: Result[] }>(r).results;
    expect(s!.rejectExamples).toEqual([expect.stringMatching(new RegExp(`^${esc(file)}:1: not a JSON object: .*"secretText": "REDACTED`))]);
    const status = await runCli(['status', '--json'], { cwd });
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toContain('REDACTED');
    expect(`${r.stdout}${r.stderr}${status.stdout}`).not.toContain(secret);
  });

  it('an empty file alone is an error; next to a good file it is a counted reject', async () => {
    const cwd = workdir();
    const empty = write(cwd, 'empty.json', '');
    const alone = await importEntra(cwd, empty);
    expect(alone.code).toBe(2);
    expect(alone.stderr).toMatch(/nothing to import: .*empty\.json is empty/);
    const r = await importEntra(cwd, empty, join(FIX, 'users.json'));
    expect(r.code, r.stderr).toBe(0);
    const [u] = json<{ results: Result[] }>(r).results;
    expect(u).toMatchObject({ stream: 'users', rowsWritten: 2, rejects: 1, rejectExamples: [`${empty}: empty file, nothing to import`] });
  });

  it('an unknown file is refused before anything is written, naming the formats tried', async () => {
    const cwd = workdir();
    const csv = write(cwd, 'report.csv', 'Name,Email\nAnn,ann@contoso.example\n');
    const r = await importEntra(cwd, join(FIX, 'users.json'), csv);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${csv}: not a known Entra export (tried graph-json, powershell, azure-monitor, m365-audit, portal-csv)`);
    const q = await runCli(['query', 'select count(*) as n from raw.entra_users', '--json'], { cwd });
    expect(json<{ n: number }[]>(q)[0]!.n).toBe(0);
  });

  it('binary data is refused', async () => {
    const cwd = workdir();
    const bin = write(cwd, 'export.json', Buffer.from([0x7b, 0x00, 0x00, 0x01, 0x02, 0xff, 0x00, 0x10, 0x00, 0x00]));
    const r = await importEntra(cwd, bin);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bin}: binary data, not a text export`);
  });

  it('--format forces a reader: the wrong one says so, an unknown one lists the formats', async () => {
    const cwd = workdir();
    const users = join(FIX, 'users.json');
    const asCsv = await importEntra(cwd, users, '--format', 'portal-csv');
    expect(asCsv.code).toBe(2);
    expect(asCsv.stderr).toContain(`${users}: not an Entra admin center CSV download`);
    const asMonitor = await importEntra(cwd, users, '--format', 'azure-monitor');
    expect(asMonitor.code).toBe(2);
    expect(asMonitor.stderr).toMatch(/users\.json:\d+: not an Azure Monitor diagnostic record/);
    const bogus = await importEntra(cwd, users, '--format', 'xml');
    expect(bogus.code).toBe(2);
    expect(bogus.stderr).toContain('unknown --format "xml" for entra');
    expect(bogus.stderr).toContain('graph-json, powershell, azure-monitor, m365-audit, portal-csv');
    const forced = await importEntra(cwd, users, '--format', 'graph-json');
    expect(forced.code, forced.stderr).toBe(0);
  });

  it('a CSV row with the wrong number of cells, and an unterminated quote, are rejects with their lines', async () => {
    const cwd = workdir();
    const header = 'Date (UTC),Request ID,Username,Application ID ,IP address,Status,Sign-in error code';
    const file = write(cwd, 'signins.csv', [header, '2025-06-04T08:00:00Z,r-1,ann.lee@contoso.example,app-1,192.0.2.1,Success,0', '2025-06-04T08:01:00Z,r-2,extra,cells,here,and,more,than,header', '2025-06-04T08:02:00Z,"r-3,never closed', ''].join('\r\n'));
    const r = await importEntra(cwd, file);
    expect(r.code, r.stderr).toBe(0);
    const [s] = json<{ results: Result[] }>(r).results;
    expect(s).toMatchObject({ rowsWritten: 1, rejects: 2 });
    expect(s!.rejectExamples).toEqual([`${file}:3: 9 fields where the header has 7`, `${file}:4: the file ends inside a quoted field (truncated export?)`]);
  });
});
