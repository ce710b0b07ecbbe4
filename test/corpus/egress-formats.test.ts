// Corpus suite: the real public Zeek, PAN-OS, Route 53 and Umbrella samples in ../shared/corpus
// import through the one egress pipeline with their expected values (host, user, bytes, time in
// UTC). Run by `npm run test:corpus`, never by `npm test`.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { json, REPO, runCli, tempDir } from '../helpers/cli.js';

const CORPUS = resolve(process.env.SHADOWSCAN_CORPUS ?? join(REPO, '../shared/corpus'));

interface Row {
  hour: string; first_ts: string; last_ts: string; user: string | null; src_ip: string | null; host: string | null; domain: string | null;
  method: string | null; status_class: string | null; requests: number; bytes_in: number | null; bytes_out: number | null; source: string;
}
interface Result { linesRead: number; rowsWritten: number; rejects: number; rejectExamples: string[]; status: string }

const tmp = tempDir();
afterAll(tmp.cleanup);
let n = 0;

async function importFiles(type: string, files: string[], extra: string[] = [], cwd = tmp.dir): Promise<{ dataDir: string; result: Result }> {
  const dataDir = join(tmp.dir, `d${++n}`);
  const r = await runCli(['import', type, ...files, '--json', '--data-dir', dataDir, ...extra], { cwd });
  expect(r.code, r.stderr + r.stdout).toBe(0);
  return { dataDir, result: json<{ results: Result[] }>(r).results[0]! };
}

async function rows(dataDir: string, where = 'true'): Promise<Row[]> {
  const r = await runCli(['query', `select * from norm.egress where ${where} order by first_ts, host`, '--json', '--data-dir', dataDir], { cwd: tmp.dir });
  expect(r.code, r.stderr).toBe(0);
  return json<Row[]>(r);
}

const sum = (rs: Row[]) => rs.reduce((s, r) => s + r.requests, 0);

