// Benchmark `ingest`: shadowscan's Squid import against a DuckDB-only reference on the same
// generated access.log (1M and 5M lines by default). Each tool runs as its own child process;
// wall time (including start-up) and the child's peak RSS are measured. See docs/benchmarks.md.

import { cpus, tmpdir, totalmem } from 'node:os';
import { closeSync, createReadStream, fsyncSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { type GroundTruth, parseCount, writeSquidLog } from '../fixtures/squid/generate.js';
import { cachedFile, hashFiles } from './lib/cache.js';
import { type ChildResult, nodeChild, parseJsonOutput, runChild, tailLines } from './lib/child.js';
import { type Table, fixed, grouped, humanCount, tableToObjects } from './lib/table.js';
import { BOOLEAN, STRING, countList, parseBenchArgs } from './lib/args.js';
import type { BenchContext, BenchReport, Benchmark } from './lib/types.js';
import { runZeekIngest } from './ingest-zeek.js';

export const INGEST_SEED = 1;
/**
 * Goals: shadowscan throughput ≥ 0.8 × reference; time grows at most 1.1 × linearly (against
 * the smallest size and against the next smaller one, e.g. t(20M)/t(5M) ≤ 4.4); peak RSS of
 * shadowscan below 1 GiB at every size.
 */
export const GOAL_RATIO = 0.8;
export const GOAL_SCALING_SLACK = 1.1;
export const GOAL_RSS_MIB = 1024;

interface IngestOptions {
  sizes: number[];
  keep: boolean;
  runs: number;
  timeoutMs: number;
  skipShadowscan: boolean;
  /** Zeek conn/ssl rows (bench/ingest-zeek.ts); [] skips them. */
  zeekSizes: number[];
  zeekLogs: ('conn' | 'ssl')[];
}

const USAGE =
  'ingest [--sizes 1M,5M[,20M]] [--zeek-sizes 5M|none] [--zeek-logs conn,ssl] [--runs N] [--keep] [--timeout SECONDS] [--reference-only]';

export function parseOptions(args: string[], log: (m: string) => void): IngestOptions {
  return parseBenchArgs(
    {
      name: 'ingest',
      usage: USAGE,
      flags: { sizes: STRING, keep: BOOLEAN, runs: STRING, timeout: STRING, 'zeek-sizes': STRING, 'zeek-logs': STRING, 'reference-only': BOOLEAN },
    },
    args,
    (v) => {
      const zs = v['zeek-sizes'];
      return {
        sizes: v.sizes === undefined ? [1e6, 5e6] : countList('sizes', v.sizes),
        keep: v.keep ?? false,
        runs: v.runs === undefined ? 1 : Math.max(1, Math.floor(Number(v.runs))),
        timeoutMs: v.timeout === undefined ? 30 * 60_000 : Number(v.timeout) * 1000,
        skipShadowscan: v['reference-only'] ?? false,
        zeekSizes: zs === undefined ? [5e6] : zs === 'none' || zs === '0' ? [] : zs.split(',').filter((x) => x.trim()).map(parseCount),
        zeekLogs: v['zeek-logs'] === undefined ? ['conn', 'ssl'] : v['zeek-logs'].split(',').filter((x): x is 'conn' | 'ssl' => x === 'conn' || x === 'ssl'),
      };
    },
    (a) => log(`ingest: ignoring unknown option ${a}`),
  );
}

type Tool = 'reference' | 'shadowscan';

interface Measurement {
  size: number;
  tool: Tool;
  ok: boolean;
  /** Median over runs. */
  wallMs: number | null;
  /** Max over runs, KiB. */
  peakRssKiB: number | null;
  rssSource: ChildResult['rssSource'];
  exitCode: number | null;
  signal: string | null;
  timedOut: boolean;
  output: unknown;
  stderrTail: string[];
  runsWallMs: number[];
  /** Cores busy with other processes during each run (see ChildResult.otherCores). */
  otherCores: (number | null)[];
  cpuMs: (number | null)[];
}

function otherCoresCell(m: Measurement): string | null {
  // median over runs, like the wall time
  return fixed(median(m.otherCores.filter((x): x is number => x !== null)), 2);
}

/** Median CPU seconds (user + system, all threads) of the child over its runs. */
function cpuSeconds(m: Measurement | undefined): number | null {
  const xs = (m?.cpuMs ?? []).filter((x): x is number => x !== null);
  const med = median(xs);
  return med === null ? null : med / 1000;
}

function ratioOf(a: number | null, b: number | null): number | null {
  return a === null || b === null || b === 0 ? null : a / b;
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n)}…` : s;
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/** First numeric value of `key` anywhere in a parsed JSON value (depth-first). */
export function findNumber(v: unknown, key: string): number | undefined {
  if (v === null || typeof v !== 'object') return undefined;
  if (!Array.isArray(v)) {
    const direct = (v as Record<string, unknown>)[key];
    if (typeof direct === 'number') return direct;
    if (typeof direct === 'string' && /^\d+$/.test(direct)) return Number(direct);
  }
  for (const child of Object.values(v as Record<string, unknown>)) {
    const r = findNumber(child, key);
    if (r !== undefined) return r;
  }
  return undefined;
}

/** Field names the import's --json output may use (the exact names are not fixed yet). */
export const FIELD_ALIASES = {
  lines: ['lines', 'lines_read', 'linesRead'],
  rows_read: ['rows_read', 'rowsRead'],
  rejects: ['rejects', 'rejected', 'rejected_lines'],
} as const;

export function findNumberAny(v: unknown, keys: readonly string[]): number | undefined {
  for (const k of keys) {
    const r = findNumber(v, k);
    if (r !== undefined) return r;
  }
  return undefined;
}

function sizeLabel(n: number): string {
  return humanCount(n);
}

async function fixtureFor(ctx: BenchContext, lines: number): Promise<{ path: string; truth: GroundTruth }> {
  const genSrc = join(ctx.repoRoot, 'fixtures/squid/generate.ts');
  const fmtSrc = join(ctx.repoRoot, 'fixtures/squid/format.ts');
  const label = sizeLabel(lines);
  const entry = await cachedFile<GroundTruth>({
    dir: ctx.cacheDir,
    name: `squid-native-${label}-seed${INGEST_SEED}`,
    key: hashFiles([genSrc, fmtSrc]),
    ext: '.log',
    expectBytes: (t) => t.fileBytes,
    build: (tmp) => {
      ctx.log(`ingest: generating ${label} lines (seed ${INGEST_SEED}) → ${ctx.cacheDir}`);
      const t0 = performance.now();
      let nextReport = 0.1;
      const truth = writeSquidLog(tmp, {
        lines,
        seed: INGEST_SEED,
        onProgress: (done, total) => {
          if (done / total >= nextReport) {
            ctx.log(`ingest:   ${Math.floor((done / total) * 100)}% (${humanCount(done)} lines)`);
            nextReport = Math.floor((done / total) * 10 + 1) / 10;
          }
        },
      });
      // Flush to disk now, so write-back does not run during the first measured child.
      const fd = openSync(tmp, 'r+');
      fsyncSync(fd);
      closeSync(fd);
      ctx.log(
        `ingest:   generated ${label} lines, ${(truth.fileBytes / 2 ** 20).toFixed(0)} MiB in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
      );
      return truth;
    },
  });
  if (entry.hit) ctx.log(`ingest: using cached ${entry.path}`);
  return { path: entry.path, truth: entry.meta };
}

