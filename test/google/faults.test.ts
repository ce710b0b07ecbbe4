// Google's failure shapes through the real SDK (issue 7, acceptance 2 and 3):
//  - a storm of 403 userRateLimitExceeded / rateLimitExceeded / quotaExceeded and 429s, and a
//    project quota far below what the scanner was told, are backed off: every row collected,
//    throttles and waits in the run record;
//  - a 500 beyond the retries on one user's tokens leaves the instance partial (exit 3) and
//    resolves nothing: the planted findings stay open;
//  - a scope not authorised for domain-wide delegation (401 unauthorized_client) and an admin
//    without the privilege (403 forbidden, never retried as if it were a throttle) fail the
//    stream with a message naming what is missing.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, runCli, tempDir } from '../helpers/cli.js';
import { SCOPE } from '../../fixtures/emulators/google/index.js';
import { byStream, demoTenant, expectedCounts, GOOGLE_STREAMS, SA_CLIENT_ID, SA_EMAIL, scan, serviceAccountKey, startGoogleWorld, writeGoogleConfig, type GoogleWorld } from './world.js';

const tmp = tempDir();
const worlds: GoogleWorld[] = [];
afterAll(async () => {
  await Promise.all(worlds.map((w) => w.emu.close()));
  tmp.cleanup();
});

async function fresh(name: string, opts: Parameters<typeof startGoogleWorld>[0] = {}, extra: Record<string, unknown> = {}, scale?: number) {
  const world = await startGoogleWorld(opts, scale);
  worlds.push(world);
  const dir = join(tmp.dir, name);
  mkdirSync(dir);
  writeGoogleConfig(dir, world, extra);
  return { world, dir };
}

const sum = (results: { throttled?: number; waits: number; waitMs: number }[], k: 'throttled' | 'waits' | 'waitMs') => results.reduce((n, r) => n + (r[k] ?? 0), 0);

describe('throttling', () => {
  it('a storm of Google rate-limit answers (403 reasons and 429) is waited out: all rows, throttles and waits recorded', async () => {
    const { world, dir } = await fresh('storm', {
      faults: { throttleStorm: { requests: 40, shapes: ['userRateLimitExceeded', 'rateLimitExceeded', 'quotaExceeded', '429'] } },
    });
    const r = await scan(dir, world.env);
    expect(r.code, r.stderr).toBe(0);
    expect(world.emu.stats.throttledByReason).toEqual({ userRateLimitExceeded: 10, rateLimitExceeded: 10, quotaExceeded: 10, '429': 10 });
    const results = byStream(r.results);
    const expected = expectedCounts(world.tenant);
    for (const s of GOOGLE_STREAMS) expect([s, results[s]!.status, results[s]!.rowsWritten]).toEqual([s, 'ok', expected[s]]);
    expect(sum(r.results, 'throttled')).toBe(40);
    expect(sum(r.results, 'waits')).toBeGreaterThanOrEqual(40);
    expect(sum(r.results, 'waitMs')).toBeGreaterThan(0);
  });

  it('a project quota far below the configured one: Google’s 403 userRateLimitExceeded answers are backed off until every user is read', async () => {
    // The scanner believes 2,400/min; the project really has 12/min for the Directory API. (Time
    // runs 60x here, not 600x: at 600x the scanner's real-time overhead alone stays under 12/min.)
    const { world, dir } = await fresh('quota', { quota: { directory: 12 } }, { streams: ['users', 'tokens'] }, 60);
    const r = await scan(dir, world.env);
    expect(r.code, r.stderr).toBe(0);
    const results = byStream(r.results);
    expect([results.users!.status, results.tokens!.status, results.tokens!.rowsWritten]).toEqual(['ok', 'ok', world.tenant.google.counts.tokens]);
    expect(world.emu.stats.throttledByReason.quota).toBeGreaterThan(0);
    expect(results.tokens!.throttled).toBe(world.emu.stats.throttledByReason.quota! - (results.users!.throttled ?? 0));
    // Every user's tokens were asked for; the 403s were throttles, each retried after a backoff.
    expect(Object.keys(world.emu.stats.tokensByUser)).toHaveLength(world.tenant.google.users.length);
    expect(Object.values(world.emu.stats.tokensByUser).reduce((a, b) => a + b, 0)).toBe(world.tenant.google.users.length + results.tokens!.throttled!);
  });
});

describe('a slow answer', () => {
  it('times out after timeout_seconds and is retried with a fresh timeout: the stream completes', async () => {
    // timeout_seconds is 2 (real); the first users.list answer takes 4 s.
    const { world, dir } = await fresh('slow', { faults: { slow: { delayMs: 4_000, requests: 1, pathPrefix: '/admin/directory/v1/users' } } }, { streams: ['users'] });
    const r = await scan(dir, world.env);
    expect(r.code, r.stderr).toBe(0);
    const users = byStream(r.results).users!;
    expect([users.status, users.rowsWritten, users.retries]).toEqual(['ok', world.tenant.google.users.length, 1]);
    expect(world.emu.stats.byRoute['/admin/directory/v1/users']).toBe(2);
  });
});

