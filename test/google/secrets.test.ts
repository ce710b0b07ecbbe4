// The service-account private key never reaches anything written (DESIGN.md "Storage" item 5;
// issue 7): after a complete scan and a failing one (delegation refused, so errors are written),
// decode everything under the work dir — every Parquet file and every state.duckdb table cast to
// text through DuckDB, every other file as bytes (.gz unpacked), the key file itself excepted —
// and search it for the key's lines, its body and the whole JSON key.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAll } from '../helpers/decode.js';
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

describe('the service-account private key is absent from everything written', () => {
  it('one scan completed and one failed on delegation (so there are rows and errors to search)', () => {
    for (const s of GOOGLE_STREAMS) expect([s, results.find((r) => r.stream === s)?.status]).toEqual([s, 'ok']);
    expect(failResults.find((r) => r.stream === 'users')?.error).toContain('unauthorized_client');
    expect(worlds[0]!.emu.stats.tokensIssued).toBeGreaterThan(0);
  });

  it('the decoded lake, state DB and other files hold known data but no line of the key', async () => {
    // The user's own key file is not something shadowscan wrote.
    const ownKey = (f: string) => f.endsWith('sa-key.json');
    const decoded = new Map([...(await decodeAll(okDir, ownKey)), ...(await decodeAll(failDir, ownKey))]);
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