/** Reads the file once so every measured child starts with it in the page cache. */
async function warmPageCache(path: string): Promise<void> {
  for await (const _chunk of createReadStream(path, { highWaterMark: 8 << 20 })) {
    // discard
  }
}

/** One child run of one tool. */
async function runOnce(
  ctx: BenchContext,
  opts: IngestOptions,
  size: number,
  tool: Tool,
  file: string,
  workRoot: string,
  run: number,
): Promise<{ r: ChildResult; output: unknown; ok: boolean }> {
  const dir = join(workRoot, `${tool}-${sizeLabel(size)}-run${run}`);
  mkdirSync(dir, { recursive: true });
  const spec =
    tool === 'reference'
      ? nodeChild(join(ctx.repoRoot, 'bin/run-ts.js'), [join(ctx.repoRoot, 'bench/reference-squid.ts'), file, dir], {
          cwd: ctx.repoRoot,
          timeoutMs: opts.timeoutMs,
        })
      : nodeChild(join(ctx.repoRoot, 'bin/shadowscan.js'), ['import', 'squid', file, '--json'], {
          cwd: dir,
          timeoutMs: opts.timeoutMs,
        });
  ctx.log(`ingest: ${sizeLabel(size)} ${tool} run ${run}/${opts.runs} (cwd ${dir})`);
  const r = await runChild(spec);
  const ok = r.exitCode === 0 && !r.timedOut && r.spawnError === undefined;
  ctx.log(
    `ingest:   ${ok ? 'ok' : 'FAILED'} in ${(r.wallMs / 1000).toFixed(2)} s, peak RSS ${r.peakRssKiB === null ? '?' : (r.peakRssKiB / 1024).toFixed(0)} MiB` +
      (ok ? '' : ` (exit ${r.exitCode ?? r.signal}${r.timedOut ? ', timed out' : ''})`),
  );
  const output = parseJsonOutput(r.stdout);
  if (!opts.keep) rmSync(dir, { recursive: true, force: true });
  return { r, output, ok };
}

