// Squid log formats through the CLI: an unknown file is refused before anything is written,
// a .gz copy imports exactly like the plain file, common/combined lines convert their UTC
// offset, and CRLF files parse with correct reject line numbers.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatSquidNativeLine } from '../../fixtures/squid/format.js';
import { json, runCli, tempDir } from '../helpers/cli.js';

const ENV: NodeJS.ProcessEnv = { SHADOWSCAN_CONFIG: undefined, SHADOWSCAN_DATA_DIR: undefined, SHADOWSCAN_CRASH_AT: undefined };

interface ImportResult { status: string; linesRead: number; rowsWritten: number; rejects: number; rejectExamples: string[]; files: number }

const T0 = Date.UTC(2025, 2, 3, 10, 0, 0);
const HOSTS = ['api.anthropic.com', 'hooks.slack.com', 'a.vercel.app', 'b.vercel.app'];

/** 40 native lines over 3 hours plus one malformed line (line 21). */
function nativeLines(): string[] {
  const lines: string[] = [];
  for (let i = 0; i < 40; i++) {
    lines.push(
      formatSquidNativeLine({
        tsMs: T0 + i * 4 * 60_000 + i,
        elapsedMs: i * 13,
        clientIp: `10.3.0.${(i % 5) + 1}`,
        resultCode: i % 2 ? 'TCP_MISS' : 'TCP_TUNNEL',
        httpStatus: i % 7 === 0 ? 403 : 200,
        bytes: 500 + i,
        method: i % 2 ? 'GET' : 'CONNECT',
        url: i % 2 ? `https://${HOSTS[i % 4]}/x/${i}` : `${HOSTS[i % 4]}:443`,
        user: ['ann', 'bob', '-'][i % 3]!,
        hierarchy: 'HIER_DIRECT/5.6.7.8',
        contentType: '-',
      }),
    );
  }
  lines.splice(20, 0, 'not a log line at all');
  return lines;
}
const NATIVE_GOOD = 40;
const NATIVE_BYTES = Array.from({ length: 40 }, (_, i) => 500 + i).reduce((a, b) => a + b, 0);

const TOTALS_SQL = `select instance, sum(requests)::bigint as requests, sum(bytes_in)::bigint as bytes_in, count(*) as rows,
  count(distinct host) as hosts, count(distinct user) as users, min(first_ts) as first_ts, max(last_ts) as last_ts
  from norm.egress group by instance order by instance`;

