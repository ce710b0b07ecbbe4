// Benchmark `okta`: a live scan of the synthetic tenant served by the Okta emulator with Okta's
// documented per-minute, org-wide limits, time-scaled. The emulator runs in this process on an
// anchoredClock(S); the CLI child shares that clock through SHADOWSCAN_CLOCK, so its rate
// controller, its sync records and the emulator's rate windows all live on one virtual clock.
// Per stream it reports requests and 429s (emulator counts), the share of the bucket's limit
// actually used, the virtual duration (what the scan would take against a real org) and its
// ratio to the rate-bound minimum, rows vs the tenant's counts, and the CPU/RSS of both
// processes. See docs/benchmarks.md.

import { cpus, tmpdir, totalmem } from 'node:os';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { stringify } from 'yaml';
import { anchoredClock, clockEnv, type Clock } from '../src/clock.js';
import { DEFAULT_OKTA_LIMITS, OKTA_EMULATOR_ADMIN_TOKEN, startOktaEmulator, type OktaBucket, type OktaEmulator } from '../fixtures/emulators/okta/index.js';
import { generateTenant, type Tenant, type TenantSize } from '../fixtures/tenant/index.js';
import { cleanEnv as cleanChildEnv, machineBusyMs, nodeChild, parseJsonOutput, runChild, tailLines, type ChildResult } from './lib/child.js';
import { type Cell, type Table, fixed, grouped, pct, tableToObjects } from './lib/table.js';
import { SCAN_FLAGS, STRING, parseBenchArgs, positiveNumber, scanOptions } from './lib/args.js';
import type { BenchContext, BenchReport, Benchmark, SyncRecord as BaseSyncRecord } from './lib/types.js';

/** The tenant's "now" (as in the tests); the virtual clock starts here. */
export const OKTA_BENCH_NOW = Date.parse('2025-06-15T12:00:00.000Z');
export const OKTA_BENCH_SEED = 42;
/** Goal: a rate-bound stream uses at least this fraction of its configured share. */
export const GOAL_SHARE_FRACTION = 0.9;
/**
 * A stream counts as rate-bound when its theoretical minimum (requests ÷ share × limit) is at
 * least this many virtual minutes; shorter ones are dominated by start-up and commits.
 */
export const RATE_BOUND_MIN_MINUTES = 5;
/**
 * Default time scales. system_log pages (1,000 events) cost tens of real ms of CPU in both
 * processes and are fetched one after another, so at a high scale the log stream is CPU-bound,
 * not rate-bound; it gets its own, lower scale (a second scan). The grant fan-outs are cheap per
 * request and take hours of virtual time, so they need the higher one.
 */
const DEFAULT_SCALE: Record<TenantSize, number> = { demo: 100, large: 15 };
const DEFAULT_LOG_SCALE: Record<TenantSize, number> = { demo: 100, large: 5 };

export const OKTA_BENCH_STREAMS = [
  { name: 'users', route: '/api/v1/users', bucket: 'users' },
  { name: 'apps', route: '/api/v1/apps', bucket: 'apps' },
  { name: 'app_grants', route: '/api/v1/apps/{id}/grants', bucket: 'appGrants' },
  { name: 'user_grants', route: '/api/v1/users/{id}/grants', bucket: 'userGrants' },
  { name: 'system_log', route: '/api/v1/logs', bucket: 'logs' },
] as const satisfies readonly { name: string; route: string; bucket: OktaBucket }[];
type StreamName = (typeof OKTA_BENCH_STREAMS)[number]['name'];
const STREAM_NAMES = OKTA_BENCH_STREAMS.map((s) => s.name) as StreamName[];

interface OktaOptions {
  size: TenantSize;
  /** Time scale of the snapshot streams (and of system_log unless logScale says otherwise). */
  scale: number;
  /** Time scale of system_log. */
  logScale: number;
  share: number;
  streams: StreamName[];
  seed: number;
  keep: boolean;
  /** Per scan (phase); default from the rate-bound minimum. */
  timeoutMs: number | undefined;
  /** Virtual ms the emulator waits before answering each request (0: as fast as it can). */
  latencyMs: number;
}

const USAGE =
  'okta [--size large|demo] [--scale S] [--log-scale S] [--streams users,apps,app_grants,user_grants,system_log] [--share F] [--latency MS] [--seed N] [--keep] [--timeout SECONDS]';

