// `shadowscan doctor` for Google: is the service-account key usable, which scopes does
// domain-wide delegation authorise (one token request per scope, since Google refuses a
// request for several scopes as a whole when any one is missing), and may the impersonated
// admin read what each stream needs (one small request per stream).
import type { DoctorCheck, RunContext } from '../../src/connectors/types.js';
import { RateController, defaultRateOptions } from '../../src/connectors/runtime/rate.js';
import { errorMessage, ExternalError } from '../../src/errors.js';
import { GOOGLE_SCOPES, googleStreamNames, type GoogleConfig, type GoogleStreamName } from './config.js';
import { createGoogleApis, describeGoogleError, googleRatePolicy, type GoogleApis } from './client.js';

const SCOPE_OF: Record<GoogleStreamName, string> = {
  users: GOOGLE_SCOPES.users,
  tokens: GOOGLE_SCOPES.tokens,
  token_activity: GOOGLE_SCOPES.reports,
  login_activity: GOOGLE_SCOPES.reports,
};

export async function googleDoctor(ctx: RunContext, config: GoogleConfig): Promise<DoctorCheck[]> {
  const checks: DoctorCheck[] = [];
  const add = (check: string, ok: boolean, detail: string, hint?: string) => checks.push({ instance: ctx.instance, check, ok, detail, ...(hint ? { hint } : {}) });
  const rate = new RateController(googleRatePolicy(config), ctx.clock, { ...defaultRateOptions, share: config.rate_share, maxRetries: 1, baseBackoffMs: 200 });
  let apis: GoogleApis;
  try {
    apis = createGoogleApis(config, ctx.secrets, rate);
  } catch (e) {
    add('service account key', false, errorMessage(e), e instanceof ExternalError ? e.hint : undefined);
    return checks;
  }
  add('service account key', true, `${apis.clientEmail}${apis.clientId ? ` (client id ${apis.clientId})` : ''}, impersonating ${apis.subject}`);

  const wanted = new Set<GoogleStreamName>(config.streams ?? googleStreamNames);
  const scopes = [...new Set([...wanted].map((s) => SCOPE_OF[s]))];
  const refused = new Set<string>();
  for (const scope of scopes) {
    try {
      await apis.token([scope]);
      add(`delegation ${scope}`, true, 'token issued for this scope');
    } catch (e) {
      const d = describeGoogleError(e, { what: `token for ${scope}`, stream: 'users', scope, apis });
      const unreachable = /connection to Google kept failing|network path/.test(`${d.message} ${d.hint ?? ''}`);
      if (unreachable) {
        add('reachability', false, d.message, d.hint);
        return checks;
      }
      refused.add(scope);
      add(`delegation ${scope}`, false, d.message, d.hint);
    }
  }

  let firstUser: string | undefined;
  for (const stream of googleStreamNames) {
    if (!wanted.has(stream)) continue;
    const scope = SCOPE_OF[stream];
    if (refused.has(scope)) {
      add(`stream ${stream}`, false, `not checked: scope ${scope} is not authorised for domain-wide delegation`, `authorise ${scope} first`);
      continue;
    }
    try {
      if (stream === 'users') {
        const res = await apis.directory(scope).users.list({ customer: config.customer, maxResults: 1 });
        firstUser = res.data.users?.[0]?.id ?? undefined;
      } else if (stream === 'tokens') {
        await apis.directory(scope).tokens.list({ userKey: firstUser ?? config.subject });
      } else {
        await apis.reports().activities.list({ userKey: 'all', applicationName: stream === 'token_activity' ? 'token' : 'login', maxResults: 1 });
      }
      add(`stream ${stream}`, true, `can read (needs ${scope})`);
    } catch (e) {
      const d = describeGoogleError(e, { what: `stream ${stream}`, stream, scope, apis });
      add(`stream ${stream}`, false, d.message, d.hint);
    }
  }
  return checks;
}