describe('import formats', () => {
  const tmp = tempDir('shadowscan-cli-formats-');
  const cwd = tmp.dir;
  const cli = (dataDir: string, ...args: string[]) => runCli(['--data-dir', join(cwd, dataDir), ...args], { cwd, env: ENV });
  const plain = join(cwd, 'access.log');
  afterAll(tmp.cleanup);
  beforeAll(() => writeFileSync(plain, nativeLines().map((l) => `${l}\n`).join('')));

  it('refuses a file in an unknown format, naming it and the formats tried; nothing is imported', async () => {
    const random = join(cwd, 'notes.txt');
    // Random text: base64 of random bytes, 76 characters a line.
    writeFileSync(random, `${randomBytes(3000).toString('base64').replace(/(.{76})/g, '$1\n')}\n`);
    // A good file in the same command: all files are checked before anything is written.
    const r = await cli('unknown', 'import', 'squid', plain, random, '--json');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${random}: not a known squid log format`);
    expect(r.stderr).toMatch(/tried squid native .*common\/combined/);
    expect(r.stderr).not.toContain(`${plain}:`);
    expect(r.stderr).not.toMatch(/^ {4}at /m);

    const status = await cli('unknown', 'status', '--json');
    expect(status.code, status.stderr).toBe(0);
    expect(json(status)).toEqual([]);
    const lakeFiles = readdirSync(join(cwd, 'unknown'), { recursive: true }).map(String).filter((f) => f.endsWith('.parquet'));
    expect(lakeFiles).toEqual([]);
  });

  it('a .gz copy imports with the same totals as the plain file', async () => {
    const gz = join(cwd, 'access.log.1.gz');
    writeFileSync(gz, gzipSync(readFileSync(plain)));
    const a = await cli('plain', 'import', 'squid', plain, '--instance', 'proxy', '--json');
    const b = await cli('gz', 'import', 'squid', gz, '--instance', 'proxy', '--json');
    expect(a.code, a.stderr).toBe(0);
    expect(b.code, b.stderr).toBe(0);
    const ra = json<{ results: ImportResult[] }>(a).results[0]!;
    const rb = json<{ results: ImportResult[] }>(b).results[0]!;
    expect(ra).toMatchObject({ status: 'ok', linesRead: NATIVE_GOOD + 1, rejects: 1, files: 1 });
    expect(ra.rejectExamples[0]).toMatch(new RegExp(`access\\.log:21: .*not a log line at all`));
    expect({ ...rb, rejectExamples: undefined, syncId: undefined }).toEqual({ ...ra, rejectExamples: undefined, syncId: undefined });
    expect(rb.rejectExamples[0]).toMatch(new RegExp(`access\\.log\\.1\\.gz:21: .*not a log line at all`));

    const qa = await cli('plain', 'query', TOTALS_SQL, '--json');
    const qb = await cli('gz', 'query', TOTALS_SQL, '--json');
    expect(qa.code, qa.stderr).toBe(0);
    expect(qb.code, qb.stderr).toBe(0);
    const ta = json<Record<string, unknown>[]>(qa);
    expect(ta).toEqual([
      expect.objectContaining({ instance: 'proxy', requests: NATIVE_GOOD, bytes_in: NATIVE_BYTES, hosts: HOSTS.length, users: 2 }),
    ]);
    expect(json(qb)).toEqual(ta);
  });

  it('a common/combined line converts its UTC offset: +0530 12:38 is 07:00Z', async () => {
    const clf = join(cwd, 'clf.log');
    writeFileSync(
      clf,
      '10.10.10.10 - testuser1 [12/Sep/2024:12:38:20 +0530] "CONNECT ssl.gstatic.com:443 HTTP/1.1" 200 0 "-" "Mozilla/5.0" NONE_NONE:HIER_DIRECT\n',
    );
    const r = await cli('clf', 'import', 'squid', clf, '--json');
    expect(r.code, r.stderr).toBe(0);
    expect(json<{ results: ImportResult[] }>(r).results[0]).toMatchObject({ linesRead: 1, rowsWritten: 1, rejects: 0 });
    const q = await cli('clf', 'query', 'select hour, first_ts, user, host, domain, method, src_ip, requests from norm.egress', '--json');
    expect(q.code, q.stderr).toBe(0);
    expect(json(q)).toEqual([
      {
        hour: '2024-09-12T07:00:00.000Z',
        first_ts: '2024-09-12T07:08:20.000Z',
        user: 'testuser1',
        host: 'ssl.gstatic.com',
        domain: 'gstatic.com',
        method: 'CONNECT',
        src_ip: '10.10.10.10',
        requests: 1,
      },
    ]);
  });

  it('a CRLF (Windows) log parses and its reject examples carry the right line numbers', async () => {
    const crlf = join(cwd, 'crlf.log');
    writeFileSync(crlf, nativeLines().slice(0, 25).map((l) => `${l}\r\n`).join(''));
    const r = await cli('crlf', 'import', 'squid', crlf, '--json');
    expect(r.code, r.stderr).toBe(0);
    const res = json<{ results: ImportResult[] }>(r).results[0]!;
    expect({ linesRead: res.linesRead, rejects: res.rejects }).toEqual({ linesRead: 25, rejects: 1 });
    expect(res.rowsWritten).toBeGreaterThan(0);
    expect(res.rejectExamples).toHaveLength(1);
    expect(res.rejectExamples[0]).toMatch(new RegExp(`crlf\\.log:21: .*not a log line at all`));
  });
});