export function parseOptions(args: string[], log: (m: string) => void): OktaOptions {
  return parseBenchArgs(
    { name: 'okta', usage: USAGE, flags: { ...SCAN_FLAGS, 'log-scale': STRING, latency: STRING } },
    args,
    (v) => {
      const o = scanOptions(v, { scale: DEFAULT_SCALE, streams: STREAM_NAMES, seed: OKTA_BENCH_SEED });
      const latencyMs = v.latency === undefined ? 0 : Number(v.latency);
      if (!(latencyMs >= 0)) throw new Error(`--latency: need a number of virtual ms ≥ 0, got ${v.latency}`);
      const logScale = v['log-scale'] === undefined ? Math.min(o.scale, DEFAULT_LOG_SCALE[o.size]) : positiveNumber('log-scale', v['log-scale']);
      return { ...o, logScale, latencyMs };
    },
    (a) => log(`okta: ignoring unknown option ${a}`),
  );
}

/**
 * One scan per run of consecutive streams with the same scale: with the default scales, the
 * snapshot streams in one scan and system_log in a second one, in the same workspace.
 */
interface Phase {
  scale: number;
  streams: StreamName[];
}

function phasesOf(opts: OktaOptions): Phase[] {
  const phases: Phase[] = [];
  for (const s of opts.streams) {
    const scale = s === 'system_log' ? opts.logScale : opts.scale;
    const last = phases[phases.length - 1];
    if (last && last.scale === scale) last.streams.push(s);
    else phases.push({ scale, streams: [s] });
  }
  return phases;
}

/**
 * The emulator's clock: an anchoredClock that is re-anchored (continuously) when a phase starts
 * with another scale, so virtual time runs on without a jump.
 */
class PhasedClock implements Clock {
  private current: Clock;
  constructor(scale: number, startVirtualMs: number) {
    this.current = anchoredClock(scale, Date.now(), startVirtualMs);
  }
  /** Switches to `scale` from now on; returns SHADOWSCAN_CLOCK for a child that shares it. */
  phase(scale: number): string {
    const real = Date.now();
    const virtual = this.current.now();
    this.current = anchoredClock(scale, real, virtual);
    return clockEnv(scale, real, virtual);
  }
  now(): number {
    return this.current.now();
  }
  sleep(ms: number): Promise<void> {
    return this.current.sleep(ms);
  }
}

// ---------------------------------------------------------------------------------------------
// Sampling while the scan runs: emulator counters, CPU of both processes, the CLI's RSS.

interface Sample {
  /** performance.now() in this process. */
  real: number;
  /** Virtual (shared clock) epoch ms. */
  virt: number;
  /** Cumulative requests / 429s per route template. */
  requests: Record<string, number>;
  throttled: Record<string, number>;
  /** CPU ms of this process (the emulator), of the CLI child, and of the whole machine (busy). */
  benchCpuMs: number;
  childCpuMs: number | null;
  busyMs: number | null;
  childRssKiB: number | null;
  /** Worst event-loop delay of this process (the emulator) since the previous sample, ms. */
  loopLagMs: number;
}

const CLK_TCK = 100; // USER_HZ on Linux

function childCpuMs(pid: number): number | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // after "pid (comm) ": state(0) … utime is field 14 overall → index 11 here, stime 12
    return ((Number(f[11]) + Number(f[12])) * 1000) / CLK_TCK;
  } catch {
    return null;
  }
}

