// Shared set-up for the Entra end-to-end tests: the synthetic demo tenant served by the Graph
// emulator (with its token endpoint) on a time-scaled clock the CLI child shares through
// SHADOWSCAN_CLOCK, and an instance configured the way a real tenant is (tenant id, client id,
// client secret from the environment), with token_endpoint pointing MSAL at the emulator.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { anchoredClock, clockEnv, type Clock } from '../../src/clock.js';
import { startEntraEmulator, type EntraEmulator, type EntraEmulatorOptions } from '../../fixtures/emulators/entra/index.js';
import type { Tenant } from '../../fixtures/tenant/index.js';
import { demoTenant, NOW } from './okta.js';
import { query } from './okta.js';

export { NOW, demoTenant, query };
export { byStream, scan, type StreamResult } from './okta.js';

/** 1 real second = 10 virtual minutes: Graph's 10-second windows pass in ~17 ms. */
export const SCALE = 600;
export const CLIENT_ID = '6f1d3c2b-5a4e-4f10-9a8b-7c6d5e4f3a21';
export const CLIENT_SECRET = 'emu~Secret.8Q~d1v9Xk2pLr7TtZb0aNcWy';

export interface EntraWorld {
  tenant: Tenant;
  emu: EntraEmulator;
  clock: Clock;
  env: NodeJS.ProcessEnv;
}

export async function startEntraWorld(opts: Partial<EntraEmulatorOptions> = {}, scale = SCALE): Promise<EntraWorld> {
  const tenant = demoTenant();
  const anchorReal = Date.now();
  const clock = anchoredClock(scale, anchorReal, tenant.now);
  const emu = await startEntraEmulator({ tenant, clock, clients: [{ clientId: CLIENT_ID, secret: CLIENT_SECRET }], ...opts });
  return { tenant, emu, clock, env: { SHADOWSCAN_CLOCK: clockEnv(scale, anchorReal, tenant.now), ENTRA_CLIENT_SECRET: CLIENT_SECRET } };
}

export const ENTRA_STREAMS = ['users', 'service_principals', 'applications', 'app_credentials', 'oauth2_permission_grants', 'app_role_assignments', 'directory_audits', 'sign_ins'] as const;

/** The instance config pointing at the emulator (extra keys override). */
export function entraInstance(emu: EntraEmulator, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const instance: Record<string, unknown> = {
    type: 'entra',
    tenant_id: emu.tenantId,
    client_id: CLIENT_ID,
    client_secret: '${ENTRA_CLIENT_SECRET}',
    authority_host: 'https://login.emu.local',
    token_endpoint: emu.tokenEndpoint,
    graph_url: emu.url,
    backoff_ms: 20,
    max_retries: 2,
    timeout_seconds: 1,
    sign_ins: { since_days: 15, overlap_minutes: 15, page_size: 1000 },
    directory_audits: { since_days: 30, overlap_minutes: 15, page_size: 1000 },
    ...extra,
  };
  for (const [k, v] of Object.entries(extra)) if (v === undefined) delete instance[k];
  return instance;
}

/** Writes <dir>/shadowscan.yaml with one instance `entra-prod` (and the registry dir, if given). */
export function writeEntraConfig(dir: string, emu: EntraEmulator, extra: Record<string, unknown> = {}, top: Record<string, unknown> = {}): string {
  const file = join(dir, 'shadowscan.yaml');
  writeFileSync(file, stringify({ data_dir: '.shadowscan', ...top, instances: { 'entra-prod': entraInstance(emu, extra) } }));
  return file;
}

/** Interactive sign-ins only (what v1.0 returns). */
export function interactiveSignIns(tenant: Tenant, sinceMs = -Infinity) {
  return [...tenant.entra.signIns].filter((s) => (s.signInEventTypes as string[])[0] === 'interactiveUser' && Date.parse(String(s.createdDateTime)) >= sinceMs);
}

/** What a complete scan must hold per raw stream (sign-ins: v1.0 only, unless `beta`). */
export function expectedEntraCounts(tenant: Tenant, beta = false) {
  const e = tenant.entra;
  const credentials = [...e.applications, ...e.servicePrincipals].reduce((n, o) => n + (o.passwordCredentials as unknown[]).length + (o.keyCredentials as unknown[]).length, 0);
  return {
    users: e.users.length,
    service_principals: e.servicePrincipals.length,
    applications: e.applications.length,
    app_credentials: credentials,
    oauth2_permission_grants: e.grants.length,
    app_role_assignments: e.counts.appRoleAssignments,
    directory_audits: e.directoryAudits.length,
    sign_ins: beta ? e.signIns.length : interactiveSignIns(tenant).length,
  };
}

export async function entraRawCounts(dir: string, env: NodeJS.ProcessEnv): Promise<Record<(typeof ENTRA_STREAMS)[number], number>> {
  const sql = `select ${ENTRA_STREAMS.map((s) => `(select count(*) from raw.entra_${s}) as ${s}`).join(', ')}`;
  return (await query<Record<(typeof ENTRA_STREAMS)[number], number>>(dir, sql, env))[0]!;
}
