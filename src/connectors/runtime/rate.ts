// The rate controller (DESIGN.md "Rate control"): the runtime, not each SDK, owns pacing and
// retries. Per bucket it learns the provider's limit from response headers and spaces requests
// so this instance uses at most `share` of it per window (the rest belongs to the company's
// production integrations); it pauses when the shared budget runs low, waits out 429s until
// the provider's reset, and retries 5xx, timeouts and broken bodies with capped backoff.
// All waiting goes through the injected clock, so time-scaled tests and benchmarks are exact.
import type { Clock } from '../../clock.js';

export type Verdict = 'ok' | 'throttled' | 'retry' | 'fatal';

export interface RateSignals {
  limit?: number;
  remaining?: number;
  /** Epoch ms when the current window resets. */
  resetAtMs?: number;
  /** Epoch ms before which the provider asked us not to retry (Retry-After). */
  retryAtMs?: number;
}

export interface ProviderRatePolicy {
  /** Which budget a request draws on (e.g. Okta's per-endpoint buckets). */
  bucket(url: URL, method: string): string;
  /** Length of the provider's rate window (Okta: per minute). */
  windowMs: number;
  /** Budget to assume before the first response tells the real one. */
  defaultLimit: number;
  /**
   * A bucket's own budget per window where the provider documents one but sends no limit headers
   * (Microsoft Graph: the audit-log bucket allows 5 requests / 10 s; Google's per-API quotas);
   * defaultLimit otherwise.
   */
  limitOf?(bucket: string): number | undefined;
  signals(status: number, header: (name: string) => string | null, nowMs: number): RateSignals;
  classify(status: number, header: (name: string) => string | null, body: string | undefined): Verdict;
}

export interface RateOptions {
  /** Fraction of the provider's limit this instance may use (0 < share ≤ 1). */
  share: number;
  maxRetries: number;
  baseBackoffMs: number;
  maxBackoffMs: number;
  /** Pause when the shared remaining budget falls to this fraction of the limit. */
  reserveFraction: number;
}

/** 429s in a row for one request before giving up (each waits for the provider's reset). */
const MAX_THROTTLED_PER_REQUEST = 100;

export const defaultRateOptions: RateOptions = { share: 0.5, maxRetries: 4, baseBackoffMs: 1000, maxBackoffMs: 60_000, reserveFraction: 0.05 };

export interface RateStats {
  requests: number;
  throttled: number;
  retries: number;
  waits: number;
  waitMs: number;
}

interface BucketState {
  limit: number;
  learned: boolean;
  remaining?: number;
  resetAtMs?: number;
  nextSlotMs: number;
}

export interface Attempt {
  status: number;
  header: (name: string) => string | null;
  /** Body text when the caller buffered it (to detect truncated JSON). */
  body?: string;
}

export class RetriesExhausted extends Error {
  constructor(
    message: string,
    readonly lastStatus: number | undefined,
  ) {
    super(message);
    this.name = 'RetriesExhausted';
  }
}

/**
 * Reasons providers give for throttling inside JSON error bodies, recognised by name because the
 * HTTP status alone is ambiguous: Google answers quota exhaustion with 403 (the status it also
 * uses for a missing permission) and reason userRateLimitExceeded / rateLimitExceeded /
 * quotaExceeded, or 429 RESOURCE_EXHAUSTED; AWS uses 400 ThrottlingException; Graph and Okta
 * name theirs too. A daily limit (dailyLimitExceeded) is not here: waiting minutes does not help.
 */
export const THROTTLE_REASONS: ReadonlySet<string> = new Set([
  'userRateLimitExceeded', 'rateLimitExceeded', 'quotaExceeded', 'RESOURCE_EXHAUSTED',
  'ThrottlingException', 'Throttling', 'TooManyRequestsException', 'RequestLimitExceeded', 'TooManyRequests',
  'E0000047',
]);

