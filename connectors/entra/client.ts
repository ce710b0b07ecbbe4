// I/O only: a token from @azure/msal-node (client credentials with a client secret or a
// certificate) and Microsoft Graph REST pages. Every request — MSAL's discovery and token calls
// through its `networkClient` hook, and Graph's — goes through the runtime's rate controller
// (Graph's buckets, Retry-After, retries of 5xx/timeouts/broken bodies; MSAL itself never
// retries) and the proxy agent for its URL (HTTPS_PROXY/NO_PROXY; NODE_EXTRA_CA_CERTS is read
// by Node for every TLS connection). `@odata.nextLink` is followed verbatim.
import { createHash, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { ConfidentialClientApplication, type Configuration } from '@azure/msal-node';
import { ExternalError } from '../../src/errors.js';
import { agentFor } from '../../src/connectors/runtime/proxy.js';
import { classifyJsonAnswer, RetriesExhausted, type ProviderRatePolicy, type RateController } from '../../src/connectors/runtime/rate.js';
import type { Secret } from '../../src/config/secrets.js';
import type { EntraConfig } from './config.js';

/** Resource units per 10 s for directory reads by tenant size (Graph identity and access service). */
const DIRECTORY_UNITS = { S: 3_500, M: 5_000, L: 8_000 } as const;
/** Audit logs and sign-ins: requests per 10 s per app and tenant. */
export const REPORTS_PER_WINDOW = 5;

export function graphRatePolicy(config: Pick<EntraConfig, 'tenant_size'>): ProviderRatePolicy {
  // Directory GETs cost 1–2 RU; budget them at 2 each (no headers tell the real use below 80 %).
  const directory = Math.floor(DIRECTORY_UNITS[config.tenant_size] / 2);
  return {
    windowMs: 10_000,
    defaultLimit: directory,
    limitOf: (bucket) => (bucket === 'reports' ? REPORTS_PER_WINDOW : bucket === 'directory' ? directory : 200),
    bucket(url) {
      const p = url.pathname;
      if (p.includes('/auditLogs/')) return 'reports';
      if (p.includes('/oauth2/') || p.includes('/.well-known/') || p.includes('/discovery/')) return 'token';
      return 'directory';
    },
    signals(status, header, nowMs) {
      const v = header('retry-after');
      const seconds = v === null ? NaN : Number(v);
      const retryAtMs = Number.isFinite(seconds) && seconds >= 0 && (status === 429 || status === 503 || status === 504) ? nowMs + seconds * 1000 : undefined;
      return { retryAtMs };
    },
    classify: (status, header, body) => classifyJsonAnswer(status, header, body),
  };
}

interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  header: (name: string) => string | null;
  body: string;
}

/** One HTTP exchange through the proxy agent for `url`, with a wall-clock timeout. */
function send(method: 'GET' | 'POST', url: string, headers: Record<string, string>, body: string | undefined, timeoutMs: number): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
    const req = request(u, { method, headers: { ...headers, ...(body !== undefined ? { 'Content-Length': String(Buffer.byteLength(body)) } : {}) }, agent: agentFor(url) }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        resolve({ status: res.statusCode ?? 0, headers: res.headers, header: (n) => { const v = res.headers[n.toLowerCase()]; return v === undefined ? null : Array.isArray(v) ? v.join(', ') : v; }, body: text });
      });
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error(`timeout after ${timeoutMs / 1000} s`)));
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

export interface GraphPage {
  value: unknown[];
  next: string | undefined;
  /** `@odata.deltaLink` on the last page of a delta query: where the next sync continues. */
  delta?: string;
}

export interface EntraHttp {
  graphUrl: string;
  /** GET a Graph URL (absolute, or a path such as /v1.0/users?$top=999): its `value` and `@odata.nextLink`. */
  getPage(urlOrPath: string): Promise<GraphPage>;
  /** A token (MSAL caches it until shortly before it expires). */
  token(): Promise<string>;
}

const MICROSOFT_LOGIN_HOSTS = new Set(['login.microsoftonline.com', 'login.microsoftonline.us', 'login.chinacloudapi.cn', 'login.partner.microsoftonline.cn', 'login.windows.net']);

