// Benchmark `google`: a live scan of the synthetic large domain (50,000 people) served by the
// Google emulator with Google's default Directory API quota (2,400 queries per minute per
// project, no rate headers, 403 userRateLimitExceeded when exceeded), rate_share 0.5,
// time-scaled: the emulator runs in this process on an anchoredClock(S) that the CLI child
// shares through SHADOWSCAN_CLOCK, so the quota windows, the rate controller and the sync
// records all live on one virtual clock. Per stream: requests and throttled answers (emulator
// counts; goal 0), the share of the quota used (goal ≥ 90 % of the configured share for
// rate-bound streams), the virtual duration = the projected real duration, rows vs the tenant.

import { cpus, tmpdir } from 'node:os';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { anchoredClock, clockEnv } from '../src/clock.js';
import { DEFAULT_GOOGLE_QUOTA, startGoogleEmulator } from '../fixtures/emulators/google/index.js';
import { generateTenant, type TenantSize } from '../fixtures/tenant/index.js';
import { cleanEnv, nodeChild, parseJsonOutput, runChild, tailLines } from './lib/child.js';
import { type Cell, type Table, fixed, grouped, pct, tableToObjects } from './lib/table.js';
import { BOOLEAN, STRING, TENANT_SIZES, oneOf, parseBenchArgs, positiveInteger, positiveNumber, shareOf } from './lib/args.js';
import type { BenchContext, BenchReport, Benchmark, SyncRecord } from './lib/types.js';
import { formatDuration } from './okta.js';

export const GOOGLE_BENCH_NOW = Date.parse('2025-06-15T12:00:00.000Z');
const GOAL_SHARE_FRACTION = 0.9;
/** A stream is rate-bound when its minimum (requests ÷ (share × quota)) is at least this many virtual minutes. */
const RATE_BOUND_MIN_MINUTES = 5;
const DEFAULT_SCALE: Record<TenantSize, number> = { demo: 50, large: 10 };
const STREAMS = [
  { name: 'users', route: '/admin/directory/v1/users', api: 'directory' },
  { name: 'tokens', route: '/admin/directory/v1/users/{userKey}/tokens', api: 'directory' },
  { name: 'token_activity', route: '/admin/reports/v1/activity/users/{userKey}/applications/{applicationName}', api: 'reports' },
] as const;
type StreamName = (typeof STREAMS)[number]['name'];

const USAGE = 'google [--size large|demo] [--scale S] [--share F] [--concurrency N] [--checkpoint N] [--seed N] [--keep] [--timeout SECONDS]';

interface Options {
  size: TenantSize;
  scale: number;
  share: number;
  concurrency: number;
  checkpoint: number;
  seed: number;
  keep: boolean;
  timeoutMs: number | undefined;
}

export function parseOptions(args: string[], log: (m: string) => void): Options {
  return parseBenchArgs(
    { name: 'google', usage: USAGE, flags: { size: STRING, scale: STRING, share: STRING, concurrency: STRING, checkpoint: STRING, seed: STRING, keep: BOOLEAN, timeout: STRING } },
    args,
    (v) => {
      const size = v.size === undefined ? 'large' : oneOf('size', v.size, TENANT_SIZES);
      return {
        size,
        scale: v.scale === undefined ? DEFAULT_SCALE[size] : positiveNumber('scale', v.scale),
        share: v.share === undefined ? 0.5 : shareOf('share', v.share),
        concurrency: v.concurrency === undefined ? 8 : positiveInteger('concurrency', v.concurrency),
        checkpoint: v.checkpoint === undefined ? 1000 : positiveInteger('checkpoint', v.checkpoint),
        seed: v.seed === undefined ? 42 : Number(v.seed),
        keep: v.keep ?? false,
        timeoutMs: v.timeout === undefined ? undefined : positiveNumber('timeout', v.timeout) * 1000,
      };
    },
    (a) => log(`google: ignoring unknown option ${a}`),
  );
}

