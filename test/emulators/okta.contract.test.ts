// Contract tests: the REAL @okta/okta-sdk-nodejs against the Okta emulator. Each test pins one
// quirk of the real Okta API (../shared/notes/provider-apis.md §2, sdk-emulation.md §2).

import { generateKeyPairSync, sign } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import okta from '@okta/okta-sdk-nodejs';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ManualClock } from '../../src/clock.js';
import { OKTA_EMULATOR_ADMIN_TOKEN, startOktaEmulator, type OktaEmulator, type OktaEmulatorOptions } from '../../fixtures/emulators/okta/index.js';
import { generateTenant, type OktaLogEvent, type Tenant } from '../../fixtures/tenant/index.js';

// The SDK sends every request through HTTPS_PROXY when set, and reads OKTA_CLIENT_* defaults.
for (const k of Object.keys(process.env)) if (/^(https?_proxy|OKTA_CLIENT_)/i.test(k)) delete process.env[k];

const NOW = Date.parse('2025-06-15T12:00:00.000Z');
const iso = (ms: number) => new Date(ms).toISOString();

let tenant: Tenant;
const running: OktaEmulator[] = [];

beforeAll(() => {
  tenant = generateTenant({ seed: 42, size: 'demo', now: NOW });
});
afterEach(async () => {
  await Promise.all(running.splice(0).map((e) => e.close()));
});

async function emulator(opts: Partial<OktaEmulatorOptions> = {}): Promise<OktaEmulator> {
  const emu = await startOktaEmulator({ tenant, clock: new ManualClock(NOW), ...opts });
  running.push(emu);
  return emu;
}

function sdk(url: string, token = OKTA_EMULATOR_ADMIN_TOKEN, executor = { maxRetries: 0, requestTimeout: 0 }) {
  return new okta.Client({
    orgUrl: url,
    token,
    authorizationMode: 'SSWS',
    cacheMiddleware: null,
    requestExecutor: new okta.DefaultRequestExecutor(executor),
  });
}

async function collect<T>(items: AsyncIterable<T | null>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) if (item !== null) out.push(item);
  return out;
}

/** A raw GET with an explicit Host header (fetch cannot set Host). */
function rawGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { headers: { Authorization: `SSWS ${OKTA_EMULATOR_ADMIN_TOKEN}`, ...headers } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

function links(header: string | string[] | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of ([] as string[]).concat(header ?? []).join(', ').split(/,\s*(?=<)/)) {
    const m = /^<([^>]+)>;\s*rel="(\w+)"$/.exec(part.trim());
    if (m) out[m[2] as string] = m[1] as string;
  }
  return out;
}

async function rejection(p: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await p;
  } catch (e) {
    return e as Record<string, unknown>;
  }
  throw new Error('expected a rejection');
}

