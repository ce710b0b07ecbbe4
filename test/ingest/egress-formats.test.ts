// The new egress formats on small synthetic fixtures (labelled synthetic; the real samples are in
// test/corpus/egress-formats.test.ts): field positions from the file's own header, time zones,
// NULL for fields a format does not carry, tailing with a header at the top of the file, config
// field lists (Zscaler) and column mappings (generic CSV/JSONL), and what a bad mapping says.
import { appendFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { json, REPO, runCli, tempDir } from '../helpers/cli.js';
import { zeekHeader, zeekSslJson, zeekSslLine, zeekUid } from '../../fixtures/zeek/format.js';

interface Row {
  hour: string; first_ts: string; user: string | null; src_ip: string | null; host: string | null; domain: string | null;
  method: string | null; status_class: string | null; requests: number; bytes_in: number | null; bytes_out: number | null; source: string;
}
interface Result { linesRead: number; rowsWritten: number; rejects: number; rejectExamples: string[]; status: string }

const tmp = tempDir();
afterAll(tmp.cleanup);
const cwd = tmp.dir;
let n = 0;
const T0 = Date.UTC(2026, 0, 6, 14, 5, 9, 250);

async function run(args: string[], dataDir: string) {
  return runCli([...args, '--data-dir', dataDir], { cwd });
}
async function importOk(type: string, args: string[], dataDir = join(cwd, `d${++n}`)): Promise<{ dataDir: string; result: Result }> {
  const r = await run(['import', type, ...args, '--json'], dataDir);
  expect(r.code, r.stderr + r.stdout).toBe(0);
  return { dataDir, result: json<{ results: Result[] }>(r).results[0]! };
}
async function rows(dataDir: string): Promise<Row[]> {
  const r = await run(['query', 'select * from norm.egress order by first_ts, host', '--json'], dataDir);
  expect(r.code, r.stderr).toBe(0);
  return json<Row[]>(r);
}
const write = (name: string, lines: string[]) => {
  const p = join(cwd, name);
  writeFileSync(p, lines.map((l) => `${l}\n`).join(''));
  return p;
};
const ssl = (i: number, serverName: string | null, origH = '10.1.0.7') => ({ tsMs: T0 + i * 60_000, uid: zeekUid(i), origH, origP: 50000 + i, respH: '192.0.2.10', respP: 443, serverName });

describe('zeek (synthetic)', () => {
  it('reads field positions from #fields: reordered and extra columns, a comma separator, unset SNI → no host', async () => {
    // ssl.log written with a site policy that moved server_name first and added a column.
    const file = write('ssl-reordered.log', [
      '#separator \\x2c',
      '#unset_field,-',
      '#path,ssl',
      '#fields,server_name,site_tag,id.resp_h,ts,id.orig_h,uid',
      '#types,string,string,addr,time,addr,string',
      `API.OpenAI.com,lab,192.0.2.1,${(T0 / 1000).toFixed(6)},10.1.0.5,C1`,
      `-,lab,192.0.2.2,${(T0 / 1000 + 1).toFixed(6)},10.1.0.6,C2`,
    ]);
    const { dataDir, result } = await importOk('zeek', [file]);
    expect(result).toMatchObject({ rejects: 0, status: 'ok' });
    const all = await rows(dataDir);
    expect(all).toHaveLength(2);
    expect(all[0]).toMatchObject({ hour: '2026-01-06T14:00:00.000Z', first_ts: '2026-01-06T14:05:09.250Z', host: 'api.openai.com', domain: 'openai.com', src_ip: '10.1.0.5', user: null, bytes_in: null, bytes_out: null, method: null, source: 'zeek_ssl' });
    expect(all[1]).toMatchObject({ host: null, src_ip: '10.1.0.6' });
  });

  it('JSON: epoch and ISO 8601 ts, nested id, per-line _path; conn bytes per direction', async () => {
    const file = write('mixed.json', [
      zeekSslJson(ssl(0, 'hooks.zapier.com')),
      JSON.stringify({ _path: 'ssl', ts: '2026-01-06T15:30:00.5+01:00', uid: 'C9', id: { orig_h: '10.1.0.8', resp_h: '192.0.2.3' }, server_name: 'expense-helper.vercel.app' }),
      JSON.stringify({ _path: 'conn', ts: T0 / 1000, uid: 'C10', 'id.orig_h': '10.1.0.9', 'id.resp_h': '192.0.2.4', orig_bytes: 1200, resp_bytes: 34, conn_state: 'SF' }),
    ]);
    const { dataDir, result } = await importOk('zeek', [file]);
    expect(result.rejects).toBe(0);
    const all = await rows(dataDir);
    expect(all).toContainEqual(expect.objectContaining({ host: 'hooks.zapier.com', first_ts: '2026-01-06T14:05:09.250Z', src_ip: '10.1.0.7', source: 'zeek_ssl' }));
    // 15:30:00.5+01:00 is 14:30:00.5 UTC
    expect(all).toContainEqual(expect.objectContaining({ host: 'expense-helper.vercel.app', domain: 'expense-helper.vercel.app', first_ts: '2026-01-06T14:30:00.500Z', src_ip: '10.1.0.8' }));
    expect(all).toContainEqual(expect.objectContaining({ host: '192.0.2.4', bytes_out: 1200, bytes_in: 34, user: null }));
  });

  it('tails a growing ssl.log: appended lines only, parsed with the header at the top of the file', async () => {
    const file = write('ssl.log', [...zeekHeader('ssl', T0), ...[0, 1, 2].map((i) => zeekSslLine(ssl(i, 'api.openai.com')))]);
    const dataDir = join(cwd, 'tail');
    expect((await importOk('zeek', [file], dataDir)).result).toMatchObject({ linesRead: 11, rejects: 0 });
    appendFileSync(file, [3, 4].map((i) => `${zeekSslLine(ssl(i, 'abc123.ngrok-free.app', '10.1.0.9'))}\n`).join(''));
    expect((await importOk('zeek', [file], dataDir)).result).toMatchObject({ linesRead: 2, rejects: 0 });
    const all = await rows(dataDir);
    expect(all.find((r) => r.host === 'api.openai.com')?.requests).toBe(3);
    expect(all.find((r) => r.host === 'abc123.ngrok-free.app')).toMatchObject({ requests: 2, src_ip: '10.1.0.9' });
  });

  it('TSV read by DuckDB\'s own splitter: a record with an extra field or a #fields line of another layout is a reject; header lines are lines, not rejects', async () => {
    const good = [0, 1, 2].map((i) => zeekSslLine(ssl(i, 'api.openai.com')));
    const file = write('ssl-strict.log', [
      ...zeekHeader('ssl', T0),
      good[0]!,
      `${good[1]!}\textra`,
      '#fields\tts\tid.orig_h\tserver_name',
      good[2]!,
      '#close\t2026-01-06-15-00-00',
    ]);
    const { dataDir, result } = await importOk('zeek', [file]);
    expect(result).toMatchObject({ linesRead: 13, rejects: 2, status: 'ok' });
    const ex = result.rejectExamples.join('\n');
    expect(ex).toMatch(/ssl-strict\.log:10: 19 fields where the #fields header has 18/);
    expect(ex).toMatch(/ssl-strict\.log:11: a second #fields header with a different layout/);
    expect((await rows(dataDir)).map((r) => [r.host, r.requests])).toEqual([['api.openai.com', 2]]);
  });

  it('a time stamp too far out for an hour number (ts 1e300) is a reject, not a failed import', async () => {
    const good = zeekSslLine(ssl(0, 'api.openai.com'));
    const far = good.replace(/^[^\t]+/, '1e300');
    const file = write('ssl-far.log', [...zeekHeader('ssl', T0), good, far]);
    const { dataDir, result } = await importOk('zeek', [file]);
    expect(result).toMatchObject({ rejects: 1, status: 'ok' });
    expect(result.rejectExamples[0]).toMatch(/ssl-far\.log:10: /);
    expect((await rows(dataDir)).map((r) => [r.host, r.requests])).toEqual([['api.openai.com', 1]]);
  });

  it('a file the strict TSV reader refuses (CRLF on some lines) is read line by line with the same result', async () => {
    const lines = [...zeekHeader('ssl', T0), ...[0, 1, 2, 3].map((i) => zeekSslLine(ssl(i, 'hooks.zapier.com')))];
    const p = join(cwd, 'ssl-crlf.log');
    writeFileSync(p, lines.map((l, i) => `${l}${i === 9 ? '\r\n' : '\n'}`).join(''));
    const { dataDir, result } = await importOk('zeek', [p]);
    expect(result).toMatchObject({ rejects: 0, status: 'ok' });
    expect((await rows(dataDir)).map((r) => [r.host, r.requests, r.src_ip])).toEqual([['hooks.zapier.com', 4, '10.1.0.7']]);
  });

  it('a user that is missing on one line and empty on another is one "no user", counted once per line (http JSON)', async () => {
    const http = (i: number, extra: Record<string, unknown>) =>
      JSON.stringify({ _path: 'http', ts: T0 / 1000 + i, uid: `C${i}`, 'id.orig_h': '10.1.0.7', 'id.resp_h': '192.0.2.9', method: 'POST', host: 'api.openai.com', uri: '/v1/x', status_code: 200, request_body_len: 5, response_body_len: 9, ...extra });
    const file = write('http-nouser.json', [http(0, { username: '' }), http(1, {}), http(2, { username: 'Bob' })]);
    const { dataDir } = await importOk('zeek', [file]);
    const all = (await rows(dataDir)).map((r) => [r.user, r.requests, r.bytes_out]).sort((a, b) => String(a[0]).localeCompare(String(b[0])));
    expect(all).toEqual([['bob', 1, 5], [null, 2, 10]]);
  });

  it('refuses logs it cannot use, saying why; skips other Zeek logs', async () => {
    const x509 = write('x509.log', ['#separator \\x09', '#path\tx509', '#fields\tts\tid\tcertificate.subject', '1.0\tF1\tCN=x']);
    const noSni = write('weird-ssl.log', ['#separator \\x09', '#path\tssl', '#fields\tts\tuid\tid.orig_h', '1.0\tC1\t10.0.0.1']);
    const r = await run(['import', 'zeek', x509, noSni], join(cwd, 'refuse'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('weird-ssl.log: zeek ssl.log header lacks server_name');
    expect(r.stderr).not.toContain('x509.log:');
    // Another Zeek log in a folder of logs is skipped, not an error: a whole log folder imports.
    const ok = await importOk('zeek', [x509, write('ssl-ok.log', [...zeekHeader('ssl', T0), zeekSslLine(ssl(0, 'api.openai.com'))])]);
    expect(ok.result).toMatchObject({ status: 'ok', rejects: 0 });
    expect((await rows(ok.dataDir)).map((x) => x.host)).toEqual(['api.openai.com']);
  });
});

describe('zscaler (synthetic NSS web feed)', () => {
  const fixtures = join(REPO, 'fixtures/egress');

  it('default CSV feed: user, client IP, host from eurl, request/response sizes, method, status; "None" user is no user', async () => {
    const { dataDir, result } = await importOk('zscaler', [join(fixtures, 'zscaler-nss-web.synthetic.csv')]);
    expect(result).toMatchObject({ linesRead: 4, rejects: 0 });
    const all = await rows(dataDir);
    expect(all[0]).toMatchObject({ hour: '2026-01-06T14:00:00.000Z', first_ts: '2026-01-06T14:05:09.000Z', user: 'dana.lee@acme-corp.example', src_ip: '10.20.1.15', host: 'api.openai.com', method: 'POST', status_class: '2xx', bytes_out: 18342, bytes_in: 2211, source: 'zscaler' });
    expect(all).toContainEqual(expect.objectContaining({ host: 'abc123.ngrok-free.app', user: null, bytes_in: 1044512, method: 'CONNECT' }));
    // The fake key in the URL's query string is never stored anywhere queryable.
    const text = await run(['query', "select string_agg(cast(columns(*) as varchar), '|') from norm.egress", '--json'], dataDir);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('api.openai.com');
    expect(text.stdout).not.toContain('sk-SYNTHETIC');
  });

  it('a feed in another time zone, with a shorter field list from config (TSV)', async () => {
    const file = write('nss.tsv', ['Tue Jan 06 09:05:09 2026\tdana.lee@acme-corp.example\t10.20.1.15\tapi.openai.com\t812\t99']);
    writeFileSync(join(cwd, 'zs.yaml'), `instances:\n  zs-ny:\n    type: zscaler\n    paths: [nss.tsv]\n    delimiter: "\\t"\n    fields: ['%s{time}', login, cip, ehost, reqsize, respsize]\n    timezone: America/New_York\n`);
    const { dataDir } = await importOk('zscaler', [file, '--instance', 'zs-ny', '--config', join(cwd, 'zs.yaml')]);
    // 09:05:09 in New York (EST, UTC−5) = 14:05:09 UTC
    expect((await rows(dataDir))[0]).toMatchObject({ first_ts: '2026-01-06T14:05:09.000Z', user: 'dana.lee@acme-corp.example', host: 'api.openai.com', bytes_out: 812, bytes_in: 99, method: null });
  });

  it('JSON feed (zscalernss-web template)', async () => {
    const { dataDir } = await importOk('zscaler', [join(fixtures, 'zscaler-nss-web.synthetic.jsonl')]);
    const all = await rows(dataDir);
    expect(all[0]).toMatchObject({ first_ts: '2026-01-06T14:05:09.000Z', user: 'dana.lee@acme-corp.example', src_ip: '10.20.1.15', host: 'api.openai.com', bytes_out: 18342, bytes_in: 2211, status_class: '2xx' });
  });
});

describe('generic_egress (column mapping in config)', () => {
  const config = join(cwd, 'generic.yaml');
  writeFileSync(
    config,
    `instances:
  gw-csv:
    type: generic_egress
    paths: [gw.csv]
    columns: { time: When, user: Who, src_ip: Client, url: URL, method: Verb, status: Code, bytes_in: Down, bytes_out: Up }
    timezone: Europe/Berlin
    source: acme-gw
  gw-json:
    type: generic_egress
    paths: [gw.jsonl]
    columns: { time: ts, user: actor.email, host: dest.host, bytes_out: sent }
`,
  );

  it('CSV with a header: mapped columns by name, quoted fields, local times in the configured zone, URL tokens dropped', async () => {
    write('gw.csv', [
      'When,Who,Client,URL,Verb,Code,Down,Up',
      '2026-01-06 15:05:09,Ann@Corp.example,10.0.0.1,"https://api.openai.com/v1/chat?key=SECRET123,x",post,200,500,1200',
      '2026-01-06 15:20:00,,10.0.0.2,hooks.zapier.com/hooks/catch/1,GET,404,10,20',
      'bad,line',
    ]);
    const { dataDir, result } = await importOk('generic_egress', ['gw.csv', '--instance', 'gw-csv', '--config', config]);
    expect(result).toMatchObject({ linesRead: 4, rejects: 1 });
    expect(result.rejectExamples[0]).toMatch(/gw\.csv:4: 2 fields where the mapping needs 8/);
    const all = await rows(dataDir);
    expect(all[0]).toMatchObject({ first_ts: '2026-01-06T14:05:09.000Z', user: 'ann@corp.example', host: 'api.openai.com', method: 'POST', status_class: '2xx', bytes_in: 500, bytes_out: 1200, source: 'acme-gw' });
    expect(all[1]).toMatchObject({ user: null, host: 'hooks.zapier.com', status_class: '4xx' });
    const text = await run(['query', "select string_agg(cast(columns(*) as varchar), '|') from norm.egress", '--json'], dataDir);
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toContain('hooks.zapier.com');
    expect(text.stdout).not.toContain('SECRET123');
  });

  it('JSON lines with nested keys; epoch milliseconds; unmapped columns are NULL', async () => {
    write('gw.jsonl', [JSON.stringify({ ts: Date.UTC(2026, 0, 6, 14, 5, 9, 123), actor: { email: 'bob@corp.example' }, dest: { host: 'x.vercel.app:443' }, sent: 77 })]);
    const { dataDir } = await importOk('generic_egress', ['gw.jsonl', '--instance', 'gw-json', '--config', config]);
    expect((await rows(dataDir))[0]).toMatchObject({ first_ts: '2026-01-06T14:05:09.123Z', user: 'bob@corp.example', host: 'x.vercel.app', bytes_out: 77, bytes_in: null, method: null, status_class: null, src_ip: null });
  });

  it('without a configured mapping, or with a header lacking a mapped column, the import is refused', async () => {
    const a = await run(['import', 'generic_egress', 'gw.csv'], join(cwd, 'g-none'));
    expect(a.code).toBe(2);
    expect(a.stderr).toContain('needs a column mapping');
    write('other.csv', ['Time,Host', '2026-01-06 15:05:09,a.example']);
    const b = await run(['import', 'generic_egress', 'other.csv', '--instance', 'gw-csv', '--config', config], join(cwd, 'g-bad'));
    expect(b.code).toBe(2);
    expect(b.stderr).toMatch(/other\.csv: CSV header lacks the mapped column\(s\) time → "When"/);
  });
});

describe('umbrella (synthetic S3 CSV export)', () => {
  it('user only when the identity is a user (e-mail in "Name (mail)"), internal IP, trailing dot dropped, UTC', async () => {
    const file = write('umbrella.csv', [
      '"2026-01-06 14:05:09","Jane Doe (jane.doe@acme-corp.example)","Jane Doe (jane.doe@acme-corp.example),HQ Network","10.20.1.15","203.0.113.7","Allowed","1 (A)","NOERROR","api.openai.com.","Generative AI","AD Users","AD Users,Networks",""',
      '"2026-01-06 14:06:00","HQ Network","HQ Network","10.20.1.16","203.0.113.7","Blocked","28 (AAAA)","NOERROR","abc123.ngrok-free.app.","Tunnels","Networks","Networks","Tunnels"',
      '"2026-01-06 14:07:00","LAPTOP-42","LAPTOP-42","10.20.1.17","203.0.113.7","Allowed","1 (A)","NOERROR","hooks.zapier.com.","SaaS","Roaming Computers","Roaming Computers",""',
    ]);
    const { dataDir, result } = await importOk('umbrella', [file]);
    expect(result).toMatchObject({ linesRead: 3, rejects: 0 });
    const all = await rows(dataDir);
    expect(all.map((r) => [r.first_ts, r.user, r.src_ip, r.host, r.bytes_in, r.source])).toEqual([
      ['2026-01-06T14:05:09.000Z', 'jane.doe@acme-corp.example', '10.20.1.15', 'api.openai.com', null, 'umbrella'],
      ['2026-01-06T14:06:00.000Z', null, '10.20.1.16', 'abc123.ngrok-free.app', null, 'umbrella'],
      ['2026-01-06T14:07:00.000Z', null, '10.20.1.17', 'hooks.zapier.com', null, 'umbrella'],
    ]);
  });
});

describe('route53 instance mapping file', () => {
  it('a bad mapping file is a config error naming file and line', async () => {
    write('bad-map.csv', ['instance_id,user', 'i-1,ann@corp.example', 'i 2,bob@corp.example']);
    writeFileSync(join(cwd, 'r53.yaml'), 'instances:\n  r53:\n    type: route53\n    paths: [q.jsonl]\n    instance_users: bad-map.csv\n');
    write('q.jsonl', [JSON.stringify({ query_timestamp: '2026-01-06T14:05:09Z', query_name: 'api.openai.com.', srcaddr: '10.0.0.1', srcids: { instance: 'i-1' } })]);
    const r = await run(['import', 'route53', 'q.jsonl', '--instance', 'r53', '--config', join(cwd, 'r53.yaml')], join(cwd, 'r53-bad'));
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bad-map.csv:3: instance_id: not an instance id');
  });

  it('maps srcids.instance to the user; unmapped instances stay NULL', async () => {
    write('map.csv', ['user,instance_id', 'Ann@Corp.example,i-1']);
    writeFileSync(join(cwd, 'r53ok.yaml'), 'instances:\n  r53:\n    type: route53\n    paths: [q2.jsonl]\n    instance_users: map.csv\n');
    write('q2.jsonl', [
      JSON.stringify({ query_timestamp: '2026-01-06T14:05:09Z', query_name: 'api.openai.com.', srcaddr: '10.0.0.1', srcids: { instance: 'i-1' } }),
      JSON.stringify({ query_timestamp: '2026-01-06T14:06:00Z', query_name: 'hooks.zapier.com', srcaddr: '10.0.0.2', srcids: { instance: 'i-2' } }),
    ]);
    const { dataDir } = await importOk('route53', ['q2.jsonl', '--instance', 'r53', '--config', join(cwd, 'r53ok.yaml')]);
    const all = await rows(dataDir);
    expect(all[0]).toMatchObject({ host: 'api.openai.com', user: 'ann@corp.example', first_ts: '2026-01-06T14:05:09.000Z', bytes_in: null });
    expect(all[1]).toMatchObject({ host: 'hooks.zapier.com', user: null });
  });
});