/**
 * The verdict on a JSON API answer that most providers share: 429 (or, with `byReason`, any error
 * whose body names a throttling reason: Google's 403 quota errors) is throttling; 5xx and a 2xx
 * JSON body that does not parse (a truncated or corrupted page) are fetched again; any other
 * 4xx is fatal.
 */
export function classifyJsonAnswer(
  status: number,
  header: (name: string) => string | null,
  body: string | undefined,
  opts: { byReason?: boolean } = {},
): Verdict {
  if (status === 429) return 'throttled';
  // By reason, never by status: a 403 `forbidden` is a missing privilege, not a quota.
  if (opts.byReason && status >= 400 && throttleReason(body)) return 'throttled';
  if (status >= 500) return 'retry';
  if (status >= 200 && status < 300 && body !== undefined && /json/i.test(header('content-type') ?? '')) {
    try {
      JSON.parse(body);
    } catch {
      return 'retry';
    }
  }
  return status >= 400 ? 'fatal' : 'ok';
}

/**
 * The throttling reason a JSON error body names (Google `error.errors[].reason` / `error.status`,
 * AWS `__type`, Graph `error.code`, Okta `errorCode`), or undefined — permission reasons such as
 * `forbidden` or `insufficientPermissions` are never throttling, whatever the status.
 */
