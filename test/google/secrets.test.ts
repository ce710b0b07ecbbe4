// The service-account private key never reaches anything written (DESIGN.md "Storage" item 5;
// issue 7): after a complete scan and a failing one (delegation refused, so errors are written),
// decode everything under the work dir — every Parquet file and every state.duckdb table cast to
// text through DuckDB, every other file as bytes (.gz unpacked), the key file itself excepted —
// and search it for the key's lines, its body and the whole JSON key.
import { DuckDBInstance } from '@duckdb/node-api';
import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { SCOPE } from '../../fixtures/emulators/google/index.js';
import { GOOGLE_STREAMS, SA_CLIENT_ID, SA_EMAIL, scan, serviceAccountKey, startGoogleWorld, writeGoogleConfig, type GoogleWorld } from './world.js';

const tmp = tempDir();
const worlds: GoogleWorld[] = [];
let output = '';
let okDir: string;
let failDir: string;
let results: Awaited<ReturnType<typeof scan>>['results'] = [];
let failResults: Awaited<ReturnType<typeof scan>>['results'] = [];

beforeAll(async () => {
  const ok = await startGoogleWorld();
  const refused = await startGoogleWorld({ serviceAccounts: [{ clientEmail: SA_EMAIL, clientId: SA_CLIENT_ID, publicKey: serviceAccountKey().publicPem, delegatedScopes: [SCOPE.reports] }] });
  worlds.push(ok, refused);
  okDir = join(tmp.dir, 'ok');
  failDir = join(tmp.dir, 'refused');
  mkdirSync(okDir);
  mkdirSync(failDir);
  writeGoogleConfig(okDir, ok);
  writeGoogleConfig(failDir, refused);
  const a = await scan(okDir, ok.env);
  const b = await scan(failDir, refused.env);
  results = a.results;
  failResults = b.results;
  output = a.stdout + a.stderr + b.stdout + b.stderr;
}, 120_000);
afterAll(async () => {
  await Promise.all(worlds.map((w) => w.emu.close()));
  tmp.cleanup();
});

function walk(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(join(dir, e.name)) : [join(dir, e.name)]));
}

async function decodeAll(root: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  const mem = await DuckDBInstance.create(':memory:');
  const conn = await mem.connect();
  for (const file of walk(root)) {
    if (file.endsWith('sa-key.json')) continue; // the user's own key file, not something shadowscan wrote
    if (file.endsWith('.parquet')) {
      const rows = (await conn.runAndReadAll(`select t::varchar as v from read_parquet('${file.replace(/'/g, "''")}') t`)).getRowObjectsJS();
      out.set(file, rows.map((r) => String(r.v)).join('\n'));
    } else if (file.endsWith('.duckdb')) {
      const db = await DuckDBInstance.create(file, { access_mode: 'READ_ONLY' });
      const c = await db.connect();
      const tables = (await c.runAndReadAll('select schema_name, table_name from duckdb_tables() where not internal')).getRowObjectsJS();
      const parts: string[] = [];
      for (const t of tables) {
        const rows = (await c.runAndReadAll(`select t::varchar as v from "${String(t.schema_name)}"."${String(t.table_name)}" t`)).getRowObjectsJS();
        parts.push(`# ${String(t.table_name)}\n${rows.map((r) => String(r.v)).join('\n')}`);
      }
      c.closeSync();
      db.closeSync();
      out.set(file, parts.join('\n'));
    } else {
      const bytes = readFileSync(file);
      out.set(file, (file.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('latin1'));
    }
  }
  conn.closeSync();
  mem.closeSync();
  return out;
}

describe('the service-account private key is absent from everything written', () => {
  it('one scan completed and one failed on delegation (so there are rows and errors to search)', () => {
    for (const s of GOOGLE_STREAMS) expect([s, results.find((r) => r.stream === s)?.status]).toEqual([s, 'ok']);
    expect(failResults.find((r) => r.stream === 'users')?.error).toContain('unauthorized_client');
    expect(worlds[0]!.emu.stats.tokensIssued).toBeGreaterThan(0);
  });

  it('the decoded lake, state DB and other files hold known data but no line of the key', async () => {
    const decoded = new Map([...(await decodeAll(okDir)), ...(await decodeAll(failDir))]);
    const files = [...decoded.keys()];
    expect(files.filter((f) => f.endsWith('.parquet')).length).toBeGreaterThan(3);
    expect(files.some((f) => f.endsWith('state.duckdb'))).toBe(true);
    const all = [...decoded.values()].join('\n');
    expect(all).toContain('Mail Merge Helper');
    expect(all).toContain('unauthorized_client');

    const pem = serviceAccountKey().pem;
    const keyLines = pem.split('\n').filter((l) => l && !l.startsWith('-----'));
    expect(keyLines.length).toBeGreaterThan(20);
    const body = keyLines.join('');
    // Also as it sits JSON-escaped inside the key file.
    const needles = [...keyLines, body.slice(0, 48), body.slice(-48), JSON.stringify(pem).slice(1, 80)];
    for (const [file, text] of decoded) for (const n of needles) if (text.includes(n)) throw new Error(`key material found in ${file}: ${n.slice(0, 12)}…`);
    expect(keyLines.some((l) => output.includes(l))).toBe(false);
    expect(output).not.toContain('PRIVATE KEY');
  });
});
