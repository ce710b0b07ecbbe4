// I/O only: the real @okta/okta-sdk-nodejs Client, configured explicitly (it would otherwise
// read okta.yaml and OKTA_* variables and cache GETs forever), with its own 429 retries off.
// Every request — API calls and the OAuth token request — goes through RuntimeExecutor, which
// hands it to the runtime's rate controller and picks the proxy agent (HTTPS_PROXY/NO_PROXY).
// Pages are fetched by following Okta's absolute `Link: rel="next"` URLs verbatim through the
// SDK's authenticated HTTP layer: the SDK's own iterator never ends on the System Log's empty
// polling page, and the raw next link is the cursor we persist.
import okta from '@okta/okta-sdk-nodejs';
import { ExternalError } from '../../src/errors.js';
import { agentFor } from '../../src/connectors/runtime/proxy.js';
import { classifyJsonAnswer, RetriesExhausted, type ProviderRatePolicy, type RateController } from '../../src/connectors/runtime/rate.js';
import type { Secret } from '../../src/config/secrets.js';
import type { OktaConfig } from './config.js';

/** A response whose body was read (to check it); offers what the SDK uses of node-fetch's. */
class BufferedResponse {
  constructor(
    readonly status: number,
    readonly headers: { get(name: string): string | null; forEach(cb: (value: string, name: string) => void): void },
    readonly url: string,
    private readonly body: Buffer,
  ) {}
  get ok(): boolean {
    return this.status >= 200 && this.status < 300;
  }
  async text(): Promise<string> {
    return this.body.toString('utf8');
  }
  async json(): Promise<unknown> {
    return JSON.parse(this.body.toString('utf8'));
  }
  async buffer(): Promise<Buffer> {
    return this.body;
  }
  clone(): BufferedResponse {
    return new BufferedResponse(this.status, this.headers, this.url, this.body);
  }
}

interface NodeFetchResponse {
  status: number;
  url: string;
  headers: BufferedResponse['headers'];
  buffer(): Promise<Buffer>;
}

export const oktaRatePolicy: ProviderRatePolicy = {
  windowMs: 60_000,
  defaultLimit: 100,
  bucket(url) {
    const p = url.pathname;
    if (/^\/api\/v1\/users\/[^/]+\/grants/.test(p)) return 'userGrants';
    if (/^\/api\/v1\/apps\/[^/]+\/grants/.test(p)) return 'appGrants';
    if (p.startsWith('/api/v1/users')) return 'users';
    if (p.startsWith('/api/v1/apps')) return 'apps';
    if (p.startsWith('/api/v1/logs')) return 'logs';
    if (p.startsWith('/oauth2/')) return 'token';
    return 'other';
  },
  signals(status, header, nowMs) {
    const num = (name: string) => {
      const v = header(name);
      const n = v === null || v.includes(',') ? NaN : Number(v);
      return Number.isFinite(n) ? n : undefined;
    };
    const reset = num('x-rate-limit-reset');
    const retryAfter = num('retry-after');
    return {
      limit: num('x-rate-limit-limit'),
      remaining: num('x-rate-limit-remaining'),
      resetAtMs: reset !== undefined ? reset * 1000 : undefined,
      retryAtMs: status === 429 && retryAfter !== undefined ? nowMs + retryAfter * 1000 : undefined,
    };
  },
  classify: (status, header, body) => classifyJsonAnswer(status, header, body),
};

export interface OktaHttp {
  /** GET an absolute URL (or a path on the org); returns parsed JSON and the next link. */
  getPage(urlOrPath: string): Promise<{ body: unknown; next: string | undefined }>;
  orgUrl: string;
}

