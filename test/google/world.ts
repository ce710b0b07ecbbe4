// Shared set-up for the Google end-to-end tests: the synthetic demo tenant served by the Google
// emulator on a time-scaled clock the CLI child shares (SHADOWSCAN_CLOCK), a service account
// with a fresh RSA key (its JSON key file read through `file:`), and an instance configured as
// a real domain is, with root_url/token_url pointing at the emulator. The registry holds every
// approved app of the tenant, so only planted apps should alarm.
import { generateKeyPairSync } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { anchoredClock, clockEnv, type Clock } from '../../src/clock.js';
import { startGoogleEmulator, type GoogleEmulator, type GoogleEmulatorOptions } from '../../fixtures/emulators/google/index.js';
import { generateTenant, type Tenant } from '../../fixtures/tenant/index.js';

// The child inherits process.env: no proxy settings from the machine.
for (const k of Object.keys(process.env)) if (/^(https?_proxy|no_proxy|all_proxy)$/i.test(k)) delete process.env[k];

export const NOW = Date.parse('2025-06-15T12:00:00.000Z');
/** 1 real second = 10 virtual minutes: Google's one-minute quota windows pass in 0.1 s. */
export const SCALE = 600;
export const SA_EMAIL = 'shadowscan-reader@acme-sec.iam.gserviceaccount.com';
export const SA_CLIENT_ID = '104857600012345678901';

let cachedTenant: Tenant | undefined;
export function demoTenant(): Tenant {
  return (cachedTenant ??= generateTenant({ seed: 42, size: 'demo', now: NOW }));
}

let cachedKey: { pem: string; publicPem: string } | undefined;
export function serviceAccountKey(): { pem: string; publicPem: string } {
  if (!cachedKey) {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    cachedKey = { pem: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, publicPem: publicKey.export({ type: 'spki', format: 'pem' }) as string };
  }
  return cachedKey;
}

export interface GoogleWorld {
  tenant: Tenant;
  emu: GoogleEmulator;
  clock: Clock;
  env: NodeJS.ProcessEnv;
  /** The admin the scanner impersonates. */
  subject: string;
}

export async function startGoogleWorld(opts: Partial<GoogleEmulatorOptions> = {}, scale = SCALE): Promise<GoogleWorld> {
  const tenant = demoTenant();
  const anchorReal = Date.now();
  const clock = anchoredClock(scale, anchorReal, tenant.now);
  const key = serviceAccountKey();
  const emu = await startGoogleEmulator({
    tenant,
    clock,
    serviceAccounts: [{ clientEmail: SA_EMAIL, clientId: SA_CLIENT_ID, publicKey: key.publicPem }],
    ...opts,
  });
  const subject = [...tenant.google.users].find((u) => u.isAdmin)!.primaryEmail;
  return { tenant, emu, clock, subject, env: { SHADOWSCAN_CLOCK: clockEnv(scale, anchorReal, tenant.now) } };
}

/** Writes <dir>/shadowscan.yaml (instance `google-prod`), the key file and the tenant's registry. */
export function writeGoogleConfig(dir: string, world: GoogleWorld, extra: Record<string, unknown> = {}): string {
  const keyFile = join(dir, 'sa-key.json');
  const key = serviceAccountKey();
  writeFileSync(
    keyFile,
    JSON.stringify({ type: 'service_account', project_id: 'acme-sec', private_key_id: 'a1b2c3d4e5f6', private_key: key.pem, client_email: SA_EMAIL, client_id: SA_CLIENT_ID, token_uri: 'https://oauth2.googleapis.com/token' }),
    { mode: 0o600 },
  );
  mkdirSync(join(dir, 'registry'), { recursive: true });
  for (const entry of world.tenant.registry) writeFileSync(join(dir, 'registry', `${entry.id}.yaml`), stringify(entry));
  const instance = {
    type: 'google',
    service_account_key: `file:${keyFile}`,
    subject: world.subject,
    root_url: world.emu.url,
    token_url: world.emu.tokenUrl,
    backoff_ms: 20,
    max_retries: 2,
    timeout_seconds: 2,
    checkpoint_every: 10,
    // The tenant's audit events cover 14 days; read all of them.
    reports: { since_days: 15, overlap_minutes: 60, page_size: 200 },
    ...extra,
  };
  const file = join(dir, 'shadowscan.yaml');
  writeFileSync(file, stringify({ data_dir: '.shadowscan', instances: { 'google-prod': instance } }));
  return file;
}

export { byStream, query, scan, type StreamResult } from '../helpers/scan.js';

/** Rows a complete scan must hold per stream. */
export function expectedCounts(tenant: Tenant) {
  const g = tenant.google;
  return { users: g.users.length, tokens: g.counts.tokens, token_activity: g.counts.tokenEvents, login_activity: g.counts.loginEvents };
}

export const GOOGLE_STREAMS = ['users', 'tokens', 'token_activity', 'login_activity'] as const;