describe('zeek corpus', () => {
  const dir = join(CORPUS, 'zeek');

  it('conn.log (TSV, real timestamps): 92 connections, destination address as host, no user, bytes per direction', async () => {
    const { dataDir, result } = await importFiles('zeek', [join(dir, 'lnav_bro_conn.log')]);
    expect(result).toMatchObject({ rejects: 0, status: 'ok' });
    const all = await rows(dataDir);
    expect(sum(all)).toBe(92);
    expect(all.every((r) => r.user === null && r.method === null && r.status_class === null && r.source === 'zeek_conn')).toBe(true);
    // 1320279554.496300 192.168.2.76 → 208.85.42.28, orig_bytes 0, resp_bytes 1092421
    expect(all[0]).toMatchObject({ hour: '2011-11-03T00:00:00.000Z', first_ts: '2011-11-03T00:19:14.496Z', src_ip: '192.168.2.76', host: '208.85.42.28', bytes_out: 0, bytes_in: 1092421, requests: 1 });
  });

  it('http.log (TSV, Zeek 2.5 columns): Host header, method, status and body lengths', async () => {
    const { dataDir, result } = await importFiles('zeek', [join(dir, 'lnav_bro_http.log')]);
    expect(result).toMatchObject({ rejects: 0 });
    const all = await rows(dataDir);
    expect(sum(all)).toBe(197);
    // 1320279566.452687 GET www.reddit.com / → 200, response_body_len 109978
    expect(all).toContainEqual(expect.objectContaining({ first_ts: '2011-11-03T00:19:26.452Z', host: 'www.reddit.com', domain: 'reddit.com', method: 'GET', status_class: '2xx', bytes_in: 109978, bytes_out: 0, src_ip: '192.168.2.76', user: null, source: 'zeek_http' }));
  });

  it('btest baselines with masked ts: every record is a counted reject with its line, headers (incl. scope separator "_") still parse', async () => {
    // The JSON and scope-separator files first: reject examples are capped at 20 per import.
    const first = (f: string) => (f.includes('javascript') ? 0 : f.includes('scope_sep') ? 1 : 2);
    const files = readdirSync(dir).filter((f) => f.startsWith('btest_')).sort((a, b) => first(a) - first(b) || a.localeCompare(b));
    expect(files.length).toBeGreaterThanOrEqual(13);
    const records = files.map((f) => readFileSync(join(dir, f), 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#')).length);
    // One import of all of them: a header that did not parse would fail the whole command.
    const { result } = await importFiles('zeek', files.map((f) => join(dir, f)));
    expect(result).toMatchObject({ rejects: records.reduce((a, b) => a + b, 0), rowsWritten: 0, status: 'ok' });
    expect(result.rejectExamples).toContainEqual(expect.stringMatching(/btest_javascript\.http-uri-sha256_http\.log:2: ts: masked/));
    expect(result.rejectExamples).toContainEqual(expect.stringMatching(/btest_base\.frameworks\.logging\.scope_sep_conn\.log:10: ts: not epoch seconds \("XXXXXXXXXX\.XXXXXX"/));
  }, 120_000);
});

describe('paloalto corpus', () => {
  const dir = join(CORPUS, 'paloalto');

  it('syslog-wrapped TRAFFIC via Panorama: end records only (start skipped), user, bytes sent/received, device time zone', async () => {
    const file = join(dir, 'pan_globalprotect_traffic_system.samplelog');
    const { dataDir, result } = await importFiles('paloalto', [file]);
    expect(result).toMatchObject({ linesRead: 75, rejects: 0 });
    const all = await rows(dataDir);
    expect(sum(all)).toBe(21);
    // Generated 2016/02/24 21:42:31, tng\picard 192.168.55.101 → 8.8.8.8, bytes 74 = 74 sent + 0 received
    const picard = all.filter((r) => r.user === 'tng\\picard' && r.host === '8.8.8.8');
    expect(picard[0]).toMatchObject({ hour: '2016-02-24T21:00:00.000Z', src_ip: '192.168.55.101', bytes_in: 0, method: null, status_class: null, source: 'paloalto' });
    expect(picard.reduce((s, r) => s + (r.bytes_out ?? 0), 0)).toBe(74 * sum(picard));
    // The same file read as Berlin local time lands one hour earlier in UTC.
    writeFileSync(join(tmp.dir, 'shadowscan.yaml'), `instances:\n  pa-berlin:\n    type: paloalto\n    paths: ['${file}']\n    timezone: Europe/Berlin\n`);
    const berlin = await importFiles('paloalto', [file, '--instance', 'pa-berlin', '--config', join(tmp.dir, 'shadowscan.yaml')]);
    const b = await rows(berlin.dataDir, `"user" = 'tng\\picard' and host = '8.8.8.8'`);
    expect(b.map((r) => r.hour)).toContain('2016-02-24T20:00:00.000Z');
    expect(b.map((r) => r.hour)).not.toContain('2016-02-24T21:00:00.000Z');
  });

  it('THREAT/url: host from the quoted URL field; wildfire skipped; the Traps CEF line is a reject', async () => {
    const { dataDir, result } = await importFiles('paloalto', [join(dir, 'pan_adversaries_threat_url_wildfire.samplelog')]);
    expect(result.rejects).toBe(1);
    expect(result.rejectExamples[0]).toMatch(/samplelog:2: not a PAN-OS CSV record/);
    const all = await rows(dataDir);
    expect(sum(all)).toBe(3);
    // "qstom.com/87thiuh3gfDGS/mydocuments.exe" from pancademo\john.hatfield at 2017/05/30 00:07:24
    expect(all).toContainEqual(expect.objectContaining({ first_ts: '2017-05-30T00:07:24.000Z', user: 'pancademo\\john.hatfield', src_ip: '10.154.10.229', host: 'qstom.com', bytes_in: null, bytes_out: null }));
    expect(all).toContainEqual(expect.objectContaining({ host: 'emam.firefoxupdata.com', domain: 'firefoxupdata.com', user: 'pancademo\\david.poster' }));
  });
});

describe('dns corpus', () => {
  const dir = join(CORPUS, 'dns');

  it('Route 53 Resolver: query names (trailing dot dropped), no bytes, user from the instance-id mapping file', async () => {
    const file = join(dir, 'panther_route53_resolver_querylogs.jsonl');
    const plain = await importFiles('route53', [file]);
    expect(plain.result).toMatchObject({ linesRead: 13, rejects: 0 });
    const all = await rows(plain.dataDir);
    expect(sum(all)).toBe(13);
    expect(all.every((r) => r.user === null && r.bytes_in === null && r.bytes_out === null && r.source === 'route53')).toBe(true);
    // "dynamodb.us-west-2.amazonaws.com" and "…com." are one host; 2022-06-25 00:27:53 UTC
    expect(all).toContainEqual(expect.objectContaining({ host: 'dynamodb.us-west-2.amazonaws.com', domain: 'amazonaws.com', requests: 2, first_ts: '2022-06-25T00:27:53.000Z', src_ip: '5.6.7.8' }));

    writeFileSync(join(tmp.dir, 'instances.csv'), 'instance_id,user\ni-0abc234,Build.Bot@acme-corp.example\n');
    writeFileSync(join(tmp.dir, 'r53.yaml'), `instances:\n  r53:\n    type: route53\n    paths: ['${file}']\n    instance_users: instances.csv\n`);
    const mapped = await importFiles('route53', [file, '--instance', 'r53', '--config', join(tmp.dir, 'r53.yaml')]);
    const m = await rows(mapped.dataDir);
    expect(m.filter((r) => r.host === 'moneropool.ru')[0]).toMatchObject({ user: 'build.bot@acme-corp.example', user_inferred: false });
    // Instance i-09d9aa4e31675db61 is not in the file and the last two records have no srcids: no user.
    expect(m.filter((r) => r.host === 'test.com')[0]!.user).toBeNull();
    expect(m.filter((r) => r.user !== null).reduce((s, r) => s + r.requests, 0)).toBe(8);
  });

  it('Umbrella DNS: internal IP, domain, UTC time; the CrowdStrike records mixed into the file are rejects', async () => {
    const { dataDir, result } = await importFiles('umbrella', [join(dir, 'panther_cisco_umbrella_dns.jsonl')]);
    expect(result).toMatchObject({ linesRead: 10, rejects: 4 });
    expect(result.rejectExamples[0]).toMatch(/jsonl:5: domain: missing/);
    const all = await rows(dataDir);
    expect(sum(all)).toBe(6);
    expect(all).toContainEqual(expect.objectContaining({ hour: '2020-05-21T19:00:00.000Z', first_ts: '2020-05-21T19:20:25.000Z', src_ip: '136.24.229.58', host: 'malware.gvt2.com', domain: 'gvt2.com', user: null, bytes_in: null, source: 'umbrella' }));
  });

  it('an unknown format is refused naming the formats tried', async () => {
    const r = await runCli(['import', 'umbrella', join(dir, 'panther_route53_resolver_querylogs.jsonl'), '--data-dir', join(tmp.dir, 'x')], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('panther_route53_resolver_querylogs.jsonl: not a known umbrella log format (tried Cisco Umbrella DNS CSV');
  });
});
