// `shadowscan doctor` for Okta: can we reach the org, is the credential accepted, and may it
// read what each stream needs? One small request per stream; a 403 names the stream and the
// permission (Okta scope) it lacks.
import type { DoctorCheck, RunContext } from '../../src/connectors/types.js';
import { RateController, defaultRateOptions } from '../../src/connectors/runtime/rate.js';
import { errorMessage } from '../../src/errors.js';
import type { OktaConfig } from './config.js';
import { createOktaHttp, oktaRatePolicy } from './client.js';
import { oktaStreams } from './streams.js';

export async function oktaDoctor(ctx: RunContext, config: OktaConfig): Promise<DoctorCheck[]> {
  const rate = new RateController(oktaRatePolicy, ctx.clock, { ...defaultRateOptions, share: config.rate_share, maxRetries: 1, baseBackoffMs: 200 });
  const http = createOktaHttp(config, ctx.secrets, rate);
  const checks: DoctorCheck[] = [];
  const add = (check: string, ok: boolean, detail: string, hint?: string) => checks.push({ instance: ctx.instance, check, ok, detail, ...(hint ? { hint } : {}) });
  const since = new Date(ctx.clock.now() - 60_000).toISOString();
  const probe = async (path: string) => {
    try {
      const { body } = await http.getPage(path);
      return { ok: true as const, body };
    } catch (e) {
      return { ok: false as const, error: e as { status?: number; message: string; hint?: string } };
    }
  };

  const first = await probe('/api/v1/users?limit=1');
  const authFailed = !first.ok && /\b401\b/.test(first.error.message);
  const unreachable = !first.ok && !/\bHTTP \d{3}|\b40[0-9]\b/.test(first.error.message);
  add('reachability', !unreachable, unreachable ? errorMessage(first.error) : `${http.orgUrl} answers`, unreachable ? 'check orgUrl, DNS, HTTPS_PROXY/NO_PROXY and NODE_EXTRA_CA_CERTS' : undefined);
  if (unreachable) return checks;
  add('credentials', !authFailed, authFailed ? errorMessage(first.error) : `${config.token ? 'SSWS token' : 'OAuth service app'} accepted`, authFailed ? 'create a new API token (or check the service app key and key id) and update the secret' : undefined);
  if (authFailed) return checks;

  const apps = await probe('/api/v1/apps?limit=1');
  const users = first.ok && Array.isArray(first.body) ? (first.body as { id?: string }[]) : [];
  const appList = apps.ok && Array.isArray(apps.body) ? (apps.body as { id?: string }[]) : [];
  const targets: [keyof typeof oktaStreams, () => Promise<Awaited<ReturnType<typeof probe>>> | Awaited<ReturnType<typeof probe>>][] = [
    ['users', () => first],
    ['apps', () => apps],
    ['app_grants', () => (appList[0]?.id ? probe(`/api/v1/apps/${encodeURIComponent(appList[0].id)}/grants?limit=1`) : apps)],
    ['user_grants', () => (users[0]?.id ? probe(`/api/v1/users/${encodeURIComponent(users[0].id)}/grants?limit=1`) : first)],
    ['system_log', () => probe(`/api/v1/logs?since=${encodeURIComponent(since)}&limit=1`)],
  ];
  const wanted = new Set(config.streams ?? Object.keys(oktaStreams));
  for (const [stream, run] of targets) {
    if (!wanted.has(stream)) continue;
    const needs = oktaStreams[stream].permissions.join(', ');
    const r = await run();
    if (r.ok) add(`stream ${stream}`, true, `can read (needs ${needs})`);
    else if (/\b403\b/.test(r.error.message)) {
      add(`stream ${stream}`, false, `permission missing: ${needs} (${r.error.message})`, `grant ${needs} to the ${config.token ? "token's admin role" : 'service app'} or remove ${stream} from streams:`);
    } else add(`stream ${stream}`, false, errorMessage(r.error), r.error.hint);
  }
  return checks;
}
