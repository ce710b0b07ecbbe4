// Contract tests of the Google emulator's quirks, through the real @googleapis/admin and
// google-auth-library with their default settings (so the SDK behaviour the connector works
// around is pinned too): the JWT bearer grant with domain-wide delegation, users.list paging,
// tokens.list unpaged, empty lists without their array key, activities newest first and the
// 180-day limit, quota exhaustion answered as 403 userRateLimitExceeded with status
// PERMISSION_DENIED and no reset header (which gaxios does not retry, while it does retry 429),
// 401 unauthorized_client, 403 forbidden, and the injectable faults.
import { admin } from '@googleapis/admin';
import { JWT } from 'google-auth-library';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCOPE, startGoogleEmulator, type GoogleEmulator } from '../../fixtures/emulators/google/index.js';
import { anchoredClock } from '../../src/clock.js';
import { demoTenant, SA_CLIENT_ID, SA_EMAIL, serviceAccountKey } from './world.js';

let emu: GoogleEmulator;
const tenant = demoTenant();
const subject = [...tenant.google.users].find((u) => u.isAdmin)!.primaryEmail;

beforeAll(async () => {
  emu = await startGoogleEmulator({
    tenant,
    clock: anchoredClock(600, Date.now(), tenant.now),
    serviceAccounts: [{ clientEmail: SA_EMAIL, clientId: SA_CLIENT_ID, publicKey: serviceAccountKey().publicPem, delegatedScopes: [SCOPE.usersRead, SCOPE.userSecurity, SCOPE.reports] }],
  });
});
afterAll(() => emu.close());

/** A JWT client whose token request goes to the emulator (gtoken hard-codes Google's URL). */
function jwt(scopes: string[], sub = subject): JWT {
  const j = new JWT({ email: SA_EMAIL, key: serviceAccountKey().pem, scopes, subject: sub });
  j.transporter.interceptors.request.add({
    resolved: async (cfg) => {
      const u = cfg.url instanceof URL ? cfg.url : new URL(String(cfg.url));
      if (u.hostname === 'oauth2.googleapis.com') cfg.url = new URL(emu.tokenUrl);
      return cfg;
    },
  });
  return j;
}
const directory = (scope: string, opts: Record<string, unknown> = {}) => admin({ version: 'directory_v1', auth: jwt([scope]), rootUrl: `${emu.url}/`, ...opts });
const reports = () => admin({ version: 'reports_v1', auth: jwt([SCOPE.reports]), rootUrl: `${emu.url}/` });

