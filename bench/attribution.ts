// Benchmark `attribution`: the cost of norm.egress's user attribution and person resolution
// (src/norm/attribution.ts, src/norm/people.ts) on a synthetic lake: N hourly egress rows (40 %
// without a user), sign-ins and people, each variant in its own child process (peak RSS is the
// child's) on the engine settings shadowscan uses by default (memory_limit 512MB, 2 threads,
// spilling to a temp directory). Variants: the plain union (no attribution, no resolution),
// resolution only (attribution off, the default), and resolution + inference (window 10 min).
// The child is this file run with `--worker VARIANT ROWS DIR`. See docs/attribution.md.

import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { openEngine } from '../src/db/duck.js';
import { attributedEgressSql } from '../src/norm/attribution.js';
import { peopleSql } from '../src/norm/people.js';
import { nodeChild, parseJsonOutput, runChild } from './lib/child.js';
import type { Table } from './lib/table.js';
import type { BenchContext, BenchReport, Benchmark } from './lib/types.js';

const VARIANTS = ['union', 'resolve', 'infer'] as const;
type Variant = (typeof VARIANTS)[number];

const PEOPLE = 20_000;
const IPS = 8_000;
const DEFAULT_SIGNINS = 300_000;
const DAYS = 30;

interface WorkerResult {
  variant: Variant;
  rows: number;
  withUser: number;
  inferred: number;
  resolved: number;
  queryMs: number;
  /** CPU time of the query (all DuckDB threads of the process), robust to a busy machine. */
  queryCpuMs: number;
}

/** Writes egress.parquet, signins.parquet and people.parquet (deterministic) into dir. */
export async function generate(dir: string, rows: number, signins = DEFAULT_SIGNINS): Promise<void> {
  const engine = await openEngine({ memoryLimit: '512MB', threads: 2, tempDirectory: join(dir, 'tmp') });
  try {
    const t0 = `timestamp '2026-01-01 00:00:00'`;
    await engine.run(`copy (
      select 'p' || lpad(i::varchar, 5, '0') || '@acme.example' as person_id, 'p' || lpad(i::varchar, 5, '0') || '@acme.example' as email,
             ['p' || lpad(i::varchar, 5, '0') || '@acme.example', 'acme\\p' || lpad(i::varchar, 5, '0')] as logins,
             'Person ' || i as display_name, 'Engineering' as department, 'active' as status, ['okta'] as providers
        from range(${PEOPLE}) t(i)) to '${join(dir, 'people.parquet')}' (format parquet)`);
    await engine.run(`copy (
      select ${t0} + to_seconds((hash(i, 1) % ${DAYS * 86_400})::bigint) as ts, 'okta-prod' as instance, 'okta' as provider,
             'p' || lpad((hash(i, 2) % ${PEOPLE})::varchar, 5, '0') || '@acme.example' as "user", '0oa1' as app_id, 'App' as app_name,
             '10.' || (hash(i, 3) % ${IPS} // 250)::varchar || '.' || (hash(i, 3) % 250)::varchar || '.1' as ip, 'ua' as user_agent,
             case when hash(i, 4) % 10 = 0 then 'FAILURE' else 'SUCCESS' end as result, 'e' || i as event_id
        from range(${signins}) t(i)) to '${join(dir, 'signins.parquet')}' (format parquet)`);
    // A user spelt four ways (jdoe-like short name, DOMAIN\\name, email, mixed-case email), or none.
    await engine.run(`copy (
      select hour, hour + to_seconds((hash(i, 6) % 1800)::bigint) as first_ts, hour + to_seconds((1800 + hash(i, 7) % 1799)::bigint) as last_ts,
             'proxy-hq' as instance,
             case hash(i, 8) % 10 when 0 then 'p' || n when 1 then 'acme\\p' || n when 2 then 'p' || n || '@acme.example'
                  when 3 then 'P' || n || '@ACME.example' when 4 then 'p' || n || '@acme.example' when 5 then 'p' || n || '@acme.example'
                  else null end as "user",
             false as user_inferred,
             '10.' || (hash(i, 9) % ${IPS} // 250)::varchar || '.' || (hash(i, 9) % 250)::varchar || '.1' as src_ip,
             'h' || (hash(i, 10) % 5000) || '.example.com' as host, 'example.com' as domain, 1 + hash(i, 11) % 100 as requests,
             hash(i, 12) % 100000 as bytes_out, hash(i, 13) % 100000 as bytes_in, 'CONNECT' as method, '2xx' as status_class, 'squid' as source
        from (select i, ${t0} + to_hours((hash(i, 5) % ${DAYS * 24})::bigint) as hour, lpad((hash(i, 14) % ${PEOPLE})::varchar, 5, '0') as n
                from range(${rows}) t(i))) to '${join(dir, 'egress.parquet')}' (format parquet)`);
  } finally {
    engine.close();
  }
}

