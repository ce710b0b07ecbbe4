// DESIGN.md "Storage and visibility" item 5: tokens in logged URLs never reach the lake, the state
// DB or any output. Proven by DECODING everything written under the data dir — every Parquet and
// state-DB column cast to text through DuckDB, .gz unpacked, other files read as text — and
// searching for the values, while the host names must be found (so the decode really read data).
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatSquidNativeLine } from '../../fixtures/squid/format.js';
import { json, runCli, tempDir, type CliResult } from '../helpers/cli.js';

const ENV: NodeJS.ProcessEnv = { SHADOWSCAN_CONFIG: undefined, SHADOWSCAN_DATA_DIR: undefined, SHADOWSCAN_CRASH_AT: undefined };

const SECRETS = ['TOK_AAA111', 'SIG_BBB222', 'CODE_CCC333', 'AMZ_DDD444', 'PASS_EEE555'];
const HOSTS = ['api.example.com', 'files.example.net', 'login.example.org', 'bucket.s3.amazonaws.com', 'db.example.io'];

const T0 = Date.UTC(2026, 0, 10, 9, 0, 0);
const GOOD_URLS = [
  'https://api.example.com/v1/items?access_token=TOK_AAA111',
  'https://files.example.net/blob?x=1&sig=SIG_BBB222',
  'https://login.example.org/oauth/cb?code=CODE_CCC333&state=xyz',
  'https://bucket.s3.amazonaws.com/k.zip?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=AMZ_DDD444',
  'https://user:PASS_EEE555@db.example.io/',
];

function logText(): string {
  const good = GOOD_URLS.map((url, i) =>
    formatSquidNativeLine({
      tsMs: T0 + i * 60_000,
      elapsedMs: 120,
      clientIp: '10.9.8.7',
      resultCode: 'TCP_MISS',
      httpStatus: 200,
      bytes: 1000 + i,
      method: 'GET',
      url,
      user: 'dana',
      hierarchy: 'HIER_DIRECT/93.184.216.34',
      contentType: 'application/json',
    }),
  );
  // Malformed lines (each a different reject reason) that still carry every secret.
  const bad = [
    `garbage ${GOOD_URLS[0]} ${GOOD_URLS[1]}`,
    `${(T0 + 600_000) / 1000}.000 GET ${GOOD_URLS[2]}`,
    `${(T0 + 660_000) / 1000}.000    842 10.9.8.7 TCP_MISS/200 GET ${GOOD_URLS[3]} ${GOOD_URLS[4]}`,
    `${(T0 + 720_000) / 1000}.000 \u0001\u0002 ${GOOD_URLS.join(' ')}`,
  ];
  return [good[0], bad[0], good[1], good[2], bad[1], good[3], bad[2], good[4], bad[3]].map((l) => `${l}\n`).join('');
}