/** MSAL configuration (pure, for doctor and tests): authority, credential, and discovery shortcuts. */
export function msalConfiguration(config: EntraConfig, secrets: Map<string, Secret> | undefined): Configuration['auth'] {
  const host = new URL(config.authority_host);
  const authority = `${host.origin}/${config.tenant_id}`;
  const auth: Configuration['auth'] = { clientId: config.client_id, authority };
  if (!MICROSOFT_LOGIN_HOSTS.has(host.hostname) || config.token_endpoint) auth.knownAuthorities = [host.host];
  if (config.token_endpoint) {
    auth.authorityMetadata = JSON.stringify({
      token_endpoint: config.token_endpoint,
      authorization_endpoint: `${authority}/oauth2/v2.0/authorize`,
      end_session_endpoint: `${authority}/oauth2/v2.0/logout`,
      jwks_uri: `${authority}/discovery/v2.0/keys`,
      issuer: `${authority}/v2.0`,
    });
  }
  if (config.client_secret) {
    auth.clientSecret = requireSecret(secrets?.get('client_secret'), 'client_secret').reveal();
  } else if (config.certificate) {
    const privateKey = requireSecret(secrets?.get('certificate.private_key'), 'certificate.private_key').reveal();
    let thumbprintSha256 = config.certificate.thumbprint_sha256?.toLowerCase();
    let x5c: string | undefined;
    if (config.certificate.certificate_file) {
      let pem: string;
      try {
        pem = readFileSync(config.certificate.certificate_file, 'utf8');
      } catch (e) {
        throw new ExternalError('entra', `cannot read certificate.certificate_file ${config.certificate.certificate_file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`, { hint: 'give the path of the PEM certificate uploaded to the app registration' });
      }
      const cert = new X509Certificate(pem);
      thumbprintSha256 ??= createHash('sha256').update(cert.raw).digest('hex');
      x5c = pem;
    }
    auth.clientCertificate = { thumbprintSha256, privateKey, ...(x5c ? { x5c } : {}) };
  }
  return auth;
}

export function createEntraHttp(config: EntraConfig, secrets: Map<string, Secret> | undefined, rate: RateController): EntraHttp {
  const graphUrl = config.graph_url.replace(/\/+$/, '');
  const timeoutMs = config.timeout_seconds * 1000;
  // MSAL wraps network failures into its own codes (endpoints_resolution_error hides a TLS or
  // proxy cause); the last one is kept to say what really happened.
  let lastNetworkError: string | undefined;
  const throughRuntime = async (method: 'GET' | 'POST', url: string, headers: Record<string, string> | undefined, body: string | undefined) => {
    let r: RawResponse;
    try {
      r = await rate.run(new URL(url), method, () => send(method, url, headers ?? {}, body, timeoutMs));
    } catch (e) {
      lastNetworkError = `${method} ${new URL(url).host}${new URL(url).pathname}: ${e instanceof Error ? e.message : String(e)}`;
      throw e;
    }
    let parsed: unknown = {};
    try {
      parsed = r.body ? JSON.parse(r.body) : {};
    } catch {
      parsed = { error: 'invalid_response', error_description: `the identity endpoint answered HTTP ${r.status} with a body that is not JSON` };
    }
    const hdrs: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.headers)) if (v !== undefined) hdrs[k] = Array.isArray(v) ? v.join(', ') : v;
    return { status: r.status, headers: hdrs, body: parsed as never };
  };
  let app: ConfidentialClientApplication | undefined;
  const msal = () =>
    (app ??= new ConfidentialClientApplication({
      auth: msalConfiguration(config, secrets),
      system: {
        networkClient: {
          sendGetRequestAsync: (url, options) => throughRuntime('GET', url, options?.headers, undefined),
          sendPostRequestAsync: (url, options) => throughRuntime('POST', url, options?.headers, options?.body),
        },
        loggerOptions: { piiLoggingEnabled: false, logLevel: 0, loggerCallback: () => undefined },
      },
    }));

  const token = async (forceRefresh = false): Promise<string> => {
    try {
      const result = await msal().acquireTokenByClientCredential({ scopes: [`${graphUrl}/.default`], skipCache: forceRefresh });
      if (!result?.accessToken) throw new ExternalError('entra', 'the token endpoint returned no access token', { hint: 'run `shadowscan doctor`' });
      return result.accessToken;
    } catch (e) {
      const err = describeMsalError(e);
      if (lastNetworkError && !(e instanceof ExternalError)) {
        throw new ExternalError('entra', `${err.message} (cause: ${lastNetworkError})`, { retryable: err.retryable, hint: err.hint });
      }
      throw err;
    }
  };

  return {
    graphUrl,
    token: () => token(),
    async getPage(urlOrPath) {
      const url = urlOrPath.startsWith('http') ? urlOrPath : `${graphUrl}${urlOrPath}`;
      const path = new URL(url).pathname;
      let refreshed = false;
      for (;;) {
        const bearer = await token(refreshed);
        let r: RawResponse;
        try {
          r = await rate.run(new URL(url), 'GET', () =>
            send('GET', url, { Authorization: `Bearer ${bearer}`, Accept: 'application/json', 'x-ms-throttle-priority': 'low', 'User-Agent': 'shadowscan (read-only inventory)' }, undefined, timeoutMs),
          );
        } catch (e) {
          throw describeGraphFailure(e, path);
        }
        if (r.status === 401 && !refreshed) {
          refreshed = true; // a token revoked or expired early: get a new one once
          continue;
        }
        if (r.status >= 400) throw graphHttpError(r, path);
        let body: unknown;
        try {
          body = JSON.parse(r.body);
        } catch {
          throw new ExternalError('entra', `GET ${path}: the response is not valid JSON`, { retryable: true, hint: 'a proxy may be cutting responses; run the scan again' });
        }
        const value = (body as { value?: unknown }).value;
        if (!Array.isArray(value)) throw new ExternalError('entra', `GET ${path}: expected a JSON object with a "value" array`, { hint: 'check graph_url points at Microsoft Graph' });
        const next = (body as Record<string, unknown>)['@odata.nextLink'];
        const delta = (body as Record<string, unknown>)['@odata.deltaLink'];
        return { value, next: typeof next === 'string' && next ? next : undefined, ...(typeof delta === 'string' && delta ? { delta } : {}) };
      }
    },
  };
}

