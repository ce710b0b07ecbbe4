// The rate controller with Okta's policy, in process on a fast clock: 429s are waited out until
// X-Rate-Limit-Reset without using up retries, a long run may meet any number of them, and only
// a request that is throttled without end gives up; 5xx and broken bodies use the retries.
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../src/clock.js';
import { RateController, RetriesExhausted, type Attempt } from '../../src/connectors/runtime/rate.js';
import { oktaRatePolicy } from '../../connectors/okta/client.js';

const url = new URL('https://acme.okta.com/api/v1/users/00u1/grants');

/** Time moves only by sleeping, and sleeping is instant: waits are exact and cost nothing. */
function jumpingClock(start: number): Clock {
  let now = start;
  return {
    now: () => now,
    sleep: async (ms) => {
      now += Math.max(0, ms);
    },
  };
}

function controller() {
  const clock = jumpingClock(Date.parse('2025-06-15T12:00:00Z'));
  return { clock, rate: new RateController(oktaRatePolicy, clock, { share: 0.5, maxRetries: 2, baseBackoffMs: 20, maxBackoffMs: 60_000, reserveFraction: 0.05 }) };
}

function reply(clock: { now(): number }, status: number, body = '[]'): Attempt {
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'x-rate-limit-limit': '600',
    'x-rate-limit-remaining': status === 429 ? '0' : '500',
    'x-rate-limit-reset': String(Math.ceil((clock.now() + 5_000) / 1000)),
  };
  return { status, header: (n) => headers[n.toLowerCase()] ?? null, body };
}

describe('RateController (Okta policy)', () => {
  it('waits out a 429 until the reset, then returns the page, without spending retries', async () => {
    const { clock, rate } = controller();
    const statuses = [429, 429, 200];
    const got = await rate.run(url, 'GET', async () => reply(clock, statuses.shift()!));
    expect(got.status).toBe(200);
    expect(rate.stats).toMatchObject({ requests: 3, throttled: 2, retries: 2 });
    // Each 429 waited for X-Rate-Limit-Reset (5 s ahead), not for the 20 ms backoff.
    expect(rate.stats.waitMs).toBeGreaterThanOrEqual(2 * 5_000);
    expect(rate.stats.waitMs).toBeLessThan(2 * 5_000 + 2_000); // + jitter and pacing
  });

  it('survives more than 1,000 throttled requests in one long run, each waited out', async () => {
    const { clock, rate } = controller();
    for (let i = 0; i < 1_100; i++) {
      let first = true;
      const got = await rate.run(url, 'GET', async () => {
        const r = reply(clock, first ? 429 : 200);
        first = false;
        return r;
      });
      expect(got.status).toBe(200);
    }
    expect(rate.stats.throttled).toBe(1_100);
  });

  it('gives up on a request throttled 100 times in a row, and on a 500 or a truncated body after max_retries', async () => {
    const { clock, rate } = controller();
    await expect(rate.run(url, 'GET', async () => reply(clock, 429))).rejects.toThrow(/throttled 101 times in a row \(HTTP 429\)/);
    await expect(rate.run(url, 'GET', async () => reply(clock, 500))).rejects.toThrow(new RetriesExhausted('GET /api/v1/users/00u1/grants: HTTP 500 after 3 attempts', 500));
    await expect(rate.run(url, 'GET', async () => reply(clock, 200, '[{"id": "oag1"'))).rejects.toThrow(/HTTP 200 with an unreadable \(truncated\?\) body after 3 attempts/);
    const statuses = [500, 500, 200];
    expect((await rate.run(url, 'GET', async () => reply(clock, statuses.shift()!))).status).toBe(200);
  });
});
