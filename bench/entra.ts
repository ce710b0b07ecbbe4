// Benchmark `entra`: a live scan (MSAL client credentials + Graph v1.0) of the synthetic tenant
// served by the Graph emulator with Graph's documented limits — audit logs and sign-ins 5
// requests / 10 s per app and tenant, directory reads 8,000 resource units / 10 s (tenant size
// L) — time-scaled. The emulator runs in this process on an anchoredClock(S); the CLI child
// shares it through SHADOWSCAN_CLOCK, so the rate controller, the sync records and the
// emulator's rate windows live on one virtual clock. Per stream: requests and 429s (emulator
// counts), the share of the bucket's limit used, the virtual duration (= projected real
// duration against a real tenant) and its ratio to the rate-bound minimum. Modelled on okta.ts.

import { cpus, tmpdir } from 'node:os';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { anchoredClock, clockEnv } from '../src/clock.js';
import { DEFAULT_GRAPH_LIMITS, startEntraEmulator } from '../fixtures/emulators/entra/index.js';
import { generateTenant, type Tenant, type TenantSize } from '../fixtures/tenant/index.js';
import { cleanEnv, nodeChild, parseJsonOutput, runChild, tailLines } from './lib/child.js';
import { type Cell, type Table, fixed, grouped, pct, tableToObjects } from './lib/table.js';
import { SCAN_FLAGS, parseBenchArgs, scanOptions } from './lib/args.js';
import type { BenchContext, BenchReport, Benchmark, SyncRecord as BaseSyncRecord } from './lib/types.js';
import { formatDuration, GOAL_SHARE_FRACTION, OKTA_BENCH_NOW, OKTA_BENCH_SEED, RATE_BOUND_MIN_MINUTES } from './okta.js';

const CLIENT_ID = '5b0e4a1c-2d3f-4e5a-9b8c-7d6e5f4a3b21';
const CLIENT_SECRET = 'bench~entra~secret';
/** Real ms per page (both processes) is tens of ms, and the audit bucket allows one request per 4 virtual s at a 50 % share. */
const DEFAULT_SCALE: Record<TenantSize, number> = { demo: 100, large: 10 };

type Bucket = 'directory' | 'reports';
export const ENTRA_BENCH_STREAMS = [
  { name: 'users', route: '/users', bucket: 'directory', cost: 2 },
  { name: 'service_principals', route: '/servicePrincipals/delta', bucket: 'directory', cost: 1 },
  { name: 'applications', route: '/applications', bucket: 'directory', cost: 2 },
  { name: 'app_credentials', route: null, bucket: 'directory', cost: 2 },
  { name: 'oauth2_permission_grants', route: '/oauth2PermissionGrants', bucket: 'directory', cost: 2 },
  { name: 'app_role_assignments', route: '/servicePrincipals/{id}/appRoleAssignedTo', bucket: 'directory', cost: 1 },
  { name: 'directory_audits', route: '/auditLogs/directoryAudits', bucket: 'reports', cost: 1 },
  { name: 'sign_ins', route: '/v1.0/auditLogs/signIns', bucket: 'reports', cost: 1 },
] as const satisfies readonly { name: string; route: string | null; bucket: Bucket; cost: number }[];
type StreamName = (typeof ENTRA_BENCH_STREAMS)[number]['name'];
const STREAM_NAMES = ENTRA_BENCH_STREAMS.map((s) => s.name) as StreamName[];

interface Options {
  size: TenantSize;
  scale: number;
  share: number;
  streams: StreamName[];
  seed: number;
  keep: boolean;
  timeoutMs: number | undefined;
}

const USAGE = `entra [--size large|demo] [--scale S] [--share F] [--streams ${STREAM_NAMES.join(',')}] [--seed N] [--keep] [--timeout SECONDS]`;

export function parseOptions(args: string[], log: (m: string) => void): Options {
  return parseBenchArgs(
    { name: 'entra', usage: USAGE, flags: SCAN_FLAGS },
    args,
    (v) => scanOptions(v, { scale: DEFAULT_SCALE, streams: STREAM_NAMES, seed: OKTA_BENCH_SEED }),
    (a) => log(`entra: ignoring unknown option ${a}`),
  );
}

interface SyncRecord extends BaseSyncRecord {
  instance: string;
}

function expectedRows(t: Tenant): Record<StreamName, number> {
  const e = t.entra;
  let creds = 0;
  for (const a of e.applications) creds += (a.passwordCredentials as unknown[]).length + (a.keyCredentials as unknown[]).length;
  let interactive = 0;
  for (const s of e.signIns) if ((s.signInEventTypes as string[])[0] === 'interactiveUser') interactive++;
  return {
    users: e.counts.users,
    service_principals: e.counts.servicePrincipals,
    applications: e.counts.applications,
    app_credentials: creds,
    oauth2_permission_grants: e.counts.grants,
    app_role_assignments: e.counts.appRoleAssignments,
    directory_audits: e.counts.audits,
    sign_ins: interactive,
  };
}

