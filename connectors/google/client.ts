// I/O only: the real @googleapis/admin (directory_v1, reports_v1) authenticated by a
// google-auth-library JWT — a service account with domain-wide delegation impersonating an
// admin. One JWT per stream's scope, so a scope that is not authorised for delegation fails only
// the streams that need it, and the error names it. Every request, the token request included,
// goes through a gaxios request interceptor on the JWT's own transporter that
//   - moves the token request to `token_url` (gtoken hard-codes https://oauth2.googleapis.com/token),
//   - picks the proxy agent (HTTPS_PROXY/NO_PROXY via the runtime's agentFor),
//   - turns gaxios' own retries off and hands the attempt to the runtime's rate controller, which
//     recognises Google's throttling (403 userRateLimitExceeded & co., 429, 503) by its reason.
import { admin, type admin_directory_v1, type admin_reports_v1 } from '@googleapis/admin';
import { JWT } from 'google-auth-library';
import { ExternalError } from '../../src/errors.js';
import { registerSecret } from '../../src/redact.js';
import { agentFor } from '../../src/connectors/runtime/proxy.js';
import { classifyJsonAnswer, RetriesExhausted, type ProviderRatePolicy, type RateController } from '../../src/connectors/runtime/rate.js';
import type { Secret } from '../../src/config/secrets.js';
import { GOOGLE_SCOPES, type GoogleConfig } from './config.js';

const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';

export function googleRatePolicy(config: Pick<GoogleConfig, 'quota_per_minute' | 'reports_quota_per_minute' | 'token_url'>): ProviderRatePolicy {
  const tokenPath = new URL(config.token_url).pathname;
  return {
    windowMs: 60_000,
    defaultLimit: config.quota_per_minute,
    limitOf: (bucket) => (bucket === 'reports' ? config.reports_quota_per_minute : bucket === 'directory' ? config.quota_per_minute : undefined),
    bucket(url) {
      const p = url.pathname.replace(/\/{2,}/g, '/');
      if (p.startsWith('/admin/reports/')) return 'reports';
      if (p.startsWith('/admin/directory/')) return 'directory';
      if (p === tokenPath) return 'token';
      return 'other';
    },
    // Google sends no limit/remaining/reset headers; only an occasional Retry-After on 429/503.
    signals(status, header, nowMs) {
      const retryAfter = Number(header('retry-after'));
      return { retryAtMs: (status === 429 || status === 503) && Number.isFinite(retryAfter) && retryAfter > 0 ? nowMs + retryAfter * 1000 : undefined };
    },
    classify: (status, header, body) => classifyJsonAnswer(status, header, body, { byReason: true }),
  };
}

interface ServiceAccountKey {
  client_email: string;
  private_key: string;
  client_id?: string;
}

/** The service-account JSON key, checked; never echoes the key. */
export function parseServiceAccountKey(secret: Secret | undefined): ServiceAccountKey {
  if (!secret) throw new ExternalError('google', 'no value for service_account_key', { hint: 'set service_account_key to ${ENV_VAR} or file:/path/to/key.json (the JSON key of the service account)' });
  let parsed: unknown;
  try {
    parsed = JSON.parse(secret.reveal());
  } catch {
    throw new ExternalError('google', `service_account_key (${secret.source}) is not JSON`, { hint: 'use the JSON key file downloaded from Google Cloud console → IAM → Service accounts → Keys' });
  }
  const k = parsed as Partial<ServiceAccountKey>;
  if (typeof k.client_email !== 'string' || typeof k.private_key !== 'string' || !k.private_key.includes('PRIVATE KEY')) {
    throw new ExternalError('google', `service_account_key (${secret.source}) lacks client_email or private_key`, { hint: 'use a service-account JSON key (type "service_account")' });
  }
  // The PEM as such, and each of its lines, so no log or error ever shows any of it.
  registerSecret(k.private_key);
  for (const line of k.private_key.split('\n')) if (line.length >= 16 && !line.startsWith('-----')) registerSecret(line);
  return { client_email: k.client_email, private_key: k.private_key, client_id: typeof k.client_id === 'string' ? k.client_id : undefined };
}