/**
 * Runs the tools alternately (reference, shadowscan, reference, …), so load from other
 * processes that comes and goes during a size's runs falls on both tools alike. A tool that
 * fails is not run again.
 */
async function measureInterleaved(
  ctx: BenchContext,
  opts: IngestOptions,
  size: number,
  tools: Tool[],
  file: string,
  workRoot: string,
): Promise<Measurement[]> {
  const runs = new Map<Tool, { r: ChildResult; output: unknown; ok: boolean }[]>(tools.map((t) => [t, []]));
  for (let run = 1; run <= opts.runs; run++) {
    for (const tool of tools) {
      const done = runs.get(tool)!;
      if (done.length && !done[done.length - 1]!.ok) continue; // no point repeating a failing run
      done.push(await runOnce(ctx, opts, size, tool, file, workRoot, run));
    }
  }
  return tools.map((tool) => summarize(size, tool, runs.get(tool)!));
}

function summarize(size: number, tool: Tool, runs: { r: ChildResult; output: unknown }[]): Measurement {
  const results = runs.map((x) => x.r);
  const outputs = runs.map((x) => x.output);
  const last = results[results.length - 1]!;
  const allOk = results.every((r) => r.exitCode === 0 && !r.timedOut && r.spawnError === undefined);
  const peaks = results.map((r) => r.peakRssKiB).filter((x): x is number => x !== null);
  return {
    size,
    tool,
    ok: allOk,
    wallMs: allOk ? median(results.map((r) => r.wallMs)) : null,
    peakRssKiB: peaks.length ? Math.max(...peaks) : null,
    rssSource: last.rssSource,
    exitCode: last.exitCode,
    signal: last.signal,
    timedOut: last.timedOut,
    output: outputs[outputs.length - 1],
    stderrTail: tailLines(last.spawnError ? `${last.stderr}\n${last.spawnError}` : last.stderr, 12),
    runsWallMs: results.map((r) => Math.round(r.wallMs)),
    otherCores: results.map((r) => r.otherCores),
    cpuMs: results.map((r) => (r.cpuMs === null ? null : Math.round(r.cpuMs))),
  };
}

function truthSummary(t: GroundTruth): Omit<GroundTruth, 'requestsByUser'> {
  const { requestsByUser: _omit, ...rest } = t;
  return rest;
}

