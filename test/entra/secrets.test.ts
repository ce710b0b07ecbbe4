// Secrets never stored (DESIGN.md "Storage" item 5; issue 6): after scanning one Entra instance
// with a client secret and one with a certificate (private key from file:, MSAL signing a
// client assertion; this one over real TLS with OIDC discovery and NODE_EXTRA_CA_CERTS), decode
// everything written — every Parquet file and state.duckdb table cast to text through DuckDB,
// every other file as bytes (.gz unpacked) — and search it for the secret and the key.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeAll } from '../helpers/decode.js';
import { REPO, tempDir } from '../helpers/cli.js';
import { startEntraEmulator, type EntraEmulator } from '../../fixtures/emulators/entra/index.js';
import { byStream, CLIENT_ID, CLIENT_SECRET, entraInstance, scan, startEntraWorld, type EntraWorld } from '../helpers/entra.js';

const CERT_CLIENT = '0c1d2e3f-4a5b-4c6d-8e7f-90a1b2c3d4e5';
const CERT = join(REPO, 'fixtures/tls/localhost.crt');
const KEY = join(REPO, 'fixtures/tls/localhost.key');
let world: EntraWorld;
let tlsEmu: EntraEmulator;
const tmp = tempDir();
const work = join(tmp.dir, 'work');
let scanOutput: string;
let results: Awaited<ReturnType<typeof scan>>['results'];

beforeAll(async () => {
  mkdirSync(work);
  mkdirSync(join(tmp.dir, 'keys'));
  copyFileSync(KEY, join(tmp.dir, 'keys', 'scanner.key'));
  const clients = [{ clientId: CLIENT_ID, secret: CLIENT_SECRET }, { clientId: CERT_CLIENT, certificatePem: readFileSync(CERT, 'utf8') }];
  world = await startEntraWorld({ clients });
  tlsEmu = await startEntraEmulator({ tenant: world.tenant, clock: world.clock, clients, tls: { cert: readFileSync(CERT), key: readFileSync(KEY) } });
  const fast = { streams: ['service_principals', 'applications', 'app_credentials', 'directory_audits'] };
  writeFileSync(
    join(work, 'shadowscan.yaml'),
    stringify({
      data_dir: '.shadowscan',
      instances: {
        'entra-secret': entraInstance(world.emu, fast),
        // Real TLS: MSAL discovers the tenant's endpoints over https (no token_endpoint shortcut).
        'entra-cert': entraInstance(tlsEmu, {
          ...fast,
          client_id: CERT_CLIENT,
          client_secret: undefined,
          token_endpoint: undefined,
          authority_host: tlsEmu.url,
          certificate: { private_key: `file:${join(tmp.dir, 'keys', 'scanner.key')}`, certificate_file: CERT },
        }),
      },
    }),
  );
  const r = await scan(work, { ...world.env, NODE_EXTRA_CA_CERTS: CERT });
  expect(r.code, r.stderr + r.stdout).toBe(0);
  scanOutput = r.stdout + r.stderr;
  results = r.results;
}, 120_000);
afterAll(async () => {
  await world.emu.close();
  await tlsEmu.close();
  tmp.cleanup();
});

describe('Entra credentials are absent from everything written', () => {
  it('both instances scanned completely, each with its own credential (secret; certificate over TLS)', () => {
    for (const instance of ['entra-secret', 'entra-cert']) {
      for (const s of ['service_principals', 'applications', 'app_credentials', 'directory_audits']) {
        expect([instance, s, results.find((x) => x.instance === instance && x.stream === s)?.status]).toEqual([instance, s, 'ok']);
      }
    }
    expect(byStream(results.filter((r) => r.instance === 'entra-cert')).service_principals!.rowsWritten).toBe(world.tenant.entra.servicePrincipals.length);
    // The certificate instance authenticated with a signed assertion over https.
    // (A token expires after an hour of the emulators' scaled clock; a slow run may need a second one.)
    expect(world.emu.stats.tokensIssued).toBeGreaterThanOrEqual(1);
    expect(tlsEmu.stats.tokensIssued).toBeGreaterThanOrEqual(1);
    expect(tlsEmu.stats.byRoute['/{tenant}/v2.0/.well-known/openid-configuration']).toBe(1);
  });

  it('the decoded lake, state DB and every other file hold known data but not the secret, any line of the key, or a token', async () => {
    const decoded = await decodeAll(work);
    const files = [...decoded.keys()];
    const parquet = files.filter((f) => f.endsWith('.parquet'));
    expect(parquet.some((f) => f.includes('instance=entra-cert'))).toBe(true);
    const creds = parquet.filter((f) => f.includes('stream=app_credentials')).map((f) => decoded.get(f)).join('\n');
    expect(creds).toContain('mailbox-archiver-script secret 1'); // credential metadata is kept…
    const pem = readFileSync(KEY, 'utf8');
    const keyLines = pem.split('\n').filter((l) => l && !l.startsWith('-----'));
    expect(keyLines.length).toBeGreaterThan(20);
    const keyBody = keyLines.join('');
    const needles = [CLIENT_SECRET, ...keyLines, keyBody.slice(0, 48), keyBody.slice(-48), 'emu-at.'];
    for (const [file, text] of decoded) {
      for (const n of needles) if (text.includes(n)) throw new Error(`secret material found in ${file}: ${n.slice(0, 12)}…`);
    }
    expect(scanOutput).not.toContain(CLIENT_SECRET);
    expect(scanOutput).not.toContain('emu-at.');
    expect(keyLines.some((l) => scanOutput.includes(l))).toBe(false);
  });
});