export interface GoogleApis {
  directory(scope: string): admin_directory_v1.Admin;
  reports(): admin_reports_v1.Admin;
  /** An access token for `scopes` (doctor: which scope does delegation refuse?). */
  token(scopes: string[]): Promise<void>;
  clientEmail: string;
  clientId: string | undefined;
  subject: string;
}

export function createGoogleApis(config: GoogleConfig, secrets: Map<string, Secret> | undefined, rate: RateController): GoogleApis {
  const key = parseServiceAccountKey(secrets?.get('service_account_key'));
  const rootUrl = config.root_url.endsWith('/') ? config.root_url : `${config.root_url}/`;
  const timeoutMs = config.timeout_seconds * 1000;
  const jwts = new Map<string, JWT>();

  const jwtFor = (scopes: string[]): JWT => {
    const id = scopes.join(' ');
    let jwt = jwts.get(id);
    if (jwt) return jwt;
    jwt = new JWT({ email: key.client_email, key: key.private_key, scopes, subject: config.subject });
    jwt.transporter.interceptors.request.add({
      resolved: async (cfg) => {
        let url = cfg.url instanceof URL ? cfg.url : new URL(String(cfg.url));
        if (url.href === GOOGLE_TOKEN_URL) url = new URL(config.token_url);
        cfg.url = url;
        // Our proxy decision (HTTPS_PROXY/NO_PROXY), not gaxios' own; undefined = direct.
        cfg.agent = agentFor(url.href);
        cfg.retry = false;
        cfg.retryConfig = { ...cfg.retryConfig, retry: 0, noResponseRetries: 0, httpMethodsToRetry: [] };
        const wanted = cfg.responseType;
        const method = (cfg.method ?? 'GET').toUpperCase();
        cfg.adapter = async (opts, defaultAdapter) => {
          const attempt = await rate.run(url, method, async () => {
            // A fresh timeout per attempt: waits between attempts must not eat into it.
            const res = await defaultAdapter({ ...opts, responseType: 'text', signal: AbortSignal.timeout(timeoutMs) });
            const text = typeof res.data === 'string' ? res.data : '';
            return { status: res.status, header: (n: string) => res.headers.get(n), body: text, res };
          });
          const res = attempt.res;
          const text = attempt.body;
          const json = wanted === 'json' || (wanted !== 'text' && /json/i.test(res.headers.get('content-type') ?? ''));
          let data: unknown = text;
          if (json && text !== '') {
            try {
              data = JSON.parse(text);
            } catch {
              data = text; // gaxios' own behaviour; the rate controller already retried broken bodies
            }
          }
          (res as { data: unknown }).data = data;
          return res;
        };
        return cfg;
      },
    });
    jwts.set(id, jwt);
    return jwt;
  };

  const common = { rootUrl, retry: false, retryConfig: { retry: 0 } } as const;
  const directories = new Map<string, admin_directory_v1.Admin>();
  let reports: admin_reports_v1.Admin | undefined;
  return {
    clientEmail: key.client_email,
    clientId: key.client_id,
    subject: config.subject,
    directory(scope) {
      let d = directories.get(scope);
      if (!d) {
        d = admin({ version: 'directory_v1', auth: jwtFor([scope]), ...common });
        directories.set(scope, d);
      }
      return d;
    },
    reports() {
      return (reports ??= admin({ version: 'reports_v1', auth: jwtFor([GOOGLE_SCOPES.reports]), ...common }));
    },
    async token(scopes) {
      await jwtFor(scopes).authorize();
    },
  };
}

export class GooglePermissionError extends ExternalError {}

/** What an admin privilege a stream needs is called in the Admin console. */
const PRIVILEGE: Record<string, string> = {
  users: 'Admin API privileges → Users → Read',
  tokens: 'Admin API privileges → Users → Security settings (tokens.list)',
  token_activity: 'Admin console privileges → Reports',
  login_activity: 'Admin console privileges → Reports',
};