function requireSecret(s: Secret | undefined, name: string): Secret {
  if (!s) throw new ExternalError('entra', `no value for ${name}`, { hint: `set ${name} in the instance config (as \${ENV_VAR} or file:/path)` });
  return s;
}

export class EntraPermissionError extends ExternalError {}

function graphHttpError(r: RawResponse, path: string): ExternalError {
  let code = '';
  let message = '';
  try {
    const e = (JSON.parse(r.body) as { error?: { code?: string; message?: string } }).error;
    code = e?.code ?? '';
    message = e?.message ?? '';
  } catch {
    message = 'unreadable error body';
  }
  const what = `GET ${path}: HTTP ${r.status} ${code}${message ? `: ${message.slice(0, 300)}` : ''}`.trim();
  if (r.status === 401) return new ExternalError('entra', what, { hint: 'the token was rejected: check tenant_id and that the app registration still exists; run `shadowscan doctor`' });
  if (r.status === 403) {
    return new EntraPermissionError('entra', what, {
      hint: 'the app registration lacks an application permission this stream needs (Application.Read.All, Directory.Read.All, AuditLog.Read.All) or admin consent for it; sign-ins also need an Entra ID P1/P2 licence. Run `shadowscan doctor` to see which',
    });
  }
  if (r.status === 410) return new ExternalError('entra', what, { hint: 'the sync state expired; the next scan starts over' });
  return new ExternalError('entra', what, { hint: 'see the message; run `shadowscan doctor`' });
}

function describeGraphFailure(e: unknown, path: string): ExternalError {
  if (e instanceof RetriesExhausted) {
    const what = e.lastStatus === undefined
      ? 'the connection to Microsoft Graph kept failing: check graph_url, DNS, HTTPS_PROXY/NO_PROXY and, for a private CA or TLS-inspecting proxy, NODE_EXTRA_CA_CERTS'
      : 'Microsoft Graph kept failing';
    return new ExternalError('entra', e.message, {
      retryable: true,
      hint: `${what}; run the scan again later. Until a sync completes, views keep the last complete snapshot; sign-ins and audits already read are kept and the next scan continues after them`,
    });
  }
  if (e instanceof ExternalError) return e;
  return new ExternalError('entra', `GET ${path}: ${e instanceof Error ? e.message : String(e)}`, { retryable: true, hint: 'check the network path to Microsoft Graph (proxy, DNS, TLS)' });
}

/** MSAL's errors, with what to do. Never includes the credential. */
export function describeMsalError(e: unknown): ExternalError {
  if (e instanceof ExternalError) return e;
  if (e instanceof RetriesExhausted) {
    return new ExternalError('entra', `token request: ${e.message}`, { retryable: true, hint: 'the sign-in endpoint kept failing: check authority_host, HTTPS_PROXY/NO_PROXY and NODE_EXTRA_CA_CERTS; run the scan again later' });
  }
  const err = e as { errorCode?: string; errorMessage?: string; message?: string; subError?: string };
  const code = err.errorCode ?? '';
  const first = (err.errorMessage ?? err.message ?? String(e)).split(/\r?\n/)[0]?.slice(0, 300) ?? '';
  const hints: Record<string, string> = {
    invalid_client: 'the client secret or certificate was rejected (wrong, expired or for another app registration): create a new credential and update the secret',
    unauthorized_client: 'the client_id is not an app registration in this tenant: check client_id and tenant_id',
    invalid_request: 'check tenant_id (a GUID or a verified domain)',
    invalid_scope: 'check graph_url (its /.default scope must name Microsoft Graph)',
    endpoints_resolution_error: 'the sign-in endpoint could not be reached or discovered: check authority_host (or token_endpoint), HTTPS_PROXY/NO_PROXY and NODE_EXTRA_CA_CERTS',
    authority_uri_insecure: 'authority_host must be https (for a plain-http local token endpoint, set token_endpoint)',
  };
  return new ExternalError('entra', `token request failed: ${code ? `${code}: ` : ''}${first}`, { hint: hints[code] ?? 'run `shadowscan doctor --instance <name>`' });
}
