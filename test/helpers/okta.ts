// Shared set-up for the Okta end-to-end tests: the synthetic demo tenant served by the Okta
// emulator on a time-scaled clock that the CLI child shares through SHADOWSCAN_CLOCK, and an
// instance configured the way a real org is (orgUrl, token from the environment).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { anchoredClock, clockEnv, type Clock } from '../../src/clock.js';
import { OKTA_EMULATOR_ADMIN_TOKEN, startOktaEmulator, type OktaEmulator, type OktaEmulatorOptions } from '../../fixtures/emulators/okta/index.js';
import { generateTenant, type Tenant } from '../../fixtures/tenant/index.js';

// The child inherits process.env: no proxy or OKTA_CLIENT_* defaults from the machine.
for (const k of Object.keys(process.env)) if (/^(https?_proxy|no_proxy|all_proxy|OKTA_CLIENT_)/i.test(k)) delete process.env[k];

export const NOW = Date.parse('2025-06-15T12:00:00.000Z');
/** 1 real second = 10 virtual minutes: Okta's one-minute rate windows pass in 0.1 s. */
export const SCALE = 600;

let cachedTenant: Tenant | undefined;
export function demoTenant(): Tenant {
  return (cachedTenant ??= generateTenant({ seed: 42, size: 'demo', now: NOW }));
}

export interface OktaWorld {
  tenant: Tenant;
  emu: OktaEmulator;
  clock: Clock;
  /** Env for the CLI child: the shared clock and the token. */
  env: NodeJS.ProcessEnv;
}

/** Starts the emulator on a scaled clock anchored now at the tenant's `now`. */
export async function startWorld(opts: Partial<OktaEmulatorOptions> = {}, scale = SCALE): Promise<OktaWorld> {
  const tenant = demoTenant();
  const anchorReal = Date.now();
  const clock = anchoredClock(scale, anchorReal, tenant.now);
  const emu = await startOktaEmulator({ tenant, clock, ...opts });
  return { tenant, emu, clock, env: { SHADOWSCAN_CLOCK: clockEnv(scale, anchorReal, tenant.now), OKTA_TOKEN: OKTA_EMULATOR_ADMIN_TOKEN } };
}

/** Writes <dir>/shadowscan.yaml with one instance `okta-prod` pointing at `orgUrl`. */
export function writeOktaConfig(dir: string, orgUrl: string, extra: Record<string, unknown> = {}): string {
  const file = join(dir, 'shadowscan.yaml');
  const instance = {
    type: 'okta',
    orgUrl,
    token: '${OKTA_TOKEN}',
    backoff_ms: 20,
    max_retries: 2,
    timeout_seconds: 1,
    // The tenant's System Log covers 14 days; read all of it.
    logs: { since_days: 15, page_size: 1000 },
    ...extra,
  };
  if ('token' in extra && extra.token === undefined) delete (instance as Record<string, unknown>).token;
  writeFileSync(file, stringify({ data_dir: '.shadowscan', instances: { 'okta-prod': instance } }));
  return file;
}

import { query } from './scan.js';

export { byStream, query, scan, type StreamResult } from './scan.js';

/** What a complete, correct scan of the tenant must hold (users include DEPROVISIONED ones). */
export function expectedCounts(tenant: Tenant) {
  const users = [...tenant.okta.users];
  const apps = [...tenant.okta.apps];
  return {
    users: users.length,
    apps: apps.length,
    app_grants: apps.reduce((n, a) => n + tenant.okta.appGrants(a.id).length, 0),
    user_grants: users.reduce((n, u) => n + tenant.okta.userGrants(u.id).length, 0),
    system_log: tenant.okta.systemLog.length,
  };
}

export const STREAMS = ['users', 'apps', 'app_grants', 'user_grants', 'system_log'] as const;

/** Rows per raw stream as the views show them (one query). */
export async function rawCounts(dir: string, env: NodeJS.ProcessEnv): Promise<Record<(typeof STREAMS)[number], number>> {
  const sql = `select ${STREAMS.map((s) => `(select count(*) from raw.okta_${s}) as ${s}`).join(', ')}`;
  return (await query<Record<(typeof STREAMS)[number], number>>(dir, sql, env))[0]!;
}