async function worker(variant: Variant, rows: number, dir: string): Promise<WorkerResult> {
  const engine = await openEngine({ memoryLimit: '512MB', threads: 2, tempDirectory: join(dir, 'tmp') });
  try {
    await engine.run('create schema norm');
    const people = peopleSql(`select * from read_parquet('${join(dir, 'people.parquet')}')`);
    await engine.run(`create view norm.people as ${people.people}`);
    await engine.run(`create view norm.person_aliases as ${people.aliases}`);
    const egress = `select * from read_parquet('${join(dir, 'egress.parquet')}')`;
    const signins = `select * from read_parquet('${join(dir, 'signins.parquet')}')`;
    const sql =
      variant === 'union'
        ? `select *, null::varchar as person_id from (${egress})`
        : attributedEgressSql({ egress, signins, settings: { ipWindowMinutes: variant === 'infer' ? 10 : 0 } });
    const t = performance.now();
    const cpu = process.cpuUsage();
    const r = await engine.one<{ rows: number; with_user: number; inferred: number; resolved: number; h: bigint }>(
      `select count(*) as rows, count("user") as with_user, count(*) filter (where user_inferred) as inferred,
              count(person_id) as resolved, sum(hash("user", person_id, host, first_ts)) as h from (${sql})`,
    );
    return { variant, rows: r!.rows, withUser: r!.with_user, inferred: r!.inferred, resolved: r!.resolved, queryMs: Math.round(performance.now() - t), queryCpuMs: Math.round(((u) => (u.user + u.system) / 1000)(process.cpuUsage(cpu))) };
  } finally {
    engine.close();
  }
}

function parseCount(args: string[], flag: string, fallback: number): number {
  const i = args.indexOf(flag);
  const v = i >= 0 ? args[i + 1] : undefined;
  if (!v) return fallback;
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(v);
  if (!m) throw new Error(`${flag}: a count such as 1M or 250k, got ${v}`);
  return Math.round(Number(m[1]) * (m[2]!.toLowerCase() === 'm' ? 1e6 : m[2]!.toLowerCase() === 'k' ? 1e3 : 1));
}

const bench: Benchmark = {
  name: 'attribution',
  description: 'norm.egress user attribution + person resolution over N synthetic hourly rows',
  usage: 'attribution [--rows 1M] [--signins 300k]',
  async run(ctx: BenchContext): Promise<BenchReport> {
    const rows = parseCount(ctx.args, '--rows', 1_000_000);
    const signins = parseCount(ctx.args, '--signins', DEFAULT_SIGNINS);
    const dir = join(ctx.cacheDir, `attribution-${rows}`);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(join(dir, 'tmp'), { recursive: true });
    ctx.log(`attribution: generating ${rows} egress rows, ${signins} sign-ins, ${PEOPLE} people`);
    await generate(dir, rows, signins);
    const table: Table = {
      title: `norm.egress over ${rows} hourly rows, ${signins} sign-ins, ${PEOPLE} people (memory_limit 512MB, 2 threads)`,
      columns: ['variant', 'rows', 'with user', 'inferred', 'resolved to a person', 'query s', 'query CPU s', 'peak RSS MiB', 'other cores busy'],
      rows: [],
    };
    const notes: string[] = [];
    const data: unknown[] = [];
    for (const variant of VARIANTS) {
      ctx.log(`attribution: ${variant}`);
      const res = await runChild(nodeChild(join(ctx.repoRoot, 'bin/run-ts.js'), [join(ctx.repoRoot, 'bench/attribution.ts'), '--worker', variant, String(rows), dir], { cwd: ctx.repoRoot }));
      const out = parseJsonOutput(res.stdout) as WorkerResult | undefined;
      if (res.exitCode !== 0 || !out) {
        notes.push(`${variant}: exit ${res.exitCode}: ${res.stderr.slice(-400)}`);
        continue;
      }
      data.push({ ...out, peakRssKiB: res.peakRssKiB });
      table.rows.push([variant, out.rows, out.withUser, out.inferred, out.resolved, (out.queryMs / 1000).toFixed(2), (out.queryCpuMs / 1000).toFixed(2), res.peakRssKiB ? Math.round(res.peakRssKiB / 1024) : null, res.otherCores === null ? null : res.otherCores.toFixed(1)]);
    }
    rmSync(dir, { recursive: true, force: true });
    return { name: 'attribution', tables: [table], notes, data, ok: notes.length === 0 };
  },
};
export default bench;

if (process.argv[2] === '--worker') {
  const [variant, rows, dir] = process.argv.slice(3) as [Variant, string, string];
  process.stdout.write(`${JSON.stringify(await worker(variant, Number(rows), dir))}\n`);
}