describe('pagination', () => {
  it('lists users 25 per page through absolute next links, leaving out DEPROVISIONED users', async () => {
    const emu = await emulator();
    const users = await collect(await sdk(emu.url).userApi.listUsers({ limit: 25 }));
    const expected = [...tenant.okta.users].filter((u) => u.status !== 'DEPROVISIONED');
    expect(users.map((u) => u.id)).toEqual(expected.map((u) => u.id));
    expect(users).toHaveLength(57);
    expect(emu.stats.byRoute['/api/v1/users']).toBe(3);
    const gone = await collect(await sdk(emu.url).userApi.listUsers({ filter: 'status eq "DEPROVISIONED"' }));
    expect(gone.map((u) => u.status)).toEqual(['DEPROVISIONED', 'DEPROVISIONED', 'DEPROVISIONED']);
  });

  it('builds Link URLs from the request Host header, with rel="self" and rel="next", none on the last page', async () => {
    const emu = await emulator();
    const first = await rawGet(`${emu.url}/api/v1/apps?limit=20&filter=${encodeURIComponent('status eq "ACTIVE"')}`, { Host: 'acme-corp.okta.test:8443' });
    expect(first.status).toBe(200);
    const rel = links(first.headers.link);
    expect(rel.self).toBe(`http://acme-corp.okta.test:8443/api/v1/apps?limit=20&filter=${encodeURIComponent('status eq "ACTIVE"')}`);
    const lastOnPage = (JSON.parse(first.body) as { id: string }[])[19]?.id as string;
    expect(rel.next).toBe(`http://acme-corp.okta.test:8443/api/v1/apps?limit=20&filter=status%20eq%20%22ACTIVE%22&after=${lastOnPage}`);
    const second = await rawGet(rel.next?.replace('http://acme-corp.okta.test:8443', emu.url) as string);
    expect(JSON.parse(second.body)).toHaveLength(5);
    expect(links(second.headers.link).next).toBeUndefined();
    expect(links(second.headers.link).self).toContain(`after=${lastOnPage}`);
  });

  it('lists apps (default limit 20) as typed SDK models, built-in Okta apps included', async () => {
    const emu = await emulator();
    const apps = await collect(await sdk(emu.url).applicationApi.listApplications());
    expect(apps).toHaveLength(25);
    expect(emu.stats.byRoute['/api/v1/apps']).toBe(2);
    expect(apps.map((a) => (a as unknown as { name: string }).name)).toEqual(expect.arrayContaining(['okta_enduser', 'okta_browser_plugin', 'saasure', 'okta_flow_sso']));
    const notion = apps.find((a) => a.label === 'Notion-to-Sheets sync');
    expect(notion?.constructor.name).toBe('OpenIdConnectApplication');
    expect((notion as unknown as { settings: { oauthClient: { application_type: string } } }).settings.oauthClient.application_type).toBe('web');
    expect(apps.find((a) => a.label === 'Slack')?.signOnMode).toBe('SAML_2_0');
  });

  it('serves app grants (admin-granted Okta API scopes) and user grants (end-user consent)', async () => {
    const emu = await emulator();
    const client = sdk(emu.url);
    const hr = tenant.answerKey.find((a) => a.id === 'hr-directory-sync-overscoped')?.app_id as string;
    const appGrants = await collect(await client.applicationApi.listScopeConsentGrants({ appId: hr }));
    expect(appGrants.map((g) => [g.scopeId, g.source, g.clientId])).toEqual([
      ['okta.users.read', 'ADMIN', hr],
      ['okta.groups.read', 'ADMIN', hr],
      ['okta.users.manage', 'ADMIN', hr],
    ]);
    const notion = tenant.answerKey.find((a) => a.id === 'notion-sheets-sync');
    const person = [...tenant.okta.users].find((u) => u.profile.login === notion?.people[0]);
    const userGrants = await collect(await client.userApi.listUserGrants({ userId: person?.id as string, limit: 200 }));
    const forNotion = userGrants.filter((g) => g.clientId === notion?.app_id);
    expect(forNotion.map((g) => g.scopeId)).toEqual(['openid', 'profile', 'email', 'offline_access']);
    expect(forNotion.every((g) => g.source === 'END_USER' && g.userId === person?.id)).toBe(true);
    const missing = await rejection(collect(await client.applicationApi.listScopeConsentGrants({ appId: '0oaDoesNotExist00000' })));
    expect([missing.status, missing.errorCode]).toEqual([404, 'E0000007']);
  });

  it('removeApp deletes the app, its grants and its users’ grants', async () => {
    const emu = await emulator();
    const client = sdk(emu.url);
    const notion = tenant.answerKey.find((a) => a.id === 'notion-sheets-sync');
    expect(emu.removeApp(notion?.app_id as string)).toBe(true);
    const apps = await collect(await client.applicationApi.listApplications({ limit: 200 }));
    expect(apps.map((a) => a.id)).not.toContain(notion?.app_id);
    expect(apps).toHaveLength(24);
    const gone = await rejection(collect(await client.applicationApi.listScopeConsentGrants({ appId: notion?.app_id as string })));
    expect(gone.status).toBe(404);
    const person = [...tenant.okta.users].find((u) => u.profile.login === notion?.people[0]);
    const grants = await collect(await client.userApi.listUserGrants({ userId: person?.id as string, limit: 200 }));
    expect(grants.some((g) => g.clientId === notion?.app_id)).toBe(false);
  });
});

