// Zeek rows of `npm run bench -- ingest`: shadowscan's `import zeek` against a DuckDB-only
// reference (bench/reference-zeek.ts) on the same generated conn.log and ssl.log (5M records by
// default, fixtures/zeek/generate.ts), same hourly aggregate. Each tool runs as its own child;
// wall time (with start-up) and peak RSS are measured. Called by bench/ingest.ts.

import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeZeekLog, type ZeekTruth } from '../fixtures/zeek/generate.js';
import { cachedFile, hashFiles } from './lib/cache.js';
import { nodeChild, parseJsonOutput, runChild, type ChildResult } from './lib/child.js';
import { fixed, grouped, humanCount, type Table } from './lib/table.js';
import type { BenchContext } from './lib/types.js';

export const ZEEK_SEED = 1;

export interface ZeekBenchOptions {
  sizes: number[];
  logs: ('conn' | 'ssl')[];
  runs: number;
  timeoutMs: number;
  keep: boolean;
  goalRatio: number;
  goalRssMiB: number;
}

interface ZeekMeasurement {
  log: string;
  size: number;
  tool: 'reference' | 'shadowscan';
  ok: boolean;
  wallMs: number | null;
  peakRssKiB: number | null;
  output: unknown;
  runsWallMs: number[];
}

async function zeekFixture(ctx: BenchContext, log: 'conn' | 'ssl', lines: number): Promise<{ path: string; truth: ZeekTruth }> {
  const label = humanCount(lines);
  const entry = await cachedFile<ZeekTruth>({
    dir: ctx.cacheDir,
    name: `zeek-${log}-${label}-seed${ZEEK_SEED}`,
    key: hashFiles([join(ctx.repoRoot, 'fixtures/zeek/generate.ts'), join(ctx.repoRoot, 'fixtures/zeek/format.ts')]),
    ext: '.log',
    expectBytes: (t) => t.fileBytes,
    build: (tmp) => {
      ctx.log(`ingest: generating Zeek ${log}.log, ${label} records (seed ${ZEEK_SEED})`);
      return writeZeekLog(tmp, { log, lines, seed: ZEEK_SEED });
    },
  });
  return { path: entry.path, truth: entry.meta };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2) : null;
};

async function measure(ctx: BenchContext, o: ZeekBenchOptions, log: string, size: number, tool: ZeekMeasurement['tool'], file: string, workRoot: string): Promise<ZeekMeasurement> {
  const results: ChildResult[] = [];
  let output: unknown;
  for (let run = 1; run <= o.runs; run++) {
    const dir = join(workRoot, `zeek-${log}-${tool}-${humanCount(size)}-run${run}`);
    mkdirSync(dir, { recursive: true });
    const spec =
      tool === 'reference'
        ? nodeChild(join(ctx.repoRoot, 'bin/run-ts.js'), [join(ctx.repoRoot, 'bench/reference-zeek.ts'), file, dir], { cwd: ctx.repoRoot, timeoutMs: o.timeoutMs })
        : nodeChild(join(ctx.repoRoot, 'bin/shadowscan.js'), ['import', 'zeek', file, '--json'], { cwd: dir, timeoutMs: o.timeoutMs });
    ctx.log(`ingest: zeek ${log} ${humanCount(size)} ${tool} run ${run}/${o.runs}`);
    const r = await runChild(spec);
    results.push(r);
    output = parseJsonOutput(r.stdout);
    if (!o.keep) rmSync(dir, { recursive: true, force: true });
    if (r.exitCode !== 0 || r.timedOut) break;
  }
  const ok = results.every((r) => r.exitCode === 0 && !r.timedOut && r.spawnError === undefined);
  const peaks = results.map((r) => r.peakRssKiB).filter((x): x is number => x !== null);
  return { log, size, tool, ok, wallMs: ok ? median(results.map((r) => r.wallMs)) : null, peakRssKiB: peaks.length ? Math.max(...peaks) : null, output, runsWallMs: results.map((r) => Math.round(r.wallMs)) };
}

/** First number under `key` anywhere in a JSON value. */
function num(v: unknown, key: string): number | undefined {
  if (v === null || typeof v !== 'object') return undefined;
  const d = (v as Record<string, unknown>)[key];
  if (typeof d === 'number') return d;
  for (const c of Object.values(v as Record<string, unknown>)) {
    const r = num(c, key);
    if (r !== undefined) return r;
  }
  return undefined;
}

export async function runZeekIngest(ctx: BenchContext, o: ZeekBenchOptions, workRoot: string): Promise<{ table: Table; notes: string[]; data: unknown }> {
  const ms: ZeekMeasurement[] = [];
  const truths = new Map<string, ZeekTruth>();
  for (const log of o.logs) {
    for (const size of o.sizes) {
      const { path, truth } = await zeekFixture(ctx, log, size);
      truths.set(`${log}-${size}`, truth);
      ms.push(await measure(ctx, o, log, size, 'reference', path, workRoot));
      ms.push(await measure(ctx, o, log, size, 'shadowscan', path, workRoot));
    }
  }
  const table: Table = {
    title: `ingest — Zeek TSV logs, seed ${ZEEK_SEED} (same file, same hourly aggregate)`,
    columns: ['log', 'size', 'tool', 'lines/s', 'wall s', 'peak RSS MiB', 'ratio', 'good', 'rejects', 'groups / rows', 'goals'],
    rows: [],
  };
  const notes: string[] = [];
  for (const m of ms) {
    const t = truths.get(`${m.log}-${m.size}`)!;
    const tp = m.ok && m.wallMs ? t.lines / (m.wallMs / 1000) : null;
    const ref = ms.find((x) => x.log === m.log && x.size === m.size && x.tool === 'reference');
    const refTp = ref?.ok && ref.wallMs ? t.lines / (ref.wallMs / 1000) : null;
    const ratio = m.tool === 'shadowscan' && tp !== null && refTp !== null ? tp / refTp : null;
    const good = m.tool === 'reference' ? num(m.output, 'good_lines') : (num(m.output, 'linesRead') ?? 0) - (num(m.output, 'rejects') ?? 0) - t.headerLines;
    const rejects = m.tool === 'reference' ? num(m.output, 'rejected') : num(m.output, 'rejects');
    const groups = m.tool === 'reference' ? num(m.output, 'groups') : num(m.output, 'rowsWritten');
    const goals: string[] = [];
    if (ratio !== null) goals.push(ratio >= o.goalRatio ? 'ratio ok' : `ratio MISS (<${o.goalRatio})`);
    if (m.tool === 'shadowscan' && m.peakRssKiB !== null) goals.push(m.peakRssKiB / 1024 < o.goalRssMiB ? 'RSS ok' : `RSS MISS (≥${o.goalRssMiB})`);
    goals.push(good === t.goodLines && rejects === t.malformedLines ? 'counts = truth' : `counts ≠ truth (${t.goodLines}/${t.malformedLines})`);
    table.rows.push([m.log, humanCount(m.size), m.tool, grouped(tp), fixed(m.wallMs === null ? null : m.wallMs / 1000, 2), m.peakRssKiB === null ? null : fixed(m.peakRssKiB / 1024, 0), fixed(ratio, 2), good ?? null, rejects ?? null, groups ?? null, m.ok ? goals.join(', ') : 'error']);
    if (!m.ok) notes.push(`zeek ${m.log} ${humanCount(m.size)} ${m.tool} failed: ${JSON.stringify(m.output ?? null).slice(0, 500)}`);
  }
  return { table, notes, data: { truth: Object.fromEntries(truths), measurements: ms } };
}
