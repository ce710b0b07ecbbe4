// One clock for the whole program, so tests, emulators and the rate controller can share a
// controllable notion of time (time-scaled benchmarks, suppression expiry, retention).

export interface Clock {
  /** Milliseconds since the Unix epoch, in this clock's time. */
  now(): number;
  /** Resolves after `ms` of this clock's time has passed. */
  sleep(ms: number): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms))),
};

/**
 * Runs `scale` times faster than real time, starting at `startMs`. Sleeping is real (scaled
 * down), so concurrent sleepers interleave in the same order as they would in real time —
 * the property a time-scaled rate-limit benchmark needs.
 */
export function scaledClock(scale: number, startMs: number = Date.now()): Clock {
  if (!(scale > 0)) throw new Error(`scaledClock: scale must be > 0, got ${scale}`);
  const realStart = performance.now();
  return {
    now: () => startMs + (performance.now() - realStart) * scale,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms) / scale)),
  };
}

/** A clock that moves only when told to; sleepers wake when `advance` passes their deadline. */
export class ManualClock implements Clock {
  private current: number;
  private sleepers: { until: number; wake: () => void }[] = [];

  constructor(startMs: number) {
    this.current = startMs;
  }

  now(): number {
    return this.current;
  }

  sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      this.sleepers.push({ until: this.current + Math.max(0, ms), wake: resolve });
    });
  }

  advance(ms: number): void {
    this.current += ms;
    const due = this.sleepers.filter((s) => s.until <= this.current);
    this.sleepers = this.sleepers.filter((s) => s.until > this.current);
    for (const s of due) s.wake();
  }
}

/**
 * A scaled clock defined by an anchor pair, so that two processes (a test's emulator and the
 * CLI it starts) that share the anchors read the same time: virtual = anchorVirtual +
 * (wall − anchorReal) × scale.
 */
export function anchoredClock(scale: number, anchorRealMs: number, anchorVirtualMs: number): Clock {
  if (!(scale > 0)) throw new Error(`anchoredClock: scale must be > 0, got ${scale}`);
  return {
    now: () => anchorVirtualMs + (Date.now() - anchorRealMs) * scale,
    sleep: (ms) => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms) / scale)),
  };
}

/** The value of SHADOWSCAN_CLOCK that makes a child process share `anchoredClock(...)`. */
export function clockEnv(scale: number, anchorRealMs: number, anchorVirtualMs: number): string {
  return `scale=${scale},anchor_real=${anchorRealMs},anchor_virtual=${anchorVirtualMs}`;
}

/**
 * The clock of this process. For tests, demos and time-scaled benchmarks only:
 * SHADOWSCAN_NOW (ISO time) starts "now" there; SHADOWSCAN_CLOCK="scale=S,anchor_real=MS,
 * anchor_virtual=MS" shares a scaled clock with another process (see anchoredClock).
 */
export function processClock(env: NodeJS.ProcessEnv = process.env): Clock {
  const shared = env.SHADOWSCAN_CLOCK;
  if (shared) {
    const parts = Object.fromEntries(shared.split(',').map((kv) => kv.split('=') as [string, string]));
    const scale = Number(parts.scale);
    const real = Number(parts.anchor_real);
    const virtual = Number(parts.anchor_virtual);
    if (!(scale > 0) || !Number.isFinite(real) || !Number.isFinite(virtual)) throw new Error(`SHADOWSCAN_CLOCK is malformed: ${shared}`);
    return anchoredClock(scale, real, virtual);
  }
  const pinned = env.SHADOWSCAN_NOW;
  if (!pinned) return systemClock;
  const start = Date.parse(pinned);
  if (Number.isNaN(start)) throw new Error(`SHADOWSCAN_NOW is not an ISO time: ${pinned}`);
  return anchoredClock(1, Date.now(), start);
}