describe('System Log', () => {
  it('bounded mode (since+until) returns the window in order and ends', async () => {
    const emu = await emulator();
    const events = await collect(
      await sdk(emu.url).systemLogApi.listLogEvents({ since: iso(NOW - 15 * 86_400_000), until: iso(NOW), limit: 300 }),
    );
    expect(events).toHaveLength(2_000);
    expect(events.map((e) => e.uuid)).toEqual([...tenant.okta.systemLog].map((e) => e.uuid));
    expect(emu.stats.byRoute['/api/v1/logs']).toBe(7);
    const consents = await collect(
      await sdk(emu.url).systemLogApi.listLogEvents({ since: iso(NOW - 15 * 86_400_000), until: iso(NOW), filter: 'eventType eq "app.oauth2.as.consent.grant"', limit: 1000 }),
    );
    const expected = [...tenant.okta.systemLog].filter((e) => e.eventType === 'app.oauth2.as.consent.grant');
    expect(consents.map((e) => e.uuid)).toEqual(expected.map((e) => e.uuid));
    const newestFirst = await sdk(emu.url).systemLogApi.listLogEvents({ since: iso(NOW - 86_400_000), until: iso(NOW), sortOrder: 'DESCENDING', limit: 5 });
    expect((await newestFirst.next()).value?.uuid).toBe(tenant.okta.systemLog.at(1_999).uuid);
  });

  it('polling mode: the empty page still has rel="next"; the raw SDK iterator then yields null forever, and appended events arrive on the next poll', async () => {
    const clock = new ManualClock(NOW);
    const emu = await emulator({ clock });
    const since = NOW - 3_600_000;
    const expectedCount = tenant.okta.systemLog.length - tenant.okta.logIndexAt(since);
    const pageSize = 1_000;
    const logs = await sdk(emu.url).systemLogApi.listLogEvents({ since: iso(since), limit: pageSize });

    // First sync: read until the SDK hands back null (an empty page that still links onward).
    const firstSync: OktaLogEvent[] = [];
    for (;;) {
      const r = await logs.next();
      // The SDK never reports done in polling mode: a connector must stop on null.
      expect(r.done).toBe(false);
      if (r.value === null) break;
      firstSync.push(r.value as unknown as OktaLogEvent);
    }
    expect(firstSync).toHaveLength(expectedCount);
    expect(emu.stats.byRoute['/api/v1/logs']).toBe(2);

    // The empty page, seen raw: [] with a next link that encodes the same position.
    const raw = await rawGet(`${emu.url}/api/v1/logs?since=${encodeURIComponent(iso(NOW))}&limit=${pageSize}`);
    expect(raw.body).toBe('[]');
    const next = links(raw.headers.link).next as string;
    expect(next).toContain('after=');
    expect((await rawGet(next)).body).toBe('[]');
    expect(links((await rawGet(next)).headers.link).next).toBe(next);

    // New events are persisted later; the stored cursor picks them up.
    clock.advance(60_000);
    const template = tenant.okta.systemLog.at(0);
    const fresh = [1, 2, 3].map((n) => ({ ...template, uuid: `00000000-0000-4000-8000-00000000000${n}`, published: iso(NOW + n * 1_000) }));
    emu.appendLogEvents(fresh);
    emu.resetStats();
    const secondSync: string[] = [];
    for (;;) {
      const r = await logs.next();
      if (r.value === null) break;
      secondSync.push((r.value as unknown as OktaLogEvent).uuid);
    }
    expect(secondSync).toEqual(fresh.map((e) => e.uuid));
    expect(emu.stats.byRoute['/api/v1/logs']).toBeLessThanOrEqual(1 + Math.ceil(fresh.length / pageSize));
  });
});