describe('a 500 beyond the retries on one user’s tokens', () => {
  it('leaves the tokens stream partial (exit 3) and resolves nothing: the planted findings stay open', async () => {
    const { world, dir } = await fresh('partial');
    const clean = await scan(dir, world.env);
    expect(clean.code, clean.stderr).toBe(0);
    const planted = world.tenant.answerKey.filter((a) => a.provider === 'google').map((a) => a.app_id!).sort();
    const open = async () =>
      json<{ rule_id: string; resource: string; status: string }[]>(await runCli(['findings', 'list', '--status', 'open', '--json'], { cwd: dir, env: world.env }))
        .filter((f) => f.rule_id === 'unregistered-app')
        .map((f) => f.resource)
        .sort();
    expect(await open()).toEqual(planted);

    // The Apps Script user's tokens.list fails with 500 on every attempt.
    const victim = world.tenant.answerKey.find((a) => a.id === 'google-mail-merge-script')!.people[0]!;
    const userId = world.tenant.google.users.at(world.tenant.google.users.indexOf(victim)).id;
    world.emu.setFaults({ serverError: [{ path: `/admin/directory/v1/users/${userId}/tokens`, page: 1, times: 50 }] });
    const r = await scan(dir, world.env);
    world.emu.setFaults({});
    expect(r.code, r.stderr).toBe(3);
    const tokens = byStream(r.results).tokens!;
    expect(['partial', 'failed']).toContain(tokens.status);
    expect(tokens.status).not.toBe('ok');
    expect(tokens.error).toMatch(new RegExp(`GET /admin/directory/v1/users/${userId}/tokens: HTTP 500 after 3 attempts`));
    // 1 try + max_retries (2): then the stream gives up on that user.
    expect(world.emu.stats.tokensByUser[userId]).toBe(1 + 3);
    const out = JSON.parse(r.stdout) as { evaluation: { findings: { resolved: number } } };
    expect(out.evaluation.findings.resolved).toBe(0);
    expect(await open()).toEqual(planted);
  });
});

describe('permission failures', () => {
  it('a scope not authorised for domain-wide delegation: 401 unauthorized_client fails the streams needing it, naming the scope', async () => {
    // Delegation authorises the users and reports scopes, not the user-security one (tokens.list).
    const { world: w2, dir: d2 } = await fresh('dwd', {
      serviceAccounts: [{ clientEmail: SA_EMAIL, clientId: SA_CLIENT_ID, publicKey: serviceAccountKey().publicPem, delegatedScopes: [SCOPE.usersRead, SCOPE.reports] }],
    });
    const r = await scan(d2, w2.env);
    expect(r.code, r.stderr).toBe(3);
    const results = byStream(r.results);
    expect([results.users!.status, results.token_activity!.status, results.login_activity!.status]).toEqual(['ok', 'ok', 'ok']);
    expect(results.tokens!.status).toBe('failed');
    expect(results.tokens!.error).toContain('refused scope https://www.googleapis.com/auth/admin.directory.user.security for domain-wide delegation (401 unauthorized_client)');
    expect(results.tokens!.hint).toMatch(/Manage domain-wide delegation: add https:\/\/www\.googleapis\.com\/auth\/admin\.directory\.user\.security to client id 104857600012345678901/);
    expect(w2.emu.stats.byRoute['/admin/directory/v1/users/{userKey}/tokens'] ?? 0).toBe(0);
  });

  it('an admin without the security privilege: 403 forbidden names the privilege and is not retried as a throttle', async () => {
    const subject = [...demoTenant().google.users].find((u) => u.isAdmin)!.primaryEmail;
    const { world: w, dir } = await fresh('privilege', { admins: { [subject]: ['users.read', 'reports'] } });
    const r = await scan(dir, w.env);
    expect(r.code, r.stderr).toBe(3);
    const tokens = byStream(r.results).tokens!;
    expect(tokens.status).toBe('failed');
    expect(tokens.error).toContain(`403 forbidden: the admin ${w.subject} lacks the privilege Admin API privileges → Users → Security settings`);
    expect(tokens.throttled).toBe(0);
    // The first batch's calls each got one 403 and none was repeated (a throttle would have been).
    const calls = Object.values(w.emu.stats.tokensByUser);
    expect(calls.length).toBeGreaterThan(0);
    expect(calls.every((n) => n === 1)).toBe(true);
    expect(w.emu.stats.byStatus['403']).toBe(calls.length);
  });
});
