// Reason-based throttle recognition in the runtime's rate controller (provider-neutral) and the
// Google policy, in process on a jumping clock: Google's 403 userRateLimitExceeded /
// rateLimitExceeded / quotaExceeded and 429 are throttles (backed off, retries not spent); a 403 forbidden or insufficientPermissions is fatal at once; 503/500 use the
// retries; pacing follows the configured quota and share when Google sends no limit headers.
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/clock.js';
import { RateController, RetriesExhausted, throttleReason, type Attempt } from '../../src/connectors/runtime/rate.js';
import { googleRatePolicy } from '../../connectors/google/client.js';

const url = new URL('https://admin.googleapis.com/admin/directory/v1/users/1001/tokens');
const policy = googleRatePolicy({ quota_per_minute: 2_400, reports_quota_per_minute: 600, token_url: 'https://oauth2.googleapis.com/token' });

function jumpingClock(start: number): Clock & { sleeps: number[] } {
  let now = start;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
      now += Math.max(0, ms);
    },
  };
}

const googleBody = (status: number, reason: string, statusText: string) =>
  JSON.stringify({ error: { code: status, message: 'x', errors: [{ message: 'x', domain: 'usageLimits', reason }], status: statusText } });

function reply(status: number, body: string): Attempt {
  return { status, header: (n) => (n.toLowerCase() === 'content-type' ? 'application/json; charset=UTF-8' : null), body };
}

function controller() {
  const clock = jumpingClock(Date.parse('2025-06-15T12:00:00Z'));
  return { clock, rate: new RateController(policy, clock, { share: 0.5, maxRetries: 2, baseBackoffMs: 100, maxBackoffMs: 60_000, reserveFraction: 0.05 }) };
}

describe('throttleReason (provider-neutral)', () => {
  it('names Google, AWS, Graph and Okta throttling reasons and never a permission reason', () => {
    expect(throttleReason(googleBody(403, 'userRateLimitExceeded', 'PERMISSION_DENIED'))).toBe('userRateLimitExceeded');
    expect(throttleReason(googleBody(403, 'rateLimitExceeded', 'PERMISSION_DENIED'))).toBe('rateLimitExceeded');
    expect(throttleReason(googleBody(403, 'quotaExceeded', 'PERMISSION_DENIED'))).toBe('quotaExceeded');
    expect(throttleReason(JSON.stringify({ error: { code: 429, message: 'x', status: 'RESOURCE_EXHAUSTED' } }))).toBe('RESOURCE_EXHAUSTED');
    expect(throttleReason(JSON.stringify({ __type: 'com.amazonaws.cloudtrail#ThrottlingException', message: 'Rate exceeded' }))).toBe('ThrottlingException');
    expect(throttleReason(JSON.stringify({ error: { code: 'TooManyRequests', message: 'x' } }))).toBe('TooManyRequests');
    expect(throttleReason(JSON.stringify({ errorCode: 'E0000047' }))).toBe('E0000047');
    expect(throttleReason(googleBody(403, 'forbidden', 'PERMISSION_DENIED'))).toBeUndefined();
    expect(throttleReason(googleBody(403, 'insufficientPermissions', 'PERMISSION_DENIED'))).toBeUndefined();
    expect(throttleReason(googleBody(403, 'dailyLimitExceeded', 'PERMISSION_DENIED'))).toBeUndefined();
    expect(throttleReason('<html>403</html>')).toBeUndefined();
    expect(throttleReason(undefined)).toBeUndefined();
  });
});

describe('RateController with the Google policy', () => {
  it('backs off 403 rate reasons and 429 exponentially without spending retries, then returns the page', async () => {
    const { rate, clock } = controller();
    const answers = [
      reply(403, googleBody(403, 'userRateLimitExceeded', 'PERMISSION_DENIED')),
      reply(403, googleBody(403, 'rateLimitExceeded', 'PERMISSION_DENIED')),
      reply(429, googleBody(429, 'rateLimitExceeded', 'RESOURCE_EXHAUSTED')),
      reply(403, googleBody(403, 'quotaExceeded', 'PERMISSION_DENIED')),
      reply(200, '{"kind":"admin#directory#tokenList"}'),
    ];
    const got = await rate.run(url, 'GET', async () => answers.shift()!);
    expect(got.status).toBe(200);
    // 4 throttles with maxRetries 2: retries were not what limited them.
    expect(rate.stats).toMatchObject({ requests: 5, throttled: 4, retries: 4 });
    // Backoff doubles per consecutive throttle: 100, 200, 400, 800 ms (each with half jitter).
    const backoffs = clock.sleeps.filter((ms) => ms >= 50);
    expect(backoffs).toHaveLength(4);
    backoffs.forEach((ms, i) => {
      expect(ms).toBeGreaterThanOrEqual(100 * 2 ** i * 0.5);
      expect(ms).toBeLessThanOrEqual(100 * 2 ** i);
    });
  });

  it('a 403 forbidden (missing privilege) is returned at once: no retry, no wait, not counted as throttled', async () => {
    const { rate } = controller();
    let calls = 0;
    const got = await rate.run(url, 'GET', async () => {
      calls++;
      return reply(403, googleBody(403, 'forbidden', 'PERMISSION_DENIED'));
    });
    expect([got.status, calls, rate.stats.throttled, rate.stats.retries]).toEqual([403, 1, 0, 0]);
  });

  it('500s use the retries and then give up; a truncated 200 body is retried', async () => {
    const { rate } = controller();
    await expect(rate.run(url, 'GET', async () => reply(500, googleBody(500, 'backendError', 'INTERNAL')))).rejects.toBeInstanceOf(RetriesExhausted);
    expect(rate.stats).toMatchObject({ requests: 3, retries: 2, throttled: 0 });
    const { rate: r2 } = controller();
    const bodies = ['{"items":[{"clientId":"a"', '{"items":[]}'];
    const got = await r2.run(url, 'GET', async () => reply(200, bodies.shift()!));
    expect([got.body, r2.stats.retries]).toEqual(['{"items":[]}', 1]);
  });

  it('paces each API to its configured quota × share (no limit headers from Google)', async () => {
    const { rate, clock } = controller();
    const start = clock.now();
    for (let i = 0; i < 120; i++) await rate.run(url, 'GET', async () => reply(200, '{}'));
    // Directory: 2,400/min × 0.5 = 1,200/min → 120 requests take ~6 s.
    expect(clock.now() - start).toBeGreaterThanOrEqual(119 * 50);
    expect(clock.now() - start).toBeLessThan(121 * 50);
    const reports = new URL('https://admin.googleapis.com/admin/reports/v1/activity/users/all/applications/token');
    const t0 = clock.now();
    for (let i = 0; i < 30; i++) await rate.run(reports, 'GET', async () => reply(200, '{}'));
    // Reports: 600/min × 0.5 = 300/min → 200 ms apart.
    expect(clock.now() - t0).toBeGreaterThanOrEqual(29 * 200);
    expect(policy.bucket(new URL('https://oauth2.googleapis.com/token'), 'POST')).toBe('token');
  });
});