describe('rate limits', () => {
  it('sends X-Rate-Limit-Limit/Remaining/Reset (epoch seconds) on every response, per bucket', async () => {
    const emu = await emulator();
    const a = await rawGet(`${emu.url}/api/v1/apps`);
    const b = await rawGet(`${emu.url}/api/v1/apps`);
    const u = await rawGet(`${emu.url}/api/v1/users?limit=1`);
    const notFound = await rawGet(`${emu.url}/api/v1/nothing-here`);
    expect([a.headers['x-rate-limit-limit'], a.headers['x-rate-limit-remaining']]).toEqual(['100', '99']);
    expect(b.headers['x-rate-limit-remaining']).toBe('98');
    expect([u.headers['x-rate-limit-limit'], u.headers['x-rate-limit-remaining']]).toEqual(['600', '599']);
    expect(a.headers['x-rate-limit-reset']).toBe(String((NOW + 60_000) / 1000));
    expect(notFound.status).toBe(404);
    expect(notFound.headers['x-rate-limit-limit']).toBeDefined();
    expect(Date.parse(a.headers.date as string)).toBe(NOW);
  });

  it('429 E0000047 when the org-wide budget is spent (shared across tokens), open again after the window', async () => {
    const clock = new ManualClock(NOW);
    const emu = await emulator({ clock, limits: { apps: 2 }, tokens: { 'tok-second-integration': '*' } });
    await collect(await sdk(emu.url).applicationApi.listApplications({ limit: 200 }));
    await collect(await sdk(emu.url, 'tok-second-integration').applicationApi.listApplications({ limit: 200 }));
    const err = await rejection(collect(await sdk(emu.url).applicationApi.listApplications({ limit: 200 })));
    expect([err.status, err.errorCode, err.errorSummary]).toEqual([429, 'E0000047', 'API call exceeded rate limit due to too many requests.']);
    const headers = err.headers as Headers;
    expect(headers.get('x-rate-limit-remaining')).toBe('0');
    expect(headers.get('x-rate-limit-reset')).toBe(String((NOW + 60_000) / 1000));
    expect(emu.stats.rateLimited).toBe(1);
    clock.advance(60_000);
    expect(await collect(await sdk(emu.url).applicationApi.listApplications({ limit: 200 }))).toHaveLength(25);
  });

  it('the SDK’s own 429 retry waits X-Rate-Limit-Reset − Date (both from the emulator clock)', async () => {
    const emu = await emulator({ faults: { rateLimitStorm: { requests: 1 } } });
    const started = Date.now();
    const apps = await collect(await sdk(emu.url, OKTA_EMULATOR_ADMIN_TOKEN, { maxRetries: 1, requestTimeout: 0 }).applicationApi.listApplications({ limit: 200 }));
    expect(apps).toHaveLength(25);
    expect(emu.stats.rateLimited).toBe(1);
    expect(emu.stats.sdkRetries).toBe(1);
    // reset == Date (clock at a whole second) → the SDK waits its extra 1 s only.
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
  });

  it('a 429 storm for a time window carries that window’s reset; setFaults clears it', async () => {
    const clock = new ManualClock(NOW);
    const emu = await emulator({ clock, faults: { rateLimitStorm: { untilMs: NOW + 30_000 } } });
    const first = await rawGet(`${emu.url}/api/v1/logs?since=${encodeURIComponent(iso(NOW - 1000))}`);
    expect(first.status).toBe(429);
    expect(JSON.parse(first.body).errorCode).toBe('E0000047');
    expect([first.headers['x-rate-limit-remaining'], first.headers['x-rate-limit-reset']]).toEqual(['0', String((NOW + 30_000) / 1000)]);
    clock.advance(30_000);
    expect((await rawGet(`${emu.url}/api/v1/logs?since=${encodeURIComponent(iso(NOW))}`)).status).toBe(200);
    emu.setFaults({ rateLimitStorm: { requests: 2 } });
    expect((await rawGet(`${emu.url}/api/v1/users`)).status).toBe(429);
    emu.setFaults({});
    expect((await rawGet(`${emu.url}/api/v1/users`)).status).toBe(200);
  });

  it('the concurrent limit answers 429 to requests beyond it', async () => {
    const emu = await emulator({ limits: { concurrent: 2 }, faults: { slow: { delayMs: 300 } } });
    const statuses = await Promise.all([1, 2, 3].map(() => rawGet(`${emu.url}/api/v1/apps`).then((r) => r.status)));
    expect(statuses.sort()).toEqual([200, 200, 429]);
  });
});

