// `shadowscan query` (DESIGN.md "Storage and visibility" item 10): correct results over the lake
// views in json and csv, and every statement that writes, attaches, installs, changes settings
// or reads outside the lake is refused with exit 2 and has no effect.
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatSquidNativeLine } from '../../fixtures/squid/format.js';
import { json, runCli, tempDir } from '../helpers/cli.js';

const ENV: NodeJS.ProcessEnv = { SHADOWSCAN_CONFIG: undefined, SHADOWSCAN_DATA_DIR: undefined, SHADOWSCAN_CRASH_AT: undefined };

const T0 = Date.UTC(2024, 5, 2, 8, 0, 0); // 2024-06-02T08:00:00Z

/** [minutes after T0, user, method, url, bytes] — 6 openai.com (3 users + one anonymous), 3 zapier.com (2 users), 2 github.com (1 user). */
const REQUESTS: [number, string, string, string, number][] = [
  [0, 'ann', 'CONNECT', 'api.openai.com:443', 48213],
  [5, 'bob', 'CONNECT', 'api.openai.com:443', 1000],
  [7, 'cy', 'CONNECT', 'api.openai.com:443', 2000],
  [61, 'ann', 'CONNECT', 'api.openai.com:443', 3000],
  [62, 'bob', 'GET', 'https://chat.openai.com/c/1', 4000],
  [63, '-', 'CONNECT', 'api.openai.com:443', 500],
  [10, 'ann', 'POST', 'https://hooks.zapier.com/hooks/catch/1/', 700],
  [70, 'bob', 'POST', 'https://hooks.zapier.com/hooks/catch/1/', 800],
  [71, 'bob', 'POST', 'https://hooks.zapier.com/hooks/catch/2/', 900],
  [20, 'ann', 'GET', 'https://github.com/org/repo', 100],
  [130, 'ann', 'GET', 'https://api.github.com/repos/org/repo', 200],
];

function logText(): string {
  return REQUESTS.map(([min, user, method, url, bytes], i) =>
    formatSquidNativeLine({
      tsMs: T0 + min * 60_000 + 123,
      elapsedMs: 842,
      clientIp: `10.1.2.${(i % 3) + 3}`,
      resultCode: method === 'CONNECT' ? 'TCP_TUNNEL' : 'TCP_MISS',
      httpStatus: 200,
      bytes,
      method,
      url,
      user,
      hierarchy: 'HIER_DIRECT/104.18.7.1',
      contentType: '-',
    }),
  )
    .sort() // chronological: the lines start with the epoch timestamp
    .map((l) => `${l}\n`)
    .join('');
}

/** RFC 4180 CSV (quoted fields, "" escapes, CRLF or LF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = '';
    } else field += c;
  }
  expect(quoted, 'unterminated quoted CSV field').toBe(false);
  if (field !== '' || row.length) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

describe('query', () => {
  const tmp = tempDir('shadowscan-cli-query-');
  const cwd = tmp.dir;
  const dataDir = join(cwd, 'data');
  const lake = join(dataDir, 'lake');
  const q = (sql: string, ...more: string[]) => runCli(['--data-dir', dataDir, 'query', sql, ...more], { cwd, env: ENV });
  afterAll(tmp.cleanup);

  beforeAll(async () => {
    const log = join(cwd, 'access.log');
    writeFileSync(log, logText());
    const r = await runCli(['import', 'squid', log, '--data-dir', dataDir, '--json'], { cwd, env: ENV });
    expect(r.code, r.stderr).toBe(0);
    const res = json<{ results: { linesRead: number; rejects: number }[] }>(r).results[0]!;
    expect(res).toMatchObject({ linesRead: REQUESTS.length, rejects: 0 });
  });

  it('returns exact aggregates with --format json', async () => {
    const r = await q('select domain, count(distinct user) users, sum(requests) r from norm.egress group by 1 order by 2 desc', '--format', 'json');
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toEqual([
      { domain: 'openai.com', users: 3, r: 6 },
      { domain: 'zapier.com', users: 2, r: 3 },
      { domain: 'github.com', users: 1, r: 2 },
    ]);
  });

  it('prints --format csv that parses back to the same values (quoting included)', async () => {
    const r = await q(
      `select domain, sum(bytes_in)::bigint as bytes, count(distinct hour) as hours, 'a,b "c"' as note from norm.egress group by 1 order by 1`,
      '--format', 'csv',
    );
    expect(r.code, r.stderr).toBe(0);
    const rows = parseCsv(r.stdout);
    expect(rows).toEqual([
      ['domain', 'bytes', 'hours', 'note'],
      ['github.com', '300', '2', 'a,b "c"'],
      ['openai.com', String(48213 + 1000 + 2000 + 3000 + 4000 + 500), '2', 'a,b "c"'],
      ['zapier.com', '2400', '2', 'a,b "c"'],
    ]);
  });

  describe('refuses anything but reading the lake (exit 2, no effect)', () => {
    it('COPY … TO a file', async () => {
      const target = join(cwd, 'x.csv');
      const r = await q(`COPY (select 1) TO '${target}'`);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/refused/);
      expect(existsSync(target)).toBe(false);
    });

    it('ATTACH a database file', async () => {
      const target = join(cwd, 'y.db');
      const r = await q(`ATTACH '${target}'`);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/refused/);
      expect(existsSync(target)).toBe(false);
      expect(existsSync(`${target}.wal`)).toBe(false);
    });

    it.each(['INSTALL httpfs', 'LOAD httpfs', 'SET threads=1', 'CREATE TABLE t AS SELECT 1 AS a'])('%s', async (sql) => {
      const r = await q(sql);
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/refused/);
      expect(r.stdout).toBe('');
    });

    it('a multi-statement query whose second statement writes (nothing runs)', async () => {
      const r = await q('select 4242 as marker; drop view norm.egress');
      expect(r.code, r.stderr).toBe(2);
      expect(r.stderr).toMatch(/refused: statement 2/);
      expect(r.stdout).not.toContain('4242');
    });

    it('reading a file outside the lake', async () => {
      const r = await q("select * from read_csv('/etc/passwd')");
      expect(r.code, r.stderr).toBe(2);
      expect(r.stdout).not.toMatch(/root/);
      expect(r.stderr).not.toMatch(/root:/);
    });

    it('EXPLAIN ANALYZE COPY … TO a file inside the lake (EXPLAIN ANALYZE executes its statement)', async () => {
      const target = join(lake, 'evil.csv');
      const r = await q(`EXPLAIN ANALYZE COPY (select 42 as x) TO '${target}'`);
      const written = existsSync(target);
      expect({ code: r.code, written, lake: readdirSync(lake).sort() }).toEqual({ code: 2, written: false, lake: ['instance=squid'] });
    });
  });
});