function listFilesRec(root: string): string[] {
  return readdirSync(root, { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFilesRec(join(root, e.name)) : e.isFile() ? [join(root, e.name)] : [],
  );
}

const sqlString = (s: string) => `'${s.replace(/'/g, "''")}'`;

async function withDuck<T>(path: string, options: Record<string, string>, fn: (all: (sql: string) => Promise<string[]>) => Promise<T>): Promise<T> {
  const instance = await DuckDBInstance.create(path, options);
  const conn = await instance.connect();
  try {
    return await fn(async (sql) => (await conn.runAndReadAll(sql)).getRowsJS().map((r) => String(r[0])));
  } finally {
    conn.closeSync();
    instance.closeSync();
  }
}

/** Every row of a Parquet file as JSON text (every column cast to text). */
function decodeParquet(file: string): Promise<string> {
  return withDuck(':memory:', {}, async (all) => (await all(`select to_json(t)::varchar from read_parquet(${sqlString(file)}) t`)).join('\n'));
}

/** Every row of every table of a DuckDB file, opened read-only, as JSON text. */
function decodeDuckDb(file: string): Promise<{ text: string; tables: string[] }> {
  return withDuck(file, { access_mode: 'READ_ONLY' }, async (all) => {
    const tables = await all(
      `select '"' || replace(table_schema, '"', '""') || '"."' || replace(table_name, '"', '""') || '"'
         from information_schema.tables where table_catalog = current_database() and table_type = 'BASE TABLE' order by 1`,
    );
    const parts: string[] = [];
    for (const t of tables) parts.push(`${t}:\n${(await all(`select to_json(t)::varchar from ${t} t`)).join('\n')}`);
    return { text: parts.join('\n'), tables };
  });
}

describe('secrets in logged URLs are never stored or printed', () => {
  const tmp = tempDir('shadowscan-cli-secrets-');
  const cwd = tmp.dir;
  const dataDir = join(cwd, 'data');
  const log = join(cwd, 'access.log');
  const outputs: Record<string, CliResult> = {};
  afterAll(tmp.cleanup);

  beforeAll(async () => {
    writeFileSync(log, logText());
    const run = (args: string[]) => runCli(['--data-dir', dataDir, ...args], { cwd, env: ENV });
    outputs['import --json'] = await run(['import', 'squid', log, '--instance', 'proxy-a', '--json']);
    // A second instance reads the same file again, so the human-readable output (with reject examples) is checked too.
    outputs.import = await run(['import', 'squid', log, '--instance', 'proxy-b']);
    outputs['status --json'] = await run(['status', '--json']);
  });

  it('the import really read the secret-bearing lines and rejected the malformed ones', () => {
    for (const [name, r] of Object.entries(outputs)) expect(r.code, `${name}: ${r.stderr}`).toBe(0);
    const res = json<{ results: { linesRead: number; rowsWritten: number; rejects: number; rejectExamples: string[] }[] }>(outputs['import --json']!).results[0]!;
    expect(res.linesRead).toBe(9);
    expect(res.rejects).toBe(4);
    expect(res.rejectExamples).toHaveLength(4);
    expect(res.rejectExamples.join('\n')).toContain('api.example.com');
    expect(outputs.import!.stdout).toContain('rejected line(s)');
  });

  it('no command output contains a secret', () => {
    for (const [name, r] of Object.entries(outputs)) {
      for (const s of SECRETS) {
        expect(r.stdout, `${name} stdout`).not.toContain(s);
        expect(r.stderr, `${name} stderr`).not.toContain(s);
      }
    }
  });

  it('nothing written under the data dir contains a secret, decoded', async () => {
    const files = listFilesRec(dataDir);
    const parquet = files.filter((f) => f.endsWith('.parquet'));
    const decoded: { file: string; text: string }[] = [];
    for (const f of files) {
      const raw = readFileSync(f);
      // The raw bytes are searched too (cheap, though a compressed file hides nothing from it).
      decoded.push({ file: `${f} (raw bytes)`, text: raw.toString('latin1') });
      if (f.endsWith('.parquet')) decoded.push({ file: f, text: await decodeParquet(f) });
      else if (f.endsWith('.gz')) decoded.push({ file: f, text: gunzipSync(raw).toString('utf8') });
      else if (f.endsWith('.duckdb')) {
        const { text, tables } = await decodeDuckDb(f);
        expect(tables).toEqual(expect.arrayContaining(['"main"."syncs"', '"main"."commits"', '"main"."file_cursors"']));
        decoded.push({ file: f, text });
      } else decoded.push({ file: f, text: raw.toString('utf8') });
    }

    // The decode read real data: two instances' Parquet with every host, and the state with the reject examples.
    expect(parquet.length).toBeGreaterThanOrEqual(2);
    const parquetText = decoded.filter((d) => d.file.endsWith('.parquet')).map((d) => d.text).join('\n');
    for (const h of HOSTS) expect(parquetText, `host ${h} in the decoded Parquet`).toContain(h);
    expect(parquetText).toContain('"user":"dana"');
    const stateText = decoded.find((d) => d.file === join(dataDir, 'state.duckdb'))?.text ?? '';
    expect(stateText).toContain('api.example.com'); // from the redacted reject examples
    expect(stateText).toContain(`${log}:2:`);

    const leaks = decoded.flatMap((d) => SECRETS.filter((s) => d.text.includes(s)).map((s) => `${s} in ${relative(dataDir, d.file)}`));
    expect(leaks).toEqual([]);
  });
});