describe('authentication and permissions', () => {
  it('401 E0000011 for an unknown token', async () => {
    const emu = await emulator();
    const err = await rejection(collect(await sdk(emu.url, 'not-a-token').userApi.listUsers()));
    expect([err.status, err.errorCode, err.errorSummary]).toEqual([401, 'E0000011', 'Invalid token provided']);
  });

  it('403 E0000006 when an SSWS token lacks the permission for the endpoint', async () => {
    const emu = await emulator({ tokens: { 'tok-readonly-nologs': ['okta.users.read', 'okta.apps.read'] } });
    const client = sdk(emu.url, 'tok-readonly-nologs');
    expect(await collect(await client.applicationApi.listApplications({ limit: 200 }))).toHaveLength(25);
    const err = await rejection(collect(await client.systemLogApi.listLogEvents({ since: iso(NOW - 1000), until: iso(NOW) })));
    expect([err.status, err.errorCode, err.errorSummary]).toEqual([403, 'E0000006', 'You do not have permission to perform the requested action']);
  });

  it('OAuth client_credentials + private_key_jwt: verified assertion, scopes decide access, re-auth after expiry', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const clock = new ManualClock(NOW);
    const emu = await emulator({ clock, oauthClients: [{ clientId: '0oaScannerServiceApp', publicKey: publicKey.export({ type: 'spki', format: 'pem' }) as string, keyId: 'kid-1' }] });
    const client = new okta.Client({
      orgUrl: emu.url,
      authorizationMode: 'PrivateKey',
      clientId: '0oaScannerServiceApp',
      scopes: ['okta.apps.read', 'okta.logs.read'],
      privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }) as string,
      keyId: 'kid-1',
      cacheMiddleware: null,
      requestExecutor: new okta.DefaultRequestExecutor({ maxRetries: 0, requestTimeout: 0 }),
    });
    expect(await collect(await client.applicationApi.listApplications({ limit: 200 }))).toHaveLength(25);
    expect(emu.stats.tokensIssued).toBe(1);
    const denied = await rejection(collect(await client.userApi.listUsers()));
    expect([denied.status, denied.errorCode]).toEqual([403, 'E0000006']);
    // The SDK caches the token without checking expiry; after a 401 it fetches a new one once.
    clock.advance(3_601_000);
    expect(await collect(await client.applicationApi.listApplications({ limit: 200 }))).toHaveLength(25);
    expect(emu.stats.tokensIssued).toBe(2);
    expect(emu.stats.byRouteStatus['/api/v1/apps']?.['401']).toBe(1);
  });

  it('OAuth: an assertion signed with the wrong key is invalid_client; an ungranted scope is invalid_scope', async () => {
    // RSA: SDK 8.1.0 cannot build its DPoP proof from an EC key ("unsupported algorithm").
    const registered = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const emu = await emulator({ oauthClients: [{ clientId: '0oaScanner', publicKey: registered.publicKey.export({ format: 'jwk' }), grantedScopes: ['okta.apps.read'] }] });
    const client = (key: typeof other.privateKey, scopes: string[]) =>
      new okta.Client({
        orgUrl: emu.url,
        authorizationMode: 'PrivateKey',
        clientId: '0oaScanner',
        scopes,
        privateKey: key.export({ type: 'pkcs8', format: 'pem' }) as string,
        cacheMiddleware: null,
        requestExecutor: new okta.DefaultRequestExecutor({ maxRetries: 0, requestTimeout: 0 }),
      });
    // SDK 8.1.0 bug: oauth.js calls `Http.errorFilter` on the module object (undefined), so a token
    // endpoint error is not raised — the error body is cached as the token and the API call goes
    // out as `Bearer undefined`, gets 401 E0000011, drops the "token" and tries once more.
    const badKey = await rejection(collect(await client(other.privateKey, ['okta.apps.read']).applicationApi.listApplications()));
    expect([badKey.status, badKey.errorCode]).toEqual([401, 'E0000011']);
    expect(emu.stats.byRouteStatus['/oauth2/v1/token']).toEqual({ '401': 2 });
    expect(emu.stats.byRouteStatus['/api/v1/apps']).toEqual({ '401': 2 });
    emu.resetStats();
    const badScope = await rejection(collect(await client(registered.privateKey, ['okta.apps.read', 'okta.logs.read']).applicationApi.listApplications()));
    expect([badScope.status, badScope.errorCode]).toEqual([401, 'E0000011']);
    expect(emu.stats.byRouteStatus['/oauth2/v1/token']).toEqual({ '400': 2 });
    expect(emu.stats.tokensIssued).toBe(0);
    expect(await collect(await client(registered.privateKey, ['okta.apps.read']).applicationApi.listApplications({ limit: 200 }))).toHaveLength(25);
  });
});