function childRssKiB(pid: number): number | null {
  try {
    const m = /VmRSS:\s+(\d+)\s*kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

class Sampler {
  readonly samples: Sample[] = [];
  private pid: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private readonly lag = monitorEventLoopDelay({ resolution: 5 });
  private lastChildCpu: number | null = null;

  constructor(
    private readonly emu: OktaEmulator,
    private readonly now: () => number,
  ) {}

  start(intervalMs: number): void {
    this.lag.enable();
    this.take();
    this.timer = setInterval(() => this.take(), intervalMs);
  }

  attach(pid: number): void {
    this.pid = pid;
    this.lastChildCpu = null;
  }

  detach(): void {
    this.pid = undefined;
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.take();
    this.lag.disable();
  }

  take(): void {
    const requests: Record<string, number> = {};
    const throttled: Record<string, number> = {};
    for (const [route, byStatus] of Object.entries(this.emu.stats.byRouteStatus)) {
      requests[route] = Object.values(byStatus).reduce((a, b) => a + b, 0);
      throttled[route] = byStatus['429'] ?? 0;
    }
    const cpu = process.cpuUsage();
    // Once the child is gone its /proc entry is too: keep its last reading.
    const c = this.pid === undefined ? null : childCpuMs(this.pid);
    if (c !== null) this.lastChildCpu = c;
    this.samples.push({
      real: performance.now(),
      virt: this.now(),
      requests,
      throttled,
      benchCpuMs: (cpu.user + cpu.system) / 1000,
      childCpuMs: this.pid === undefined ? null : (c ?? this.lastChildCpu),
      busyMs: machineBusyMs(),
      childRssKiB: this.pid === undefined ? null : childRssKiB(this.pid),
      loopLagMs: this.lag.max / 1e6,
    });
    this.lag.reset();
  }

  /** Index of the last sample at or before virtual time `v` (0 if none). */
  at(v: number): number {
    let lo = 0;
    let hi = this.samples.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.samples[mid]!.virt <= v) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /** Index of the first sample at or after virtual time `v` (last if none). */
  after(v: number): number {
    const i = this.at(v);
    return this.samples[i]!.virt >= v || i === this.samples.length - 1 ? i : i + 1;
  }
}

// ---------------------------------------------------------------------------------------------

interface SyncRecord extends BaseSyncRecord {
  retries: number;
  waits: number;
  hint: string | null;
}

interface StreamFigures {
  stream: StreamName;
  bucket: OktaBucket;
  scale: number;
  status: string | null;
  requests: number;
  throttled: number;
  cliRequests: number | null;
  cliThrottled: number | null;
  limit: number;
  virtualMs: number | null;
  reqPerMin: number | null;
  shareUsed: number | null;
  steadyShare: number | null;
  peakShare: number | null;
  minMs: number;
  ratio: number | null;
  rateBound: boolean;
  slotRealMs: number;
  waitMs: number | null;
  rows: number | null;
  rowsInView: number | null;
  expected: number;
  cliCores: number | null;
  emuCores: number | null;
  otherCores: number | null;
  loopLagMaxMs: number | null;
  cliRssMaxMiB: number | null;
  goals: string;
  error: string | null;
}

function expectedRows(t: Tenant): Record<StreamName, number> {
  const c = t.okta.counts;
  return { users: c.users, apps: c.apps, app_grants: c.appGrants, user_grants: c.userGrants, system_log: c.logEvents };
}

/** 9_876_000 ms → "2h 44m 36s"; 61_500 → "1m 01.5s"; 4_200 → "4.2s". */
export function formatDuration(ms: number | null): string | null {
  if (ms === null || !Number.isFinite(ms)) return null;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(1)}s`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const ss = sec.toFixed(h ? 0 : 1).padStart(h ? 2 : 4, '0');
  return h ? `${h}h ${String(m).padStart(2, '0')}m ${ss}s` : `${m}m ${ss}s`;
}

/** No OKTA_CLIENT_* defaults from the machine either (the SDK would read them). */
const cleanEnv = (extra: NodeJS.ProcessEnv) => cleanChildEnv(extra, ['OKTA_CLIENT_']);

interface PhaseResult extends Phase {
  child: ChildResult;
  /** Virtual time at spawn and at exit. */
  virtStart: number;
  virtEnd: number;
  /** Sample indices at spawn and exit. */
  s0: number;
  s1: number;
  timeoutMs: number;
  output: { results?: { stream: string; requests: number; throttled?: number }[] } | undefined;
}

function writeConfig(dir: string, orgUrl: string, opts: OktaOptions, streams: StreamName[]): void {
  const config = {
    data_dir: '.shadowscan',
    instances: {
      'okta-bench': {
        type: 'okta',
        orgUrl,
        token: '${OKTA_TOKEN}',
        rate_share: opts.share,
        // The tenant's System Log covers 14 days; read all of it (the default is the last 7).
        logs: { since_days: 15, page_size: 1000 },
        ...(streams.length < STREAM_NAMES.length ? { streams } : {}),
      },
    },
  };
  writeFileSync(join(dir, 'shadowscan.yaml'), stringify(config));
}

async function run(ctx: BenchContext): Promise<BenchReport> {
  const opts = parseOptions(ctx.args, ctx.log);
  const notes: string[] = [];
  const t0 = performance.now();
  ctx.log(`okta: generating the ${opts.size} tenant (seed ${opts.seed})`);
  const tenant = generateTenant({ seed: opts.seed, size: opts.size, now: OKTA_BENCH_NOW });
  const expected = expectedRows(tenant);
  ctx.log(`okta:   ${(performance.now() - t0).toFixed(0)} ms; ${Object.entries(expected).map(([k, v]) => `${k} ${grouped(v)}`).join(', ')}`);

  const limits = DEFAULT_OKTA_LIMITS;
  const phases = phasesOf(opts);
  const clock = new PhasedClock(phases[0]!.scale, tenant.now);
  const emu = await startOktaEmulator({ tenant, clock, limits });
  const workRoot = mkdtempSync(join(tmpdir(), 'shadowscan-bench-okta-'));
  const baseEnv = { OKTA_TOKEN: OKTA_EMULATOR_ADMIN_TOKEN };
  ctx.log(`okta: emulator ${emu.url}, workspace ${workRoot}, rate_share ${opts.share}${opts.latencyMs ? `, latency ${opts.latencyMs} virtual ms per request` : ''}`);

  const sampler = new Sampler(emu, () => clock.now());
  // About 20 samples per virtual minute, at most every 250 ms real.
  const sampleEvery = Math.max(10, Math.min(250, 60_000 / Math.max(...phases.map((p) => p.scale)) / 20));
  sampler.start(sampleEvery);
  const progress = setInterval(() => {
    const s = sampler.samples[sampler.samples.length - 1]!;
    const parts = OKTA_BENCH_STREAMS.filter((x) => s.requests[x.route]).map((x) => `${x.name} ${grouped(s.requests[x.route]!)}`);
    const rss = s.childRssKiB === null ? '' : `, CLI RSS ${(s.childRssKiB / 1024).toFixed(0)} MiB`;
    ctx.log(`okta:   ${formatDuration(performance.now() - t0)} real, virtual +${formatDuration(s.virt - tenant.now)}: ${parts.join(', ') || 'starting'}; 429s ${emu.stats.rateLimited}${rss}`);
  }, 15_000);

  const done: PhaseResult[] = [];
  try {
    for (const [k, phase] of phases.entries()) {
      writeConfig(workRoot, emu.url, opts, phase.streams);
      const minMs = phase.streams.reduce((n, s) => n + estimateRequests(tenant, s) / (opts.share * limits[bucketOf(s)]), 0) * 60_000;
      const timeoutMs = opts.timeoutMs ?? Math.max(600_000, (3 * minMs) / phase.scale + 300_000);
      const sharedClock = clock.phase(phase.scale);
      // A response time in virtual ms is phase.scale times shorter in real ms (the emulator's delay is real).
      if (opts.latencyMs > 0) emu.setFaults({ slow: { delayMs: opts.latencyMs / phase.scale } });
      ctx.log(
        `okta: scan ${k + 1}/${phases.length}: ${phase.streams.join(',')} at scale ${phase.scale} (1 real s = ${formatDuration(phase.scale * 1000)} virtual); ` +
          `rate-bound minimum ≈ ${formatDuration(minMs)} virtual ≈ ${formatDuration(minMs / phase.scale)} real, plus start-up`,
      );
      sampler.take();
      const s0 = sampler.samples.length - 1;
      const virtStart = clock.now();
      const child = await runChild(
        nodeChild(join(ctx.repoRoot, 'bin/shadowscan.js'), ['scan', '--json'], {
          cwd: workRoot,
          env: cleanEnv({ ...baseEnv, SHADOWSCAN_CLOCK: sharedClock }),
          timeoutMs,
          onSpawn: (pid) => sampler.attach(pid),
        }),
      );
      const virtEnd = clock.now();
      sampler.take();
      sampler.detach();
      const ok = child.exitCode === 0 && !child.timedOut && child.spawnError === undefined;
      ctx.log(
        `okta:   ${ok ? 'ok' : 'FAILED'} in ${formatDuration(child.wallMs)} real, ${formatDuration(virtEnd - virtStart)} virtual, exit ${child.exitCode ?? child.signal}` +
          `${child.timedOut ? ' (timed out)' : ''}, peak RSS ${child.peakRssKiB === null ? '?' : (child.peakRssKiB / 1024).toFixed(0)} MiB`,
      );
      done.push({ ...phase, child, virtStart, virtEnd, s0, s1: sampler.samples.length - 1, timeoutMs, output: parseJsonOutput(child.stdout) as PhaseResult['output'] });
      if (child.spawnError !== undefined || child.timedOut) break;
    }
  } finally {
    clearInterval(progress);
    sampler.stop();
  }
  const emuStats = structuredClone(emu.stats);
  await emu.close();

  // Sync records on the shared virtual clock, and the rows the views hold.
  const env = cleanEnv(baseEnv);
  writeConfig(workRoot, emu.url, opts, opts.streams);
  const cli = (args: string[]) => runChild({ command: process.execPath, args: [join(ctx.repoRoot, 'bin/shadowscan.js'), ...args], cwd: workRoot, env, timeoutMs: 300_000 });
  const status = await cli(['status', '--json']);
  const records = ((parseJsonOutput(status.stdout) as SyncRecord[] | undefined) ?? []).filter((r) => r.stream);
  const viewRes = await cli(['query', `select ${opts.streams.map((s) => `(select count(*) from raw.okta_${s}) as ${s}`).join(', ')}`, '--json']);
  const inView = ((parseJsonOutput(viewRes.stdout) as Record<string, number>[] | undefined) ?? [])[0] ?? {};
  if (status.exitCode !== 0) notes.push(`status --json failed (exit ${status.exitCode}): ${tailLines(status.stderr, 5).join(' / ')}`);
  if (viewRes.exitCode !== 0) notes.push(`query of raw.okta_* failed (exit ${viewRes.exitCode}): ${tailLines(viewRes.stderr, 5).join(' / ')}`);

  // ---- per-stream figures
  const S = sampler.samples;
  const figures: StreamFigures[] = [];
  for (const def of OKTA_BENCH_STREAMS.filter((d) => opts.streams.includes(d.name))) {
    const phase = done.find((p) => p.streams.includes(def.name));
    const scale = phase?.scale ?? (def.name === 'system_log' ? opts.logScale : opts.scale);
    const rec = records.find((r) => r.stream === def.name);
    const res = phase?.output?.results?.find((r) => r.stream === def.name);
    const byStatus = emuStats.byRouteStatus[def.route] ?? {};
    const requests = Object.values(byStatus).reduce((a, b) => a + b, 0);
    const throttled = byStatus['429'] ?? 0;
    const limit = limits[def.bucket];
    const perMinute = opts.share * limit;
    const minMs = (requests / perMinute) * 60_000;
    const start = rec ? Date.parse(rec.started_at) : NaN;
    const end = rec?.finished_at ? Date.parse(rec.finished_at) : NaN;
    const virtualMs = Number.isFinite(start) && Number.isFinite(end) ? end - start : null;
    const reqPerMin = virtualMs ? requests / (virtualMs / 60_000) : null;
    const shareUsed = reqPerMin === null ? null : reqPerMin / limit;
    const rateBound = minMs >= RATE_BOUND_MIN_MINUTES * 60_000;

    let steadyShare: number | null = null;
    let peakShare: number | null = null;
    let cliCores: number | null = null;
    let emuCores: number | null = null;
    let otherCores: number | null = null;
    let loopLagMaxMs: number | null = null;
    let cliRssMaxMiB: number | null = null;
    if (virtualMs !== null && S.length > 1) {
      const count = (i: number) => S[i]!.requests[def.route] ?? 0;
      // Steady state: the stream's span minus its first and last virtual minute.
      if (virtualMs >= 3 * 60_000) {
        const ia = sampler.after(start + 60_000);
        const ib = sampler.at(end - 60_000);
        const a = S[ia]!;
        const b = S[ib]!;
        if (b.virt > a.virt) steadyShare = (count(ib) - count(ia)) / ((b.virt - a.virt) / 60_000) / limit;
      }
      // Busiest 60 s (or a little longer, at the sampling grain) of the stream.
      const i0 = sampler.at(start);
      const i1 = sampler.after(end);
      let peak = 0;
      let j = i0;
      for (let i = i0; i <= i1; i++) {
        while (j + 1 < i && S[j + 1]!.virt <= S[i]!.virt - 60_000) j++;
        const span = S[i]!.virt - S[j]!.virt;
        if (span >= 60_000) peak = Math.max(peak, (count(i) - count(j)) / (span / 60_000));
      }
      if (virtualMs >= 60_000) peakShare = peak / limit;
      const a = S[i0]!;
      const b = S[i1]!;
      const realMs = b.real - a.real;
      if (realMs > 0) {
        emuCores = (b.benchCpuMs - a.benchCpuMs) / realMs;
        if (a.childCpuMs !== null && b.childCpuMs !== null) cliCores = (b.childCpuMs - a.childCpuMs) / realMs;
        if (a.busyMs !== null && b.busyMs !== null && cliCores !== null) otherCores = Math.max(0, (b.busyMs - a.busyMs) / realMs - cliCores - emuCores);
      }
      const inside = S.slice(i0, i1 + 1);
      loopLagMaxMs = Math.max(...inside.map((x) => x.loopLagMs));
      const rss = inside.map((x) => x.childRssKiB).filter((x): x is number => x !== null);
      cliRssMaxMiB = rss.length ? Math.max(...rss) / 1024 : null;
    }

    const goals: string[] = [];
    goals.push(throttled === 0 ? '429 ok' : '429 MISS');
    if (rateBound && shareUsed !== null) goals.push(shareUsed >= GOAL_SHARE_FRACTION * opts.share ? 'share ok' : `share MISS (<${fixed(GOAL_SHARE_FRACTION * opts.share, 2)})`);
    else if (!rateBound) goals.push('short');
    const rows = rec?.rows_written ?? null;
    if (rows !== null && rows !== expected[def.name]) goals.push('rows MISS');
    figures.push({
      stream: def.name,
      bucket: def.bucket,
      scale,
      status: rec?.status ?? null,
      requests,
      throttled,
      cliRequests: res?.requests ?? rec?.requests ?? null,
      cliThrottled: res?.throttled ?? rec?.throttled ?? null,
      limit,
      virtualMs,
      reqPerMin,
      shareUsed,
      steadyShare,
      peakShare,
      minMs,
      ratio: virtualMs !== null && minMs > 0 ? virtualMs / minMs : null,
      rateBound,
      slotRealMs: 60_000 / perMinute / scale,
      waitMs: rec?.wait_ms ?? null,
      rows,
      rowsInView: typeof inView[def.name] === 'number' ? inView[def.name]! : null,
      expected: expected[def.name],
      cliCores,
      emuCores,
      otherCores,
      loopLagMaxMs,
      cliRssMaxMiB,
      goals: rec && rec.status !== 'ok' ? `${rec.status}: ${goals.join(', ')}` : goals.join(', '),
      error: rec?.error ?? null,
    });
  }

  // ---- tables
  const scales = [...new Set(done.map((p) => p.scale))];
  const title =
    `okta — ${opts.size} tenant (seed ${opts.seed}), DEFAULT_OKTA_LIMITS, rate_share ${opts.share}, ${opts.latencyMs ? `latency ${opts.latencyMs} ms, ` : ''}` +
    `scale ${done.map((p) => `${p.scale}${scales.length > 1 ? ` (${p.streams.join(',')})` : ''}`).join(' / ')} (${cpus().length} cores, node ${process.version})`;
  const rate: Table = {
    title,
    columns: ['stream', 'requests', '429s', 'limit/min', 'req/min', 'share used', 'steady', 'peak 60s', 'virtual = projected real', 'rate-bound min', 'ratio', 'goals'],
    alignRight: [false, true, true, true, true, true, true, true, true, true, true, false],
    rows: figures.map((f): Cell[] => [
      f.stream,
      grouped(f.requests),
      f.throttled,
      f.limit,
      fixed(f.reqPerMin, 1),
      pct(f.shareUsed),
      pct(f.steadyShare),
      pct(f.peakShare),
      formatDuration(f.virtualMs),
      formatDuration(f.minMs),
      fixed(f.ratio, 2),
      f.goals,
    ]),
  };
  const resources: Table = {
    title: "okta — rows and resources per stream (cores over the stream's real time; emulator = the bench process)",
    columns: ['stream', 'rows', 'tenant', 'in view', 'CLI requests', 'scale', 'slot real ms', 'waits ÷ virtual', 'CLI cores', 'emulator cores', 'other cores', 'emulator loop lag max ms', 'CLI RSS max MiB'],
    rows: figures.map((f): Cell[] => [
      f.stream,
      grouped(f.rows),
      grouped(f.expected),
      grouped(f.rowsInView),
      grouped(f.cliRequests),
      f.scale,
      fixed(f.slotRealMs, 2),
      f.waitMs !== null && f.virtualMs ? pct(f.waitMs / f.virtualMs) : null,
      fixed(f.cliCores, 2),
      fixed(f.emuCores, 2),
      fixed(f.otherCores, 2),
      fixed(f.loopLagMaxMs, 0),
      fixed(f.cliRssMaxMiB, 0),
    ]),
  };

  const scansTable: Table = {
    title: 'okta — the scans (one per scale)',
    columns: ['scan', 'streams', 'scale', 'exit', 'wall (real)', 'virtual spawn → exit', 'rate-bound min', 'ratio', 'CLI peak RSS MiB', 'CLI CPU s (cores)', 'emulator CPU s (cores)', 'other cores'],
    alignRight: [true, false, true, true, true, true, true, true, true, true, true, true],
    rows: [],
  };
  let totalWall = 0;
  let totalVirt = 0;
  let totalMin = 0;
  for (const [k, p] of done.entries()) {
    const a = S[p.s0]!;
    const b = S[p.s1]!;
    const realMs = b.real - a.real;
    const emuCpu = b.benchCpuMs - a.benchCpuMs;
    const cliCpu = p.child.cpuMs;
    const other = a.busyMs !== null && b.busyMs !== null && cliCpu !== null && realMs > 0 ? Math.max(0, (b.busyMs - a.busyMs - emuCpu - cliCpu) / realMs) : null;
    const minMs = figures.filter((f) => p.streams.includes(f.stream)).reduce((n, f) => n + f.minMs, 0);
    const virt = p.virtEnd - p.virtStart;
    totalWall += p.child.wallMs;
    totalVirt += virt;
    totalMin += minMs;
    scansTable.rows.push([
      k + 1,
      p.streams.join(','),
      p.scale,
      p.child.timedOut ? `timeout` : String(p.child.exitCode ?? p.child.signal),
      formatDuration(p.child.wallMs),
      formatDuration(virt),
      formatDuration(minMs),
      fixed(minMs > 0 ? virt / minMs : null, 2),
      fixed(p.child.peakRssKiB === null ? null : p.child.peakRssKiB / 1024, 0),
      cliCpu === null ? null : `${(cliCpu / 1000).toFixed(1)} (${(cliCpu / p.child.wallMs).toFixed(2)})`,
      `${(emuCpu / 1000).toFixed(1)} (${(emuCpu / realMs).toFixed(2)})`,
      fixed(other, 2),
    ]);
  }
  if (done.length > 1) {
    scansTable.rows.push(['all', opts.streams.join(','), null, null, formatDuration(totalWall), formatDuration(totalVirt), formatDuration(totalMin), fixed(totalMin > 0 ? totalVirt / totalMin : null, 2), null, null, null, null]);
  }
  const throttledTotal = emuStats.rateLimited;
  notes.push(
    `Projected real duration of the whole scan: ${formatDuration(totalVirt)} (virtual spawn → exit${done.length > 1 ? ', summed over the scans' : ''}); ` +
      `requests ${grouped(emuStats.requests)}, 429s ${throttledTotal}.`,
  );

  const short = figures.filter((f) => !f.rateBound).map((f) => f.stream);
  if (short.length) {
    notes.push(
      `Too short to be rate-bound (rate-bound minimum < ${RATE_BOUND_MIN_MINUTES} virtual min): ${short.join(', ')}. ` +
        'Their virtual time is mostly start-up and commits multiplied by the scale, so their share is not a goal.',
    );
  }
  for (const f of figures) {
    if (f.rateBound && f.shareUsed !== null && f.shareUsed < GOAL_SHARE_FRACTION * opts.share) {
      const busy = (f.cliCores ?? 0) + (f.emuCores ?? 0) + (f.otherCores ?? 0);
      const knob = f.stream === 'system_log' ? '--log-scale' : '--scale';
      notes.push(
        `${f.stream}: share ${pct(f.shareUsed)} < ${pct(GOAL_SHARE_FRACTION * opts.share)}` +
          (busy > 0.8 * cpus().length
            ? ` — the machine was CPU-bound during it (CLI ${fixed(f.cliCores, 2)} + emulator ${fixed(f.emuCores, 2)} + other ${fixed(f.otherCores, 2)} cores of ${cpus().length}); rerun with a lower ${knob}.`
            : ` — not CPU-bound (CLI ${fixed(f.cliCores, 2)}, emulator ${fixed(f.emuCores, 2)}, other ${fixed(f.otherCores, 2)} cores): every real ms the CLI spends outside the rate controller's waits costs ${f.scale} virtual ms; rerun with a lower ${knob} to separate that from pacing loss.`),
      );
    }
    if (f.throttled > 0) notes.push(`${f.stream}: ${f.throttled} responses were 429 (the CLI counted ${f.cliThrottled ?? '?'}).`);
    if (f.rows !== null && f.rows !== f.expected) notes.push(`${f.stream}: ${grouped(f.rows)} rows written, the tenant has ${grouped(f.expected)}.`);
    if (f.rowsInView !== null && f.rows !== null && f.rowsInView !== f.rows) {
      notes.push(`${f.stream}: the view holds ${grouped(f.rowsInView)} rows of the ${grouped(f.rows)} written (views keep one row per event id; ${grouped(f.rows - f.rowsInView)} ids repeat).`);
    }
    if (f.error) notes.push(`${f.stream}: ${f.status}: ${f.error}`);
  }
  const noisy = scansTable.rows.map((r) => Number(r[11])).filter((x) => Number.isFinite(x) && x > 0.25);
  if (noisy.length) notes.push(`warning: other processes kept up to ${Math.max(...noisy).toFixed(2)} of ${cpus().length} cores busy on average during a scan ("other cores"), so times are noisy.`);
  for (const [k, p] of done.entries()) {
    const ok = p.child.exitCode === 0 && !p.child.timedOut && p.child.spawnError === undefined;
    if (ok) continue;
    notes.push(
      `scan ${k + 1} failed (${p.child.timedOut ? `timed out after ${formatDuration(p.timeoutMs)}` : `exit ${p.child.exitCode ?? p.child.signal}`}); stderr tail:`,
      ...tailLines(p.child.spawnError ? `${p.child.stderr}\n${p.child.spawnError}` : p.child.stderr, 12).map((l) => `  ${l}`),
    );
  }

  if (opts.keep) ctx.log(`okta: workspace kept in ${workRoot}`);
  else rmSync(workRoot, { recursive: true, force: true });

  // Requests per route per virtual minute since the first scan started (for plots, in --json).
  const first = S[0]!;
  const last = S[S.length - 1]!;
  const perMinute: Record<string, number[]> = {};
  for (const def of OKTA_BENCH_STREAMS.filter((d) => opts.streams.includes(d.name))) {
    const series: number[] = [];
    for (let m = first.virt; m < last.virt; m += 60_000) {
      const a = S[sampler.at(m)]!.requests[def.route] ?? 0;
      const b = S[sampler.at(Math.min(m + 60_000, last.virt))]!.requests[def.route] ?? 0;
      series.push(b - a);
    }
    perMinute[def.name] = series;
  }

  return {
    name: 'okta',
    tables: [rate, resources, scansTable],
    notes,
    // The harness failed only if no sync record came back at all.
    ok: done.every((p) => p.child.spawnError === undefined) && records.length > 0,
    data: {
      options: opts,
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? null, totalMemMiB: Math.round(totalmem() / 2 ** 20), node: process.version },
      limits,
      goals: { throttled: 0, shareFraction: GOAL_SHARE_FRACTION, rateBoundMinMinutes: RATE_BOUND_MIN_MINUTES },
      expected,
      streams: figures,
      rate: tableToObjects(rate),
      resources: tableToObjects(resources),
      scans: done.map((p) => ({
        streams: p.streams,
        scale: p.scale,
        exit_code: p.child.exitCode,
        signal: p.child.signal,
        timed_out: p.child.timedOut,
        wall_ms: Math.round(p.child.wallMs),
        virtual_ms: Math.round(p.virtEnd - p.virtStart),
        cpu_ms: p.child.cpuMs,
        peak_rss_kib: p.child.peakRssKiB,
        output: p.output ?? null,
        stderr_tail: p.child.exitCode === 0 ? [] : tailLines(p.child.stderr, 20),
      })),
      projected_ms: Math.round(totalVirt),
      emulator_stats: emuStats,
      sync_records: records,
      requests_per_virtual_minute: perMinute,
    },
  };
}

function bucketOf(stream: StreamName): OktaBucket {
  return OKTA_BENCH_STREAMS.find((s) => s.name === stream)!.bucket;
}

/** Requests a complete scan of `stream` needs at the default page sizes (for the timeout and the log only). */
function estimateRequests(t: Tenant, stream: StreamName): number {
  const c = t.okta.counts;
  switch (stream) {
    case 'users':
      return Math.ceil(c.users / 200) + 1;
    case 'apps':
      return Math.ceil(c.apps / 200);
    case 'app_grants':
      return c.apps;
    case 'user_grants':
      return c.users;
    case 'system_log':
      return Math.ceil(c.logEvents / 1000) + 1;
  }
}

const okta: Benchmark = {
  name: 'okta',
  description: 'live Okta scan against the emulator (Okta limits, rate_share 0.5, time-scaled): requests, 429s, share used, projected duration',
  usage: USAGE,
  run,
};
export default okta;
