// `shadowscan doctor` for Entra: does the sign-in endpoint accept the app's credential (MSAL),
// can Graph be reached, and may the app read what each stream needs? One small request per
// stream ($top=1); a 403 names the stream and the application permission it lacks.
import type { DoctorCheck, RunContext } from '../../src/connectors/types.js';
import { RateController, defaultRateOptions } from '../../src/connectors/runtime/rate.js';
import { errorMessage } from '../../src/errors.js';
import type { EntraConfig } from './config.js';
import { createEntraHttp, EntraPermissionError, graphRatePolicy } from './client.js';
import { entraStreams, type EntraStreamName } from './streams.js';

export async function entraDoctor(ctx: RunContext, config: EntraConfig): Promise<DoctorCheck[]> {
  const rate = new RateController(graphRatePolicy(config), ctx.clock, { ...defaultRateOptions, share: config.rate_share, maxRetries: 1, baseBackoffMs: 200 });
  const http = createEntraHttp(config, ctx.secrets, rate);
  const checks: DoctorCheck[] = [];
  const add = (check: string, ok: boolean, detail: string, hint?: string) => checks.push({ instance: ctx.instance, check, ok, detail, ...(hint ? { hint } : {}) });

  try {
    await http.token();
    add('credentials', true, `${config.client_secret ? 'client secret' : 'certificate'} of app ${config.client_id} accepted by ${new URL(config.token_endpoint ?? config.authority_host).host}`);
  } catch (e) {
    const err = e as { message: string; hint?: string };
    add('credentials', false, errorMessage(e), err.hint);
    return checks;
  }

  const now = new Date(ctx.clock.now());
  const dayAgo = new Date(now.getTime() - 86_400_000).toISOString();
  const probes: Record<EntraStreamName, string> = {
    users: '/v1.0/users?$top=1',
    service_principals: '/v1.0/servicePrincipals?$top=1',
    applications: '/v1.0/applications?$top=1',
    app_credentials: '/v1.0/applications?$top=1&$select=id,appId,passwordCredentials,keyCredentials',
    oauth2_permission_grants: '/v1.0/oauth2PermissionGrants?$top=1',
    app_role_assignments: '/v1.0/servicePrincipals?$top=1',
    directory_audits: `/v1.0/auditLogs/directoryAudits?$top=1&$filter=${encodeURIComponent(`activityDateTime ge ${dayAgo}`)}`,
    sign_ins: `/v1.0/auditLogs/signIns?$top=1&$filter=${encodeURIComponent(`createdDateTime ge ${dayAgo}`)}`,
  };
  const wanted = new Set((config.streams as EntraStreamName[] | undefined) ?? (Object.keys(entraStreams) as EntraStreamName[]));
  let reachable = false;
  for (const [stream, path] of Object.entries(probes) as [EntraStreamName, string][]) {
    if (!wanted.has(stream)) continue;
    const needs = entraStreams[stream].permissions.join(' or ');
    try {
      await http.getPage(path);
      if (!reachable) add('reachability', true, `${http.graphUrl} answers`);
      reachable = true;
      add(`stream ${stream}`, true, `can read (needs ${needs})`);
    } catch (e) {
      const err = e as { message: string; hint?: string };
      if (e instanceof EntraPermissionError) {
        add(`stream ${stream}`, false, `permission missing: ${needs} (${err.message})`, `add the application permission ${needs} to the app registration, grant admin consent, or remove ${stream} from streams:`);
      } else if (!reachable && !/HTTP \d{3}/.test(err.message)) {
        add('reachability', false, errorMessage(e), 'check graph_url, DNS, HTTPS_PROXY/NO_PROXY and NODE_EXTRA_CA_CERTS');
        return checks;
      } else add(`stream ${stream}`, false, errorMessage(e), err.hint);
    }
  }
  return checks;
}