describe('token endpoint (raw)', () => {
  it('verifies an ES256 private_key_jwt assertion and checks aud against the Host-derived URL', async () => {
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const emu = await emulator({ oauthClients: [{ clientId: '0oaEcClient', publicKey }] });
    const assertion = (aud: string) => {
      const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      const now = Math.floor(Date.now() / 1000);
      const body = `${b64({ alg: 'ES256', typ: 'JWT' })}.${b64({ iss: '0oaEcClient', sub: '0oaEcClient', aud, iat: now, exp: now + 300 })}`;
      return `${body}.${sign('sha256', Buffer.from(body), { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
    };
    const post = (aud: string) =>
      fetch(`${emu.url}/oauth2/v1/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          grant_type: 'client_credentials',
          scope: 'okta.logs.read',
          client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
          client_assertion: assertion(aud),
        }),
      });
    const ok = await post(`${emu.url}/oauth2/v1/token`);
    const token = (await ok.json()) as Record<string, unknown>;
    expect(ok.status).toBe(200);
    expect([token.token_type, token.expires_in, token.scope]).toEqual(['Bearer', 3600, 'okta.logs.read']);
    const logs = await fetch(`${emu.url}/api/v1/logs?since=${encodeURIComponent(iso(NOW - 60_000))}`, { headers: { Authorization: `Bearer ${String(token.access_token)}` } });
    expect(logs.status).toBe(200);
    const wrongAud = await post('https://acme-corp.okta.com/oauth2/v1/token');
    expect(wrongAud.status).toBe(401);
    expect(((await wrongAud.json()) as Record<string, unknown>).error).toBe('invalid_client');
  });
});