async function run(ctx: BenchContext): Promise<BenchReport> {
  const opts = parseOptions(ctx.args, ctx.log);
  const bundle = opts.skipShadowscan ? null : buildBundle(ctx);
  const workRoot = mkdtempSync(join(tmpdir(), 'shadowscan-bench-ingest-'));
  const truths = new Map<number, GroundTruth>();
  const ms: Measurement[] = [];
  let zeek: Awaited<ReturnType<typeof runZeekIngest>> | undefined;
  try {
    for (const size of opts.sizes) {
      const { path, truth } = await fixtureFor(ctx, size);
      truths.set(size, truth);
      await warmPageCache(path);
      ms.push(...(await measureInterleaved(ctx, opts, size, opts.skipShadowscan ? ['reference'] : ['reference', 'shadowscan'], path, workRoot)));
    }
    if (opts.zeekSizes.length && opts.zeekLogs.length && !opts.skipShadowscan) {
      zeek = await runZeekIngest(ctx, { sizes: opts.zeekSizes, logs: opts.zeekLogs, runs: opts.runs, timeoutMs: opts.timeoutMs, keep: opts.keep, goalRatio: GOAL_RATIO, goalRssMiB: GOAL_RSS_MIB }, workRoot);
    }
  } finally {
    if (opts.keep) ctx.log(`ingest: workspaces kept in ${workRoot}`);
    else rmSync(workRoot, { recursive: true, force: true });
  }

  const base = opts.sizes[0]!;
  const baseLabel = sizeLabel(base);
  const find = (size: number, tool: Tool) => ms.find((m) => m.size === size && m.tool === tool);
  const throughput = (m: Measurement | undefined) =>
    m && m.ok && m.wallMs ? truths.get(m.size)!.lines / (m.wallMs / 1000) : null;

  // ---- throughput table
  const perf: Table = {
    title: `ingest — Squid native log, seed ${INGEST_SEED} (${cpus().length} cores, node ${process.version})`,
    columns: ['size', 'tool', 'lines/s', 'wall s', 'peak RSS MiB', 'ratio', `t/t(${baseLabel})`, 't/t(prev)', 'goals', 'other cores', 'cpu s', 'cpu ratio'],
    rows: [],
  };
  for (const m of ms) {
    const label = sizeLabel(m.size);
    if (!m.ok) {
      perf.rows.push([label, m.tool, null, null, m.peakRssKiB === null ? null : fixed(m.peakRssKiB / 1024, 0), null, null, null,
        `error (${m.timedOut ? 'timeout' : `exit ${m.exitCode ?? m.signal}`})`, otherCoresCell(m), null, null]);
      continue;
    }
    const tp = throughput(m);
    const goals: string[] = [];
    let ratio: number | null = null;
    if (m.tool === 'shadowscan') {
      const refTp = throughput(find(m.size, 'reference'));
      if (tp !== null && refTp !== null) {
        ratio = tp / refTp;
        goals.push(ratio >= GOAL_RATIO ? `ratio ok` : `ratio MISS (<${GOAL_RATIO})`);
      }
    }
    let scaling: number | null = null;
    if (m.size !== base) {
      const b = find(base, m.tool);
      if (b?.ok && b.wallMs && m.wallMs) {
        scaling = m.wallMs / b.wallMs;
        const goal = GOAL_SCALING_SLACK * (m.size / base);
        goals.push(scaling <= goal ? `scaling ok` : `scaling MISS (>${fixed(goal, 1)})`);
      }
    }
    // Against the next smaller size (t(20M)/t(5M) when run with 1M,5M,20M).
    let stepScaling: number | null = null;
    const prevSize = opts.sizes.filter((sz) => sz < m.size).pop();
    if (prevSize !== undefined && prevSize !== base) {
      const p = find(prevSize, m.tool);
      if (p?.ok && p.wallMs && m.wallMs) {
        stepScaling = m.wallMs / p.wallMs;
        const goal = GOAL_SCALING_SLACK * (m.size / prevSize);
        goals.push(stepScaling <= goal ? `step ok` : `step MISS (>${fixed(goal, 1)})`);
      }
    }
    if (m.tool === 'shadowscan' && m.peakRssKiB !== null) {
      goals.push(m.peakRssKiB / 1024 < GOAL_RSS_MIB ? 'RSS ok' : `RSS MISS (≥${GOAL_RSS_MIB})`);
    }
    perf.rows.push([
      label,
      m.tool,
      grouped(tp),
      fixed(m.wallMs! / 1000, 2),
      m.peakRssKiB === null ? null : fixed(m.peakRssKiB / 1024, 0),
      fixed(ratio, 2),
      fixed(scaling, 2),
      fixed(stepScaling, 2),
      goals.join(', ') || null,
      otherCoresCell(m),
      fixed(cpuSeconds(m), 2),
      m.tool === 'shadowscan' ? fixed(ratioOf(cpuSeconds(find(m.size, 'reference')), cpuSeconds(m)), 2) : null,
    ]);
  }

  // ---- correctness table
  const corr: Table = {
    title: 'ingest — counts vs generator truth',
    columns: ['size', 'source', 'lines', 'good / rows_read', 'rejects', 'groups', 'matches truth'],
    rows: [],
  };
  const notes: string[] = [];
  for (const size of opts.sizes) {
    const t = truths.get(size)!;
    const label = sizeLabel(size);
    corr.rows.push([label, 'truth', t.lines, t.goodLines, t.malformedLines, t.groups, null]);
    const ref = find(size, 'reference');
    if (ref?.ok) {
      const o = ref.output as Record<string, unknown> | undefined;
      const good = findNumber(o, 'good_lines');
      const rej = findNumber(o, 'rejected');
      const groups = findNumber(o, 'groups');
      const match = good === t.goodLines && rej === t.malformedLines && groups === t.groups;
      corr.rows.push([label, 'reference', null, good, rej, groups, match ? 'yes' : 'NO']);
    }
    const ss = find(size, 'shadowscan');
    if (ss?.ok) {
      const o = ss.output;
      const lines = findNumberAny(o, FIELD_ALIASES.lines);
      const rowsRead = findNumberAny(o, FIELD_ALIASES.rows_read);
      const rejects = findNumberAny(o, FIELD_ALIASES.rejects);
      const checks: string[] = [];
      if (lines !== undefined) checks.push(`lines ${lines === t.lines ? 'yes' : 'NO'}`);
      if (rowsRead !== undefined)
        checks.push(`rows_read ${rowsRead === t.goodLines || rowsRead === t.lines ? 'yes' : 'NO'}`);
      if (rejects !== undefined) checks.push(`rejects ${rejects === t.malformedLines ? 'yes' : 'NO'}`);
      corr.rows.push([label, 'shadowscan', lines, rowsRead, rejects, null, checks.join(', ') || 'no known fields']);
      const json = o === undefined ? '(no JSON on stdout)' : JSON.stringify(o);
      notes.push(`shadowscan ${label} --json output: ${clip(json, 2000)}`);
    }
  }
  for (const m of ms) {
    if (m.ok) continue;
    notes.push(`${m.tool} ${sizeLabel(m.size)} failed (${m.timedOut ? 'timed out' : `exit ${m.exitCode ?? m.signal}`})`);
    if (m.output !== undefined) notes.push(`  stdout JSON: ${clip(JSON.stringify(m.output), 2000)}`);
    if (m.stderrTail.length) notes.push('  stderr tail:', ...m.stderrTail.map((l) => `    ${l}`));
    else if (m.output === undefined) notes.push('  (no output on stderr or stdout)');
  }

  const maxOther = Math.max(0, ...ms.flatMap((m) => m.otherCores.filter((x): x is number => x !== null)));
  if (maxOther > 0.25) {
    notes.push(
      `warning: other processes kept up to ${maxOther.toFixed(2)} of ${cpus().length} cores busy during a run ` +
        '(column "other cores"), so times are noisy — rerun on an idle machine, or use --runs N.',
    );
  }

  const refFailed = ms.some((m) => m.tool === 'reference' && !m.ok);
  return {
    name: 'ingest',
    tables: [perf, corr, ...(zeek ? [zeek.table] : [])],
    notes: [...notes, ...(zeek?.notes ?? [])],
    ok: !refFailed,
    data: {
      seed: INGEST_SEED,
      sizes: opts.sizes,
      runs: opts.runs,
      machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? null, totalMemMiB: Math.round(totalmem() / 2 ** 20), node: process.version, duckdb: duckdbVersion(ctx.repoRoot) },
      goals: { ratio: GOAL_RATIO, scalingSlack: GOAL_SCALING_SLACK, rssMiB: GOAL_RSS_MIB },
      bundle,
      zeek: zeek ? { throughput: tableToObjects(zeek.table), ...(zeek.data as object) } : null,
      throughput: tableToObjects(perf),
      correctness: tableToObjects(corr),
      truth: Object.fromEntries(opts.sizes.map((s) => [sizeLabel(s), truthSummary(truths.get(s)!)])),
      measurements: ms.map((m) => ({
        size: m.size,
        tool: m.tool,
        ok: m.ok,
        wall_ms: m.wallMs === null ? null : Math.round(m.wallMs),
        runs_wall_ms: m.runsWallMs,
        peak_rss_kib: m.peakRssKiB,
        rss_source: m.rssSource,
        lines_per_s: throughput(m) === null ? null : Math.round(throughput(m)!),
        exit_code: m.exitCode,
        signal: m.signal,
        timed_out: m.timedOut,
        other_cores: m.otherCores,
        cpu_ms: m.cpuMs,
        output: m.output ?? null,
        stderr_tail: m.ok ? [] : m.stderrTail,
      })),
    },
  };
}

