// Secrets never stored (DESIGN.md "Storage" item 5; issue 4): after scanning one instance with an
// SSWS token and one with an OAuth service app (private_key_jwt, key from file:), decode
// everything written — every Parquet file and every state.duckdb table cast to text through
// DuckDB, every other file as bytes (.gz unpacked) — and search it for the token and the key.
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAll } from '../helpers/decode.js';
import { tempDir } from '../helpers/cli.js';
import { byStream, scan, startWorld, STREAMS, type OktaWorld } from '../helpers/okta.js';

const TOKEN = 'ssws-00T0ken-9f3c2e71d4b84a6e';
let world: OktaWorld;
const tmp = tempDir();
const work = join(tmp.dir, 'work');
const keyDir = join(tmp.dir, 'keys');
let pem: string;
let scanOutput: string;
let results: Awaited<ReturnType<typeof scan>>['results'];

beforeAll(async () => {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
  mkdirSync(work);
  mkdirSync(keyDir);
  writeFileSync(join(keyDir, 'scanner.pem'), pem, { mode: 0o600 });
  world = await startWorld({
    tokens: { [TOKEN]: '*' },
    oauthClients: [{ clientId: '0oaShadowscanSvc', publicKey: publicKey.export({ type: 'spki', format: 'pem' }) as string, keyId: 'kid-7' }],
  });
  const common = { type: 'okta', orgUrl: world.emu.url, backoff_ms: 20, max_retries: 2, timeout_seconds: 1, logs: { since_days: 15, page_size: 1000 } };
  writeFileSync(
    join(work, 'shadowscan.yaml'),
    stringify({
      data_dir: '.shadowscan',
      instances: {
        'okta-prod': { ...common, token: '${OKTA_TOKEN}' },
        'okta-svc': { ...common, oauth: { client_id: '0oaShadowscanSvc', private_key: `file:${join(keyDir, 'scanner.pem')}`, key_id: 'kid-7' } },
      },
    }),
  );
  const r = await scan(work, { ...world.env, OKTA_TOKEN: TOKEN });
  expect(r.code, r.stderr).toBe(0);
  scanOutput = r.stdout + r.stderr;
  results = r.results;
});
afterAll(async () => {
  await world.emu.close();
  tmp.cleanup();
});

describe('secrets are absent from everything written', () => {
  it('both instances scanned completely (so there is something to search)', () => {
    for (const instance of ['okta-prod', 'okta-svc']) {
      for (const s of STREAMS) {
        const r = results.find((x) => x.instance === instance && x.stream === s);
        expect([instance, s, r?.status]).toEqual([instance, s, 'ok']);
      }
    }
    expect(byStream(results.filter((r) => r.instance === 'okta-svc')).apps!.rowsWritten).toBe(world.tenant.okta.apps.length);
    // The service app authenticated with its key: the emulator issued an access token.
    expect(world.emu.stats.tokensIssued).toBeGreaterThan(0);
  });

  it('the decoded lake, state DB and every other file hold known data but not the token or any line of the private key', async () => {
    const decoded = await decodeAll(work);
    const files = [...decoded.keys()];
    const parquet = files.filter((f) => f.endsWith('.parquet'));
    // Both instances' streams were written and decode to text (the search is not vacuous).
    expect(parquet.some((f) => f.includes('instance=okta-svc'))).toBe(true);
    expect(files.some((f) => f.endsWith('state.duckdb'))).toBe(true);
    const all = [...decoded.values()].join('\n');
    const appsText = parquet.filter((f) => f.includes('stream=apps')).map((f) => decoded.get(f)).join('\n');
    expect(appsText).toContain('Notion-to-Sheets sync');
    expect(decoded.get(files.find((f) => f.endsWith('state.duckdb'))!)).toContain('okta-svc');

    const keyLines = pem.split('\n').filter((l) => l && !l.startsWith('-----'));
    expect(keyLines.length).toBeGreaterThan(20);
    const keyBody = keyLines.join('');
    const needles = [TOKEN, ...keyLines, keyBody.slice(0, 48), keyBody.slice(-48)];
    for (const [file, text] of decoded) {
      for (const n of needles) if (text.includes(n)) throw new Error(`secret material found in ${file}: ${n.slice(0, 12)}…`);
    }
    expect(all).not.toContain(TOKEN);
    expect(scanOutput).not.toContain(TOKEN);
    expect(keyLines.some((l) => scanOutput.includes(l))).toBe(false);
  });
});