export function createOktaHttp(config: OktaConfig, secrets: Map<string, Secret> | undefined, rate: RateController): OktaHttp {
  const orgUrl = config.orgUrl.replace(/\/+$/, '');
  const timeoutMs = config.timeout_seconds * 1000;

  class RuntimeExecutor extends okta.RequestExecutor {
    override async fetch(request: { url: string; method?: string; agent?: unknown; timeout?: number }): Promise<never> {
      const url = new URL(request.url);
      const method = (request.method ?? 'GET').toUpperCase();
      const agent = agentFor(request.url);
      const attempt = await rate.run(url, method, async () => {
        const res = (await super.fetch({ ...request, agent, timeout: timeoutMs } as never)) as unknown as NodeFetchResponse;
        const body = await res.buffer();
        return { status: res.status, header: (n: string) => res.headers.get(n), body: body.toString('utf8'), res, raw: body };
      });
      return new BufferedResponse(attempt.status, attempt.res.headers, attempt.res.url, attempt.raw) as never;
    }
  }

  const token = secrets?.get('token');
  const key = secrets?.get('oauth.private_key');
  const common = {
    orgUrl,
    cacheMiddleware: null,
    requestExecutor: new RuntimeExecutor(),
    httpsProxy: undefined,
    userAgent: undefined,
  };
  const client = token
    ? new okta.Client({ ...common, authorizationMode: 'SSWS', token: token.reveal() })
    : new okta.Client({
        ...common,
        authorizationMode: 'PrivateKey',
        clientId: config.oauth!.client_id,
        scopes: config.oauth!.scopes,
        privateKey: requireSecret(key, 'oauth.private_key').reveal(),
        keyId: config.oauth!.key_id,
      });
  // The SDK sets a proxy agent from HTTPS_PROXY on its own, ignoring NO_PROXY; ours decides.
  (client.http as unknown as { agent?: unknown }).agent = undefined;

  return {
    orgUrl,
    async getPage(urlOrPath) {
      const url = urlOrPath.startsWith('http') ? urlOrPath : `${orgUrl}${urlOrPath}`;
      let res: BufferedResponse;
      try {
        res = (await client.http.http(url, { method: 'get', headers: { Accept: 'application/json' } } as never)) as unknown as BufferedResponse;
      } catch (e) {
        throw describeOktaError(e, url);
      }
      let body: unknown;
      try {
        body = await res.json();
      } catch {
        throw new ExternalError('okta', `GET ${new URL(url).pathname}: the response is not valid JSON`, { retryable: true, hint: 'a proxy may be cutting responses; run the scan again' });
      }
      return { body, next: nextLink(res.headers.get('link')) };
    },
  };
}

function requireSecret(s: Secret | undefined, name: string): Secret {
  if (!s) throw new ExternalError('okta', `no value for ${name}`, { hint: `set ${name} in the instance config (as \${ENV_VAR} or file:/path)` });
  return s;
}

/** The rel="next" URL of an Okta Link header (absolute, followed verbatim). */
export function nextLink(header: string | null): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(/,(?=\s*<)/)) {
    const m = /<([^>]+)>\s*;\s*rel="?next"?/.exec(part);
    if (m) return m[1];
  }
  return undefined;
}

export class OktaPermissionError extends ExternalError {}

/** Maps SDK/HTTP errors to errors that say what to do. */
export function describeOktaError(e: unknown, url: string): ExternalError {
  const path = (() => {
    try {
      return new URL(url).pathname;
    } catch {
      return url;
    }
  })();
  if (e instanceof RetriesExhausted) {
    // The message already names the method and path. No HTTP status: the connection itself failed.
    const what = e.lastStatus === undefined
      ? 'the connection to the org kept failing: check orgUrl, DNS, HTTPS_PROXY/NO_PROXY and, for a private CA or TLS-inspecting proxy, NODE_EXTRA_CA_CERTS'
      : 'Okta kept failing';
    return new ExternalError('okta', e.message, {
      retryable: true,
      hint: `${what}; run the scan again later. Until a sync completes, views keep the last complete snapshot; System Log events already read are kept and the next scan continues after them`,
    });
  }
  const err = e as { status?: number; errorCode?: string; errorSummary?: string; message?: string; type?: string };
  if (err.status === 401) {
    return new ExternalError('okta', `GET ${path}: 401 ${err.errorCode ?? ''} ${err.errorSummary ?? 'unauthorized'}`.trim(), {
      hint: 'the API token (or service-app key) is invalid, expired or revoked: create a new one and update the secret',
    });
  }
  if (err.status === 403) {
    return new OktaPermissionError('okta', `GET ${path}: 403 ${err.errorCode ?? ''} ${err.errorSummary ?? 'forbidden'}`.trim(), {
      hint: 'the token lacks a permission this stream needs; run `shadowscan doctor` to see which',
    });
  }
  if (err.status !== undefined) {
    return new ExternalError('okta', `GET ${path}: HTTP ${err.status} ${err.errorCode ?? ''} ${err.errorSummary ?? err.message ?? ''}`.trim(), { hint: 'see the message; run `shadowscan doctor`' });
  }
  return new ExternalError('okta', `GET ${path}: ${err.message ?? String(e)}`, { retryable: true, hint: 'check the network path to the org (proxy, DNS, TLS: NODE_EXTRA_CA_CERTS for a private CA)' });
}