/** Maps SDK/HTTP errors to errors that say what is missing and what to do. */
export function describeGoogleError(e: unknown, ctx: { what: string; stream: string; scope: string; apis: Pick<GoogleApis, 'clientEmail' | 'clientId' | 'subject'> }): ExternalError {
  if (e instanceof ExternalError) return e;
  if (e instanceof RetriesExhausted) {
    const what = e.lastStatus === undefined
      ? 'the connection to Google kept failing: check root_url/token_url, DNS, HTTPS_PROXY/NO_PROXY and, for a TLS-inspecting proxy, NODE_EXTRA_CA_CERTS'
      : 'Google kept failing';
    return new ExternalError('google', `${ctx.what}: ${e.message}`, {
      retryable: true,
      hint: `${what}; run the scan again later. Until a sync completes, views keep the last complete snapshot; users whose tokens were committed are not fetched again`,
    });
  }
  const err = e as { status?: number; message?: string; response?: { status?: number; data?: unknown } };
  const status = err.response?.status ?? err.status;
  const data = err.response?.data as { error?: unknown; error_description?: string } | undefined;
  const oauthError = typeof data?.error === 'string' ? data.error : /^(unauthorized_client|invalid_grant|invalid_client|access_denied)\b/.exec(err.message ?? '')?.[1];
  const apiError = data && typeof data.error === 'object' && data.error ? (data.error as { message?: string; errors?: { reason?: string }[] }) : undefined;
  const reason = apiError?.errors?.[0]?.reason;
  const client = ctx.apis.clientId ? `client id ${ctx.apis.clientId} (${ctx.apis.clientEmail})` : ctx.apis.clientEmail;
  if (oauthError === 'unauthorized_client') {
    return new GooglePermissionError('google', `${ctx.what}: the token endpoint refused scope ${ctx.scope} for domain-wide delegation (401 unauthorized_client): ${client} is not authorised for it`, {
      hint: `Admin console → Security → Access and data control → API controls → Manage domain-wide delegation: add ${ctx.scope} to ${client}; \`shadowscan doctor\` checks each scope`,
    });
  }
  if (oauthError === 'invalid_grant') {
    return new GooglePermissionError('google', `${ctx.what}: the token endpoint refused the grant (invalid_grant${data?.error_description ? `: ${data.error_description}` : ''})`, {
      hint: `check subject (${ctx.apis.subject}) is an admin of the domain and the machine clock is right; a deleted service-account key also causes this`,
    });
  }
  if (oauthError === 'invalid_client') {
    return new GooglePermissionError('google', `${ctx.what}: the service account ${ctx.apis.clientEmail} was not recognised (invalid_client)`, { hint: 'create a new JSON key for the service account and update service_account_key' });
  }
  if (status === 403 && reason === 'forbidden') {
    return new GooglePermissionError('google', `${ctx.what}: 403 forbidden: the admin ${ctx.apis.subject} lacks the privilege ${PRIVILEGE[ctx.stream] ?? ctx.stream} (${apiError?.message ?? 'Not Authorized to access this resource/api'})`, {
      hint: `give ${ctx.apis.subject} an admin role with ${PRIVILEGE[ctx.stream] ?? 'the privilege'} (or impersonate a super admin), or remove ${ctx.stream} from streams:`,
    });
  }
  if (status === 403 && reason === 'insufficientPermissions') {
    return new GooglePermissionError('google', `${ctx.what}: 403 insufficientPermissions: the access token lacks scope ${ctx.scope}`, { hint: `authorise ${ctx.scope} for ${client} in domain-wide delegation` });
  }
  if (status === 401) {
    return new ExternalError('google', `${ctx.what}: 401 ${reason ?? ''} ${apiError?.message ?? 'invalid credentials'}`.replace(/\s+/g, ' '), { hint: 'the service-account key may be revoked; create a new key and update service_account_key' });
  }
  if (status !== undefined) {
    return new ExternalError('google', `${ctx.what}: HTTP ${status}${reason ? ` ${reason}` : ''}: ${apiError?.message ?? err.message ?? ''}`, { hint: 'see the message; run `shadowscan doctor`' });
  }
  return new ExternalError('google', `${ctx.what}: ${err.message ?? String(e)}`, { retryable: true, hint: 'check the network path to Google (proxy, DNS, TLS: NODE_EXTRA_CA_CERTS for a private CA)' });
}