/**
 * Builds the CLI bundle as `npm install` does (prepare → bin/bundle.js), so the measured CLI is
 * the one a user runs and not the tsx fallback of an edited checkout. Returns the entry used.
 */
function buildBundle(ctx: BenchContext): string | null {
  const r = spawnSync(process.execPath, [join(ctx.repoRoot, 'bin/bundle.js')], { cwd: ctx.repoRoot, encoding: 'utf8' });
  const msg = (r.stderr ?? '').trim();
  ctx.log(`ingest: ${msg || `bin/bundle.js exited ${r.status}`}`);
  try {
    return (JSON.parse(readFileSync(join(ctx.repoRoot, 'dist/manifest.json'), 'utf8')) as { entry: string }).entry;
  } catch {
    ctx.log('ingest: no bundle: shadowscan runs through tsx (slower start-up)');
    return null;
  }
}

function duckdbVersion(repoRoot: string): string | null {
  try {
    const pkg = JSON.parse(readFileSync(join(repoRoot, 'node_modules/@duckdb/node-api/package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? null;
  } catch {
    return null;
  }
}

const ingest: Benchmark = {
  name: 'ingest',
  description: 'Squid (1M, 5M lines) and Zeek conn/ssl (5M) import throughput and peak RSS: shadowscan vs a DuckDB-only reference',
  usage: USAGE,
  run,
};
export default ingest;