describe('Google emulator contract', () => {
  it('users.list pages with nextPageToken up to maxResults 500; out of range is a 400', async () => {
    const dir = directory(SCOPE.usersRead);
    const p1 = await dir.users.list({ customer: 'my_customer', maxResults: 25 });
    expect(p1.data.kind).toBe('admin#directory#users');
    expect(p1.data.users).toHaveLength(25);
    expect(p1.data.nextPageToken).toEqual(expect.any(String));
    const p2 = await dir.users.list({ customer: 'my_customer', maxResults: 25, pageToken: p1.data.nextPageToken! });
    const p3 = await dir.users.list({ customer: 'my_customer', maxResults: 25, pageToken: p2.data.nextPageToken! });
    expect([p2.data.users!.length, p3.data.users!.length, p3.data.nextPageToken]).toEqual([25, tenant.google.users.length - 50, undefined]);
    await expect(dir.users.list({ customer: 'my_customer', maxResults: 501 })).rejects.toMatchObject({ status: 400 });
  });

  it('tokens.list is unpaged: every token of a user in one answer, by id or email; unknown users are 404 notFound', async () => {
    const dir = directory(SCOPE.userSecurity);
    const user = tenant.google.users.at(3);
    const byId = await dir.tokens.list({ userKey: user.id });
    const byEmail = await dir.tokens.list({ userKey: user.primaryEmail });
    expect(byId.data.kind).toBe('admin#directory#tokenList');
    expect((byId.data as { nextPageToken?: string }).nextPageToken).toBeUndefined();
    expect(byId.data.items ?? []).toEqual(tenant.google.tokens(user.id));
    expect(byEmail.data.items ?? []).toEqual(byId.data.items ?? []);
    await expect(dir.tokens.list({ userKey: 'nobody@acme-corp.example' })).rejects.toMatchObject({ status: 404, message: 'Resource Not Found: userKey' });
  });

  it('activities come newest first; an empty result has no items key; startTime beyond 180 days is a 400', async () => {
    const rep = reports();
    const page = await rep.activities.list({ userKey: 'all', applicationName: 'token', maxResults: 50 });
    const times = page.data.items!.map((a) => a.id!.time!);
    expect(times).toEqual([...times].sort().reverse());
    expect(times[0]).toBe(tenant.google.activities.token.at(-1)!.id.time);
    const empty = await rep.activities.list({ userKey: 'all', applicationName: 'login', startTime: new Date(tenant.now + 86_400_000).toISOString() });
    expect(empty.data.kind).toBe('admin#reports#activities');
    expect('items' in empty.data).toBe(false);
    await expect(rep.activities.list({ userKey: 'all', applicationName: 'token', startTime: new Date(tenant.now - 200 * 86_400_000).toISOString() })).rejects.toMatchObject({ status: 400 });
  });

  it('a throttle is a 403 with reason userRateLimitExceeded, status PERMISSION_DENIED and no reset header; gaxios does not retry it (but does retry 429)', async () => {
    const dir = directory(SCOPE.usersRead); // default SDK settings: retry on
    await dir.users.list({ customer: 'my_customer', maxResults: 1 }); // token fetched
    emu.resetStats();
    emu.setFaults({ throttleStorm: { requests: 1, shapes: ['userRateLimitExceeded'] } });
    const err = (await dir.users.list({ customer: 'my_customer', maxResults: 1 }).then(() => undefined, (e: unknown) => e)) as { status: number; response: { data: unknown; headers: Headers } };
    expect(err.status).toBe(403);
    expect(err.response.data).toMatchObject({ error: { code: 403, status: 'PERMISSION_DENIED', errors: [{ reason: 'userRateLimitExceeded', domain: 'usageLimits' }] } });
    expect([err.response.headers.get('retry-after'), err.response.headers.get('x-ratelimit-remaining')]).toEqual([null, null]);
    expect(emu.stats.requests).toBe(1);
    emu.resetStats();
    emu.setFaults({ throttleStorm: { requests: 1, shapes: ['429'] } });
    const ok = await dir.users.list({ customer: 'my_customer', maxResults: 1 });
    expect([ok.status, emu.stats.requests, emu.stats.byStatus['429']]).toEqual([200, 2, 1]);
    emu.setFaults({});
  });

  it('a scope not authorised for delegation is 401 unauthorized_client at the token endpoint', async () => {
    const err = (await jwt(['https://www.googleapis.com/auth/gmail.readonly']).authorize().then(() => undefined, (e: unknown) => e)) as { message: string; response: { status: number } };
    expect(err.response.status).toBe(401);
    expect(err.message).toBe('unauthorized_client: Client is unauthorized to retrieve access tokens using this method, or client not authorized for any of the scopes requested.');
  });

  it('an admin without the privilege gets 403 forbidden; a token without the scope gets 403 insufficientPermissions', async () => {
    const plain = [...tenant.google.users].find((u) => !u.isAdmin && !u.suspended)!.primaryEmail;
    const dir = admin({ version: 'directory_v1', auth: jwt([SCOPE.usersRead], plain), rootUrl: `${emu.url}/` });
    await expect(dir.users.list({ customer: 'my_customer' })).rejects.toMatchObject({ status: 403, message: 'Not Authorized to access this resource/api' });
    const wrongScope = directory(SCOPE.usersRead);
    await expect(wrongScope.tokens.list({ userKey: tenant.google.users.at(0).id })).rejects.toMatchObject({ status: 403, message: 'Request had insufficient authentication scopes.' });
  });

  it('faults: a 500 on page 2 of users, and a truncated tokens answer', async () => {
    const dir = directory(SCOPE.usersRead, { retry: false });
    const p1 = await dir.users.list({ customer: 'my_customer', maxResults: 25 });
    emu.setFaults({ serverError: [{ path: '/admin/directory/v1/users', page: 2 }] });
    await expect(dir.users.list({ customer: 'my_customer', maxResults: 25, pageToken: p1.data.nextPageToken! })).rejects.toMatchObject({ status: 500 });
    const again = await dir.users.list({ customer: 'my_customer', maxResults: 25, pageToken: p1.data.nextPageToken! });
    expect(again.data.users).toHaveLength(25);
    emu.setFaults({ truncate: [{ path: '/admin/directory/v1/users/{userKey}/tokens', page: 1 }] });
    const sec = directory(SCOPE.userSecurity, { retry: false });
    const cut = await sec.tokens.list({ userKey: tenant.google.users.at(0).id });
    // gaxios hands back the unparsable text as data: the connector's rate controller retries such a body.
    expect(typeof cut.data).toBe('string');
    emu.setFaults({});
  });
});