/** Per-window budget of a bucket, in requests (directory: resource units ÷ the route's cost). */
function limitPer10s(bucket: Bucket, cost: number): number {
  return bucket === 'reports' ? DEFAULT_GRAPH_LIMITS.reports : DEFAULT_GRAPH_LIMITS.directoryUnits / cost;
}

async function run(ctx: BenchContext): Promise<BenchReport> {
  const opts = parseOptions(ctx.args, ctx.log);
  const notes: string[] = [];
  const t0 = performance.now();
  ctx.log(`entra: generating the ${opts.size} tenant (seed ${opts.seed})`);
  const tenant = generateTenant({ seed: opts.seed, size: opts.size, now: OKTA_BENCH_NOW });
  const expected = expectedRows(tenant);
  ctx.log(`entra:   ${(performance.now() - t0).toFixed(0)} ms; ${Object.entries(expected).map(([k, v]) => `${k} ${grouped(v)}`).join(', ')}`);

  const anchorReal = Date.now();
  const clock = anchoredClock(opts.scale, anchorReal, tenant.now);
  const emu = await startEntraEmulator({ tenant, clock, clients: [{ clientId: CLIENT_ID, secret: CLIENT_SECRET }] });
  const work = mkdtempSync(join(tmpdir(), 'shadowscan-bench-entra-'));
  const instance = {
    type: 'entra', tenant_id: emu.tenantId, client_id: CLIENT_ID, client_secret: '${ENTRA_SECRET}',
    authority_host: 'https://login.emu.local', token_endpoint: emu.tokenEndpoint, graph_url: emu.url, rate_share: opts.share,
    sign_ins: { since_days: 15, overlap_minutes: 15, page_size: 1000 }, directory_audits: { since_days: 30, overlap_minutes: 15, page_size: 1000 },
    ...(opts.streams.length < STREAM_NAMES.length ? { streams: opts.streams } : {}),
  };
  writeFileSync(join(work, 'shadowscan.yaml'), stringify({ data_dir: '.shadowscan', instances: { 'entra-bench': instance } }));
  const baseEnv = { ENTRA_SECRET: CLIENT_SECRET };

  // Rate-bound minimum of the reports streams: pages ÷ (share × 5 per 10 s).
  const reportPages = (opts.streams.includes('sign_ins') ? Math.ceil(expected.sign_ins / 1000) : 0) + (opts.streams.includes('directory_audits') ? Math.ceil(expected.directory_audits / 999) : 0);
  const minMs = (reportPages / (opts.share * DEFAULT_GRAPH_LIMITS.reports)) * DEFAULT_GRAPH_LIMITS.windowMs;
  const timeoutMs = opts.timeoutMs ?? Math.max(600_000, (3 * minMs) / opts.scale + 300_000);
  ctx.log(`entra: emulator ${emu.url}, scale ${opts.scale} (1 real s = ${formatDuration(opts.scale * 1000)} virtual), rate_share ${opts.share}; audit-bucket minimum ≈ ${formatDuration(minMs)} virtual ≈ ${formatDuration(minMs / opts.scale)} real`);
  const progress = setInterval(() => {
    ctx.log(`entra:   ${formatDuration(performance.now() - t0)} real, virtual +${formatDuration(clock.now() - tenant.now)}: ${emu.stats.requests} requests, 429s ${emu.stats.rateLimited}`);
  }, 15_000);
  const virtStart = clock.now();
  let child;
  try {
    child = await runChild(nodeChild(join(ctx.repoRoot, 'bin/shadowscan.js'), ['scan', '--json'], { cwd: work, env: cleanEnv({ ...baseEnv, SHADOWSCAN_CLOCK: clockEnv(opts.scale, anchorReal, tenant.now) }), timeoutMs }));
  } finally {
    clearInterval(progress);
  }
  const virtEnd = clock.now();
  const emuStats = structuredClone(emu.stats);
  await emu.close();
  ctx.log(`entra:   exit ${child.exitCode ?? child.signal} in ${formatDuration(child.wallMs)} real, ${formatDuration(virtEnd - virtStart)} virtual, peak RSS ${child.peakRssKiB === null ? '?' : (child.peakRssKiB / 1024).toFixed(0)} MiB`);

  const cli = (args: string[]) => runChild({ command: process.execPath, args: [join(ctx.repoRoot, 'bin/shadowscan.js'), ...args], cwd: work, env: cleanEnv(baseEnv), timeoutMs: 300_000 });
  const status = await cli(['status', '--json']);
  const records = ((parseJsonOutput(status.stdout) as SyncRecord[] | undefined) ?? []).filter((r) => r.stream);
  const viewRes = await cli(['query', `select ${opts.streams.map((s) => `(select count(*) from raw.entra_${s}) as ${s}`).join(', ')}`, '--json']);
  const inView = ((parseJsonOutput(viewRes.stdout) as Record<string, number>[] | undefined) ?? [])[0] ?? {};
  if (status.exitCode !== 0) notes.push(`status --json failed (exit ${status.exitCode}): ${tailLines(status.stderr, 5).join(' / ')}`);

  const rows: Cell[][] = [];
  const figures: Record<string, unknown>[] = [];
  for (const def of ENTRA_BENCH_STREAMS.filter((d) => opts.streams.includes(d.name))) {
    const rec = records.find((r) => r.stream === def.name);
    // app_credentials reads /applications and /servicePrincipals with $select: the CLI's count.
    const requests = def.route ? emuStats.byRoute[def.route] ?? 0 : rec?.requests ?? 0;
    const limit = limitPer10s(def.bucket, def.cost);
    const start = rec ? Date.parse(rec.started_at) : NaN;
    const end = rec?.finished_at ? Date.parse(rec.finished_at) : NaN;
    const virtualMs = Number.isFinite(start) && Number.isFinite(end) ? end - start : null;
    const per10s = virtualMs ? requests / (virtualMs / 10_000) : null;
    const shareUsed = per10s === null ? null : per10s / limit;
    const streamMin = (requests / (opts.share * limit)) * 10_000;
    const rateBound = streamMin >= RATE_BOUND_MIN_MINUTES * 60_000;
    const goals: string[] = [];
    goals.push((rec?.throttled ?? 0) === 0 ? '429 ok' : '429 MISS');
    if (rateBound && shareUsed !== null) goals.push(shareUsed >= GOAL_SHARE_FRACTION * opts.share ? 'share ok' : `share MISS (<${fixed(GOAL_SHARE_FRACTION * opts.share, 2)})`);
    else if (!rateBound) goals.push('short');
    if (rec && rec.rows_written !== expected[def.name]) goals.push('rows MISS');
    const g = rec && rec.status !== 'ok' ? `${rec.status}: ${goals.join(', ')}` : goals.join(', ');
    rows.push([def.name, def.bucket, grouped(requests), rec?.throttled ?? null, fixed(limit, 0), fixed(per10s, 2), pct(shareUsed), formatDuration(virtualMs), formatDuration(streamMin), fixed(virtualMs && streamMin ? virtualMs / streamMin : null, 2), grouped(rec?.rows_written ?? null), grouped(expected[def.name]), grouped(inView[def.name] ?? null), g]);
    figures.push({ stream: def.name, bucket: def.bucket, requests, throttled: rec?.throttled ?? null, limit_per_10s: limit, per_10s: per10s, share_used: shareUsed, virtual_ms: virtualMs, rate_bound_min_ms: streamMin, rows: rec?.rows_written ?? null, expected: expected[def.name], status: rec?.status ?? null, error: rec?.error ?? null });
    if (rec?.error) notes.push(`${def.name}: ${rec.status}: ${rec.error}`);
  }
  const table: Table = {
    title: `entra — ${opts.size} tenant (seed ${opts.seed}), Graph limits (reports 5 / 10 s, directory 8,000 RU / 10 s), rate_share ${opts.share}, scale ${opts.scale} (${cpus().length} cores, node ${process.version})`,
    columns: ['stream', 'bucket', 'requests', '429s', 'limit/10s', 'req/10s', 'share used', 'virtual = projected real', 'rate-bound min', 'ratio', 'rows', 'tenant', 'in view', 'goals'],
    alignRight: [false, false, true, true, true, true, true, true, true, true, true, true, true, false],
    rows,
  };
  notes.push(
    `Projected real duration of the whole scan: ${formatDuration(virtEnd - virtStart)} (virtual spawn → exit; wall ${formatDuration(child.wallMs)} at scale ${opts.scale}); ` +
      `requests ${grouped(emuStats.requests)} (MSAL token requests ${emuStats.tokensIssued}), 429s ${emuStats.rateLimited}. ` +
      `Directory streams are far below their bucket (8,000 RU / 10 s) and finish in seconds ("short"); the audit bucket bounds the scan.`,
  );
  if (child.exitCode !== 0 || child.timedOut) notes.push(`scan failed (${child.timedOut ? 'timed out' : `exit ${child.exitCode ?? child.signal}`}); stderr tail:`, ...tailLines(child.stderr, 12).map((l) => `  ${l}`));
  if (opts.keep) ctx.log(`entra: workspace kept in ${work}`);
  else rmSync(work, { recursive: true, force: true });
  return {
    name: 'entra',
    tables: [table],
    notes,
    ok: child.spawnError === undefined && records.length > 0,
    data: { options: opts, limits: DEFAULT_GRAPH_LIMITS, expected, streams: figures, rate: tableToObjects(table), projected_ms: Math.round(virtEnd - virtStart), wall_ms: Math.round(child.wallMs), emulator_stats: { ...emuStats, filters: emuStats.filters.length }, sync_records: records },
  };
}

const entra: Benchmark = {
  name: 'entra',
  description: 'live Entra scan (MSAL + Graph) against the emulator (Graph limits, rate_share 0.5, time-scaled): requests, 429s, share used, projected duration',
  usage: USAGE,
  run,
};
export default entra;