describe('fault injection', () => {
  it('HTTP 500 on page N, repeated K times, then the page is served (the SDK does not retry 5xx)', async () => {
    const emu = await emulator({ faults: { serverError: [{ path: '/api/v1/users', page: 2, times: 2 }] } });
    const seen: string[] = [];
    const err = await rejection(
      (async () => {
        for await (const u of await sdk(emu.url).userApi.listUsers({ limit: 25 })) if (u) seen.push(u.id as string);
      })(),
    );
    expect([err.status, err.errorCode]).toEqual([500, 'E0000009']);
    expect(seen).toHaveLength(25);
    const page1 = await rawGet(`${emu.url}/api/v1/users?limit=25`);
    const page2 = links(page1.headers.link).next as string;
    expect((await rawGet(page2)).status).toBe(500);
    const ok = await rawGet(page2);
    expect(ok.status).toBe(200);
    expect((JSON.parse(ok.body) as unknown[]).length).toBe(25);
    expect(emu.stats.byRouteStatus['/api/v1/users']).toEqual({ '200': 3, '500': 2 });
  });

  it('truncated JSON: half the body is sent and the SDK fails to parse it', async () => {
    const emu = await emulator({ faults: { truncate: [{ path: '/api/v1/apps', page: 1 }] } });
    const err = await rejection(collect(await sdk(emu.url).applicationApi.listApplications()));
    expect(String(err.message ?? err)).toMatch(/JSON|Unexpected|Unterminated/i);
    const full = await rawGet(`${emu.url}/api/v1/apps`);
    emu.setFaults({ truncate: [{ path: '/api/v1/apps', page: 1 }] });
    const half = await rawGet(`${emu.url}/api/v1/apps`);
    expect(half.body.length).toBe(Math.floor(full.body.length / 2));
    expect(() => JSON.parse(half.body) as unknown).toThrow();
  });

  it('duplicated page: page 2 links to itself once, so a link-following client sees it twice', async () => {
    const emu = await emulator({ faults: { duplicatePage: [{ path: '/api/v1/users', page: 2 }] } });
    const ids = (await collect(await sdk(emu.url).userApi.listUsers({ limit: 20 }))).map((u) => u.id);
    expect(ids).toHaveLength(57 + 20);
    expect(new Set(ids).size).toBe(57);
    expect(ids.slice(20, 40)).toEqual(ids.slice(40, 60));
    expect(emu.stats.byRoute['/api/v1/users']).toBe(4);
  });

  it('slow responses make a client timeout fire', async () => {
    const emu = await emulator({ faults: { slow: { delayMs: 600, requests: 1 } } });
    const err = await rejection(collect(await sdk(emu.url, OKTA_EMULATOR_ADMIN_TOKEN, { maxRetries: 0, requestTimeout: 150 }).applicationApi.listApplications()));
    expect(String(err.message)).toMatch(/timeout/i);
    // The fault was for one request only.
    expect(await collect(await sdk(emu.url).applicationApi.listApplications({ limit: 200 }))).toHaveLength(25);
  });
});

describe('large tenant', () => {
  let large: Tenant;
  let emu: OktaEmulator;
  beforeAll(async () => {
    large = generateTenant({ seed: 7, size: 'large', now: NOW });
    emu = await startOktaEmulator({ tenant: large, clock: new ManualClock(NOW) });
  });
  afterAll(() => emu.close());

  it('serves the tail of a 2M-event log and a deep users page on demand', async () => {
    const since = NOW - 10 * 60_000;
    const events = await collect(await sdk(emu.url).systemLogApi.listLogEvents({ since: iso(since), until: iso(NOW), limit: 1000 }));
    expect(events).toHaveLength(large.okta.systemLog.length - large.okta.logIndexAt(since));
    expect(events.at(-1)?.uuid).toBe(large.okta.systemLog.at(1_999_999).uuid);
    const after = large.okta.users.at(49_900).id;
    const page = await rawGet(`${emu.url}/api/v1/users?limit=200&after=${after}`);
    const ids = (JSON.parse(page.body) as { id: string; status: string }[]).map((u) => u.id);
    const expected = [];
    for (let i = 49_901; i < 50_000; i++) if (large.okta.users.at(i).status !== 'DEPROVISIONED') expected.push(large.okta.users.at(i).id);
    expect(ids).toEqual(expected);
    expect(links(page.headers.link).next).toBeUndefined();
  });
});
