// Contract tests of the Graph emulator's quirks (DESIGN.md "Emulators and tests"): the token
// endpoint's success and AADSTS error shapes, absolute @odata.nextLink built from the Host
// header, sign-ins newest first with v1.0 = interactive only and the other event types behind
// the beta signInEventTypes filter, the audit bucket's 5 requests / 10 s with Retry-After, and
// Graph's error bodies. The tenant is the synthetic demo tenant (no real Graph is contacted).
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEntraEmulator, type EntraEmulator } from '../../fixtures/emulators/entra/index.js';
import { CLIENT_ID, CLIENT_SECRET, demoTenant } from '../helpers/entra.js';

let emu: EntraEmulator;
let token: string;
const tenant = demoTenant();
let clockMs = tenant.now;

function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${emu.url}${path}`, { headers: { Authorization: `Bearer ${token}`, ...headers } }, (res) => {
      let body = '';
      res.on('data', (d: Buffer) => (body += d.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function tokenFor(secret: string) {
  const res = await fetch(emu.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: CLIENT_ID, client_secret: secret, grant_type: 'client_credentials', scope: 'https://graph.microsoft.com/.default' }),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

beforeAll(async () => {
  emu = await startEntraEmulator({ tenant, clock: { now: () => clockMs, sleep: async () => undefined }, clients: [{ clientId: CLIENT_ID, secret: CLIENT_SECRET }] });
  const t = await tokenFor(CLIENT_SECRET);
  token = String(t.body.access_token);
});
afterAll(() => emu.close());

describe('Graph emulator contract', () => {
  it('token endpoint: Bearer token for the right secret; 401 invalid_client AADSTS7000215 for a wrong one', async () => {
    const ok = await tokenFor(CLIENT_SECRET);
    expect(ok.status).toBe(200);
    expect(ok.body).toMatchObject({ token_type: 'Bearer', expires_in: 3599 });
    const bad = await tokenFor('nope');
    expect(bad.status).toBe(401);
    expect(bad.body).toMatchObject({ error: 'invalid_client', error_codes: [7000215] });
    expect(String(bad.body.error_description)).toMatch(/^AADSTS7000215: Invalid client secret provided/);
  });

  it('401 InvalidAuthenticationToken without a valid token, in Graph’s error shape', async () => {
    const r = await get('/v1.0/users', { Authorization: 'Bearer forged' });
    expect(r.status).toBe(401);
    expect(JSON.parse(r.body)).toMatchObject({ error: { code: 'InvalidAuthenticationToken', innerError: { 'request-id': expect.any(String) } } });
  });

  it('@odata.nextLink is absolute, built from the Host header, and opaque; following it verbatim walks the listing once', async () => {
    const r = await get('/v1.0/servicePrincipals?$top=30', { Host: 'graph.example.test:8443' });
    const body = JSON.parse(r.body) as { value: { id: string }[]; '@odata.nextLink': string; '@odata.context': string };
    expect(body['@odata.nextLink']).toMatch(/^http:\/\/graph\.example\.test:8443\/v1\.0\/servicePrincipals\?%24top=30&%24skiptoken=[A-Za-z0-9_-]+$/);
    expect(body['@odata.context']).toBe('http://graph.example.test:8443/v1.0/$metadata#servicePrincipals');
    const ids = body.value.map((x) => x.id);
    let next: string | undefined = body['@odata.nextLink'].replace('http://graph.example.test:8443', '');
    while (next) {
      const page = JSON.parse((await get(next)).body) as { value: { id: string }[]; '@odata.nextLink'?: string };
      ids.push(...page.value.map((x) => x.id));
      next = page['@odata.nextLink'] ? new URL(page['@odata.nextLink']).pathname + new URL(page['@odata.nextLink']).search : undefined;
    }
    expect(ids).toEqual([...tenant.entra.servicePrincipals].map((s) => s.id));
  });

  it('sign-ins: newest first; v1.0 only interactive (no signInEventTypes); beta filters by signInEventTypes', async () => {
    clockMs += 60_000; // a fresh audit-bucket window
    const v1 = JSON.parse((await get('/v1.0/auditLogs/signIns?$top=50')).body) as { value: Record<string, unknown>[] };
    const times = v1.value.map((s) => Date.parse(String(s.createdDateTime)));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(v1.value.every((s) => s.isInteractive === true && !('signInEventTypes' in s))).toBe(true);
    const newestInteractive = [...tenant.entra.signIns].filter((s) => (s.signInEventTypes as string[])[0] === 'interactiveUser').at(-1)!;
    expect(v1.value[0]!.id).toBe(newestInteractive.id);
    const filter = encodeURIComponent("signInEventTypes/any(t: t eq 'servicePrincipal')");
    const beta = JSON.parse((await get(`/beta/auditLogs/signIns?$top=20&$filter=${filter}`)).body) as { value: Record<string, unknown>[] };
    expect(beta.value).toHaveLength(20);
    expect(beta.value.every((s) => (s.signInEventTypes as string[])[0] === 'servicePrincipal' && s.servicePrincipalId && s.userPrincipalName === null)).toBe(true);
  });

  it('the audit bucket allows 5 requests per 10 s, then 429 TooManyRequests with Retry-After and throttle headers', async () => {
    clockMs = Math.ceil((clockMs + 60_000) / 10_000) * 10_000 + 1_000; // 1 s into a fresh window
    const statuses: number[] = [];
    let last: Awaited<ReturnType<typeof get>> | undefined;
    for (let i = 0; i < 6; i++) {
      last = await get('/v1.0/auditLogs/directoryAudits?$top=1');
      statuses.push(last.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 200, 429]);
    expect(last!.headers['retry-after']).toBe('9');
    expect(last!.headers['x-ms-throttle-information']).toBe('RequestLimitExceeded');
    expect(JSON.parse(last!.body)).toMatchObject({ error: { code: 'TooManyRequests' } });
    // Directory reads are in another bucket.
    expect((await get('/v1.0/users?$top=1')).status).toBe(200);
    clockMs += 9_000;
    expect((await get('/v1.0/auditLogs/directoryAudits?$top=1')).status).toBe(200);
  });

  it('faults: 503 carries Retry-After; a truncated page is cut in half (not valid JSON)', async () => {
    clockMs += 60_000;
    emu.setFaults({ serverError: [{ path: '/v1.0/users', page: 1, status: 503 }], truncate: [{ path: '/v1.0/applications', page: 1 }] });
    const u = await get('/v1.0/users?$top=5');
    expect([u.status, u.headers['retry-after'], JSON.parse(u.body).error.code]).toEqual([503, '2', 'serviceNotAvailable']);
    const a = await get('/v1.0/applications?$top=5');
    expect(a.status).toBe(200);
    expect(() => JSON.parse(a.body)).toThrow();
    emu.setFaults({});
    expect(JSON.parse((await get('/v1.0/applications?$top=5')).body).value).toHaveLength(5);
  });
});