export function throttleReason(body: string | undefined): string | undefined {
  if (!body || body.length > 65_536) return undefined;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return undefined;
  }
  if (!parsed || typeof parsed !== 'object') return undefined;
  const o = parsed as Record<string, unknown>;
  const err = o.error && typeof o.error === 'object' ? (o.error as Record<string, unknown>) : undefined;
  const candidates: unknown[] = [];
  if (err) {
    if (Array.isArray(err.errors)) for (const e of err.errors) if (e && typeof e === 'object') candidates.push((e as Record<string, unknown>).reason);
    candidates.push(err.status, err.code);
  }
  // AWS: "ThrottlingException" or "com.amazonaws...#ThrottlingException" / "ThrottlingException:http://..."
  if (typeof o.__type === 'string') candidates.push(o.__type.replace(/^.*#/, '').replace(/:.*$/, ''));
  candidates.push(o.errorCode, o.code);
  for (const c of candidates) if (typeof c === 'string' && THROTTLE_REASONS.has(c)) return c;
  return undefined;
}

export class RateController {
  readonly stats: RateStats = { requests: 0, throttled: 0, retries: 0, waits: 0, waitMs: 0 };
  private readonly buckets = new Map<string, BucketState>();

  constructor(
    private readonly policy: ProviderRatePolicy,
    private readonly clock: Clock,
    readonly options: RateOptions = defaultRateOptions,
  ) {
    if (!(options.share > 0 && options.share <= 1)) throw new Error(`rate share must be in (0, 1], got ${options.share}`);
  }

  /**
   * Runs `send` under the bucket's pacing, retrying as the policy says. `send` performs one
   * HTTP attempt; a thrown error (network, timeout) counts as retryable.
   */
  async run<T extends Attempt>(url: URL, method: string, send: () => Promise<T>): Promise<T> {
    const bucket = this.policy.bucket(url, method);
    let failures = 0;
    let throttled = 0;
    for (;;) {
      await this.acquire(bucket);
      this.stats.requests++;
      let attempt: T;
      try {
        attempt = await send();
      } catch (e) {
        failures++;
        if (failures > this.options.maxRetries) throw new RetriesExhausted(`${method} ${url.pathname}: ${e instanceof Error ? e.message : String(e)} (after ${failures} attempts)`, undefined);
        this.stats.retries++;
        await this.wait(this.backoff(failures));
        continue;
      }
      const now = this.clock.now();
      const signals = this.policy.signals(attempt.status, attempt.header, now);
      this.learn(bucket, signals);
      const verdict = this.policy.classify(attempt.status, attempt.header, attempt.body);
      if (verdict === 'ok' || verdict === 'fatal') return attempt;
      if (verdict === 'throttled') {
        this.stats.throttled++;
        this.stats.retries++;
        // Throttling is not a failure of the request: wait for the window, do not use up retries,
        // but stop a storm that never ends for this request. (Counted per request: a long scan
        // may meet many 429s in total, each waited out, and must not die of their sum.)
        if (++throttled > MAX_THROTTLED_PER_REQUEST) {
          throw new RetriesExhausted(`${method} ${url.pathname}: throttled ${throttled} times in a row (HTTP 429)`, attempt.status);
        }
        const until = signals.retryAtMs ?? signals.resetAtMs;
        const jitter = Math.random() * 250;
        if (until && until > now) {
          await this.wait(until - now + jitter);
          continue;
        }
        // No reset signal (Google's 403 rate reasons, 429/503 without Retry-After): exponential
        // backoff per consecutive throttle, and the whole bucket pauses with this request, so
        // requests in flight beside it do not keep hitting the limit.
        const pause = this.backoff(throttled);
        const s = this.state(bucket);
        s.nextSlotMs = Math.max(s.nextSlotMs, now + pause);
        await this.wait(pause);
        continue;
      }
      failures++;
      if (failures > this.options.maxRetries) {
        // A retryable 2xx is one whose body did not parse (truncated or corrupted on the way).
        const what = attempt.status >= 200 && attempt.status < 300 ? `HTTP ${attempt.status} with an unreadable (truncated?) body` : `HTTP ${attempt.status}`;
        throw new RetriesExhausted(`${method} ${url.pathname}: ${what} after ${failures} attempts`, attempt.status);
      }
      this.stats.retries++;
      await this.wait(signals.retryAtMs && signals.retryAtMs > now ? signals.retryAtMs - now : this.backoff(failures));
    }
  }

  /** Current view of a bucket, for doctor and tests. */
  bucketState(bucket: string): Readonly<BucketState> | undefined {
    return this.buckets.get(bucket);
  }

  private state(bucket: string): BucketState {
    let s = this.buckets.get(bucket);
    if (!s) {
      s = { limit: this.policy.limitOf?.(bucket) ?? this.policy.defaultLimit, learned: false, nextSlotMs: 0 };
      this.buckets.set(bucket, s);
    }
    return s;
  }

  private async acquire(bucket: string): Promise<void> {
    const s = this.state(bucket);
    const now = this.clock.now();
    // Shared budget nearly spent (by us or others): wait for the window to reset.
    if (s.remaining !== undefined && s.resetAtMs && s.resetAtMs > now && s.remaining <= Math.max(1, Math.ceil(s.limit * this.options.reserveFraction))) {
      const until = s.resetAtMs + Math.random() * 100;
      s.remaining = undefined;
      s.nextSlotMs = Math.max(s.nextSlotMs, until);
    }
    const interval = this.policy.windowMs / Math.max(1, s.limit * this.options.share);
    const slot = Math.max(now, s.nextSlotMs);
    s.nextSlotMs = slot + interval;
    if (slot > now) await this.wait(slot - now);
  }

  private learn(bucket: string, signals: RateSignals): void {
    const s = this.state(bucket);
    if (signals.limit && signals.limit > 0) {
      s.limit = signals.limit;
      s.learned = true;
    }
    if (signals.remaining !== undefined) s.remaining = signals.remaining;
    if (signals.resetAtMs) s.resetAtMs = signals.resetAtMs;
  }

  private backoff(failures: number): number {
    const exp = Math.min(this.options.maxBackoffMs, this.options.baseBackoffMs * 2 ** (failures - 1));
    return exp / 2 + Math.random() * (exp / 2);
  }

  private async wait(ms: number): Promise<void> {
    if (ms <= 0) return;
    this.stats.waits++;
    this.stats.waitMs += ms;
    await this.clock.sleep(ms);
  }
}