async function run(ctx: BenchContext): Promise<BenchReport> {
  const opts = parseOptions(ctx.args, ctx.log);
  const notes: string[] = [];
  const t0 = performance.now();
  ctx.log(`google: generating the ${opts.size} tenant (seed ${opts.seed})`);
  const tenant = generateTenant({ seed: opts.seed, size: opts.size, now: GOOGLE_BENCH_NOW });
  const g = tenant.google;
  const expected: Record<StreamName, number> = { users: g.counts.users, tokens: g.counts.tokens, token_activity: g.counts.tokenEvents };
  ctx.log(`google:   ${(performance.now() - t0).toFixed(0)} ms; users ${grouped(expected.users)}, tokens ${grouped(expected.tokens)}, token events ${grouped(expected.token_activity)}`);

  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const anchorReal = Date.now();
  const clock = anchoredClock(opts.scale, anchorReal, tenant.now);
  const quota = DEFAULT_GOOGLE_QUOTA;
  const email = 'shadowscan-bench@acme-sec.iam.gserviceaccount.com';
  const emu = await startGoogleEmulator({ tenant, clock, quota, serviceAccounts: [{ clientEmail: email, clientId: '104857600000000000042', publicKey: publicKey.export({ type: 'spki', format: 'pem' }) as string }] });
  const work = mkdtempSync(join(tmpdir(), 'shadowscan-bench-google-'));
  const keyFile = join(work, 'sa-key.json');
  writeFileSync(keyFile, JSON.stringify({ type: 'service_account', client_email: email, client_id: '104857600000000000042', private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }) }), { mode: 0o600 });
  const subject = [...Array(Math.min(g.users.length, 50_000)).keys()].map((i) => g.users.at(i)).find((u) => u.isAdmin)!.primaryEmail;
  writeFileSync(
    join(work, 'shadowscan.yaml'),
    stringify({
      data_dir: '.shadowscan',
      instances: {
        'google-bench': {
          type: 'google',
          service_account_key: `file:${keyFile}`,
          subject,
          root_url: emu.url,
          token_url: emu.tokenUrl,
          rate_share: opts.share,
          quota_per_minute: quota.directory,
          reports_quota_per_minute: quota.reports,
          concurrency: opts.concurrency,
          checkpoint_every: opts.checkpoint,
          reports: { since_days: 15, overlap_minutes: 60, page_size: 1000 },
          streams: STREAMS.map((s) => s.name),
        },
      },
    }),
  );
  const minMs = (s: StreamName, requests: number) => (requests / (opts.share * quota[STREAMS.find((x) => x.name === s)!.api])) * 60_000;
  const estimate = minMs('users', Math.ceil(expected.users / 500)) + minMs('tokens', expected.users) + minMs('token_activity', Math.ceil(expected.token_activity / 1000));
  const timeoutMs = opts.timeoutMs ?? Math.max(600_000, (3 * estimate) / opts.scale + 300_000);
  ctx.log(`google: emulator ${emu.url}, scale ${opts.scale} (1 real s = ${formatDuration(opts.scale * 1000)} virtual), quota ${quota.directory}/min, share ${opts.share}; rate-bound minimum ≈ ${formatDuration(estimate)} virtual ≈ ${formatDuration(estimate / opts.scale)} real`);
  const progress = setInterval(() => {
    ctx.log(`google:   ${formatDuration(performance.now() - t0)} real, virtual +${formatDuration(clock.now() - tenant.now)}: ${STREAMS.map((s) => `${s.name} ${grouped(emu.stats.byRoute[s.route] ?? 0)}`).join(', ')}; throttled ${emu.stats.throttled}`);
  }, 15_000);
  const cli = (args: string[], extra: NodeJS.ProcessEnv = {}, timeout = 300_000) =>
    runChild(nodeChild(join(ctx.repoRoot, 'bin/shadowscan.js'), args, { cwd: work, env: cleanEnv(extra), timeoutMs: timeout }));
  const virtStart = clock.now();
  let child;
  try {
    child = await cli(['scan', '--json', '--instance', 'google-bench'], { SHADOWSCAN_CLOCK: clockEnv(opts.scale, anchorReal, tenant.now) }, timeoutMs);
  } finally {
    clearInterval(progress);
  }
  const virtEnd = clock.now();
  const stats = structuredClone(emu.stats);
  await emu.close();
  ctx.log(`google:   exit ${child.exitCode ?? child.signal}${child.timedOut ? ' (timed out)' : ''} in ${formatDuration(child.wallMs)} real, ${formatDuration(virtEnd - virtStart)} virtual`);

  const status = await cli(['status', '--json']);
  const records = ((parseJsonOutput(status.stdout) as SyncRecord[] | undefined) ?? []).filter((r) => r.stream);
  const rows: Cell[][] = [];
  const figures = [];
  for (const s of STREAMS) {
    const rec = records.find((r) => r.stream === s.name);
    const requests = stats.byRoute[s.route] ?? 0;
    const limit = quota[s.api];
    const start = rec ? Date.parse(rec.started_at) : NaN;
    const end = rec?.finished_at ? Date.parse(rec.finished_at) : NaN;
    const virtualMs = Number.isFinite(start) && Number.isFinite(end) ? end - start : null;
    const reqPerMin = virtualMs ? requests / (virtualMs / 60_000) : null;
    const shareUsed = reqPerMin === null ? null : reqPerMin / limit;
    const min = minMs(s.name, requests);
    const rateBound = min >= RATE_BOUND_MIN_MINUTES * 60_000;
    const throttled = rec?.throttled ?? null;
    const goals: string[] = [throttled === 0 ? 'throttled ok' : 'throttled MISS'];
    if (rateBound && shareUsed !== null) goals.push(shareUsed >= GOAL_SHARE_FRACTION * opts.share ? 'share ok' : `share MISS (<${fixed(GOAL_SHARE_FRACTION * opts.share, 2)})`);
    else if (!rateBound) goals.push('short');
    if (rec && rec.rows_written !== expected[s.name]) goals.push('rows MISS');
    figures.push({ stream: s.name, status: rec?.status ?? null, requests, throttled, limit, reqPerMin, shareUsed, virtualMs, minMs: min, rateBound, rows: rec?.rows_written ?? null, expected: expected[s.name], goals: goals.join(', '), error: rec?.error ?? null });
    rows.push([s.name, rec?.status ?? null, grouped(requests), throttled, limit, fixed(reqPerMin, 1), pct(shareUsed), formatDuration(virtualMs), formatDuration(min), fixed(virtualMs && min ? virtualMs / min : null, 2), grouped(rec?.rows_written), grouped(expected[s.name]), goals.join(', ')]);
  }
  const table: Table = {
    title: `google — ${opts.size} domain (seed ${opts.seed}), quota ${quota.directory}/min (Directory) and ${quota.reports}/min (Reports), rate_share ${opts.share}, concurrency ${opts.concurrency}, scale ${opts.scale} (${cpus().length} cores, node ${process.version})`,
    columns: ['stream', 'status', 'requests', 'throttled', 'quota/min', 'req/min', 'share used', 'virtual = projected real', 'rate-bound min', 'ratio', 'rows', 'tenant', 'goals'],
    alignRight: [false, false, true, true, true, true, true, true, true, true, true, true, false],
    rows,
  };
  // Start-up before the first stream and the rules after the last one are CPU work, not paced:
  // on the virtual clock they count `scale` times; projected, they count at their real length.
  const starts = records.map((r) => Date.parse(r.started_at)).filter(Number.isFinite);
  const ends = records.map((r) => (r.finished_at ? Date.parse(r.finished_at) : NaN)).filter(Number.isFinite);
  const streamsMs = starts.length && ends.length ? Math.max(...ends) - Math.min(...starts) : null;
  const outsideRealMs = streamsMs === null ? null : (virtEnd - virtStart - streamsMs) / opts.scale;
  const projected = streamsMs === null || outsideRealMs === null ? null : streamsMs + outsideRealMs;
  notes.push(
    `Projected real duration of the whole scan: ${formatDuration(projected)} = the streams' ${formatDuration(streamsMs)} (virtual, paced) + start-up and rules ${formatDuration(outsideRealMs)} (real CPU time); ` +
      `virtual spawn → exit ${formatDuration(virtEnd - virtStart)}, real ${formatDuration(child.wallMs)}; ` +
      `emulator requests ${grouped(stats.requests)} (token endpoint ${stats.byRoute['/token'] ?? 0}), throttled answers ${stats.throttled}.`,
  );
  for (const f of figures) if (f.error) notes.push(`${f.stream}: ${f.status}: ${f.error}`);
  if (child.exitCode !== 0) notes.push(`scan exit ${child.exitCode ?? child.signal}${child.timedOut ? ' (timed out)' : ''}; stderr tail:`, ...tailLines(child.stderr, 12).map((l) => `  ${l}`));
  if (opts.keep) ctx.log(`google: workspace kept in ${work}`);
  else rmSync(work, { recursive: true, force: true });
  return {
    name: 'google',
    tables: [table],
    notes,
    ok: child.spawnError === undefined && records.length > 0,
    data: { options: opts, quota, expected, streams: figures, table: tableToObjects(table), projected_ms: projected === null ? null : Math.round(projected), virtual_ms: Math.round(virtEnd - virtStart), wall_ms: Math.round(child.wallMs), emulator_stats: { requests: stats.requests, throttled: stats.throttled, byRoute: stats.byRoute, byStatus: stats.byStatus } },
  };
}

const google: Benchmark = {
  name: 'google',
  description: 'live Google Workspace scan against the emulator (2,400/min quota, rate_share 0.5, 50k users, time-scaled): requests, throttled answers, share used, projected duration',
  usage: USAGE,
  run,
};
export default google;
