// Corpus suite: the real public Squid samples in ../shared/corpus/proxy-squid import with their
// expected values. Run by `npm run test:corpus` (and .ci/run), never by `npm test`.
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { json, REPO, runCli, tempDir } from '../helpers/cli.js';

const CORPUS = resolve(process.env.SHADOWSCAN_CORPUS ?? join(REPO, '../shared/corpus'));
const dir = join(CORPUS, 'proxy-squid');

interface Row { hour: string; user: string | null; src_ip: string; host: string | null; domain: string | null; method: string; status_class: string; requests: number; bytes_in: number }

describe('proxy-squid corpus', () => {
  const tmp = tempDir();
  afterAll(tmp.cleanup);
  const q = async (dataDir: string, sql: string) => {
    const r = await runCli(['query', sql, '--json', '--data-dir', dataDir], { cwd: tmp.dir });
    expect(r.code, r.stderr).toBe(0);
    return json<Row[]>(r);
  };

  it('imports the native access.log: 13 lines, no rejects, padded elapsed and appended [headers] handled', async () => {
    const dataDir = join(tmp.dir, 'native');
    const r = await runCli(['import', 'squid', join(dir, 'datadog_squid_access_native.log'), '--json', '--data-dir', dataDir], { cwd: tmp.dir });
    expect(r.code, r.stderr).toBe(0);
    const res = json<{ results: { linesRead: number; rejects: number; status: string }[] }>(r).results[0]!;
    expect(res).toMatchObject({ linesRead: 13, rejects: 0, status: 'ok' });
    const rows = await q(dataDir, 'select * from norm.egress order by hour, host, method');
    expect(rows.reduce((s, x) => s + x.requests, 0)).toBe(13);
    // 1570787584.006 CONNECT www.google.com:443 15851 bytes → 2019-10-11 09:00 UTC, host without port.
    expect(rows).toContainEqual(expect.objectContaining({ hour: '2019-10-11T09:00:00.000Z', host: 'www.google.com', domain: 'google.com', method: 'CONNECT', status_class: '2xx', bytes_in: 15851, src_ip: '127.0.0.1' }));
    // The first line carries appended "[http_request_headers] [http_response_headers]" fields.
    expect(rows).toContainEqual(expect.objectContaining({ host: 'www.datadog.com', domain: 'datadog.com', bytes_in: 491, status_class: '3xx' }));
    // Integer timestamp without millis (1726124251) parses.
    expect(rows).toContainEqual(expect.objectContaining({ hour: '2024-09-12T06:00:00.000Z', host: 'ts01-gyr-maverick.cloudsink.net', domain: 'cloudsink.net', status_class: '4xx' }));
    // The relative URL (/favicon.ico) and the error pseudo-URL have no destination host.
    expect(rows.filter((x) => x.host === null)).toHaveLength(2);
  });

  it('imports the common/combined log with users and time zones converted to UTC', async () => {
    const dataDir = join(tmp.dir, 'common');
    const r = await runCli(['import', 'squid', join(dir, 'datadog_squid_access_common_combined.log'), '--json', '--data-dir', dataDir], { cwd: tmp.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(json<{ results: { linesRead: number; rejects: number }[] }>(r).results[0]).toMatchObject({ linesRead: 5, rejects: 0 });
    const rows = await q(dataDir, 'select * from norm.egress order by hour, host');
    expect(rows.reduce((s, x) => s + x.requests, 0)).toBe(5);
    // 12/Sep/2024:12:38:20 +0530 = 07:08:20 UTC
    expect(rows).toContainEqual(expect.objectContaining({ hour: '2024-09-12T07:00:00.000Z', user: 'testuser1', host: 'ssl.gstatic.com', domain: 'gstatic.com', method: 'CONNECT' }));
    expect(rows).toContainEqual(expect.objectContaining({ hour: '2024-09-12T06:00:00.000Z', user: 'testuser2', host: 'ssl.gstatic.com' }));
    expect(rows).toContainEqual(expect.objectContaining({ host: 'proxy.squid.local', status_class: '4xx', bytes_in: 4235 }));
  });

  it('refuses cache.log (not an access log), naming the formats tried', async () => {
    const dataDir = join(tmp.dir, 'cache');
    const r = await runCli(['import', 'squid', join(dir, 'datadog_squid_cache.log'), '--data-dir', dataDir], { cwd: tmp.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('datadog_squid_cache.log');
    expect(r.stderr).toMatch(/native.*common\/combined/);
  });
});
