// `npm run bench` — runs every registered benchmark; `npm run bench -- NAME [NAME…] [options]`
// runs the named ones. Options after the names go to the benchmarks (each ignores what it does
// not know); `--json` prints one JSON document instead of text tables; `--list` lists them.
// Progress goes to stderr, results to stdout. Exit code 1 if a benchmark's harness failed
// (a tool missing its goals, or an unfinished tool erroring, is reported, not fatal).
//
// To add a benchmark: write bench/NAME.ts with `export default` a Benchmark (bench/lib/types.ts)
// and register it below.

import { mkdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderTable, tableToObjects } from './lib/table.js';
import type { BenchReport, Benchmark } from './lib/types.js';

export const BENCHMARKS: Record<string, () => Promise<Benchmark>> = {
  attribution: async () => (await import('./attribution.js')).default,
  ingest: async () => (await import('./ingest.js')).default,
  okta: async () => (await import('./okta.js')).default,
  entra: async () => (await import('./entra.js')).default,
  google: async () => (await import('./google.js')).default,
};

const repoRoot = dirname(dirname(fileURLToPath(import.meta.url)));

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

async function main(argv: string[]): Promise<number> {
  const names: string[] = [];
  const rest: string[] = [];
  let json = false;
  for (const a of argv) {
    if (a === '--json') json = true;
    else if (a === '--list' || a === '--help' || a === '-h') {
      const lines = ['usage: npm run bench [-- NAME… [options] [--json]]', '', 'benchmarks:'];
      for (const [name, load] of Object.entries(BENCHMARKS)) {
        const b = await load();
        lines.push(`  ${name.padEnd(8)} ${b.description}`, `           ${b.usage}`);
      }
      process.stdout.write(lines.join('\n') + '\n');
      return 0;
    } else if (rest.length === 0 && !a.startsWith('-') && Object.hasOwn(BENCHMARKS, a)) names.push(a);
    else if (rest.length === 0 && !a.startsWith('-')) {
      log(`unknown benchmark "${a}"; known: ${Object.keys(BENCHMARKS).join(', ')}`);
      return 2;
    } else rest.push(a);
  }
  const selected = names.length ? names : Object.keys(BENCHMARKS);
  const cacheDir = join(repoRoot, 'bench', '.cache');
  mkdirSync(cacheDir, { recursive: true });

  const reports: BenchReport[] = [];
  let failed = false;
  for (const name of selected) {
    const bench = await BENCHMARKS[name]!();
    log(`== bench ${name}: ${bench.description}`);
    let report: BenchReport;
    try {
      report = await bench.run({ repoRoot, cacheDir, args: rest, json, log });
    } catch (e) {
      const err = e as Error;
      report = { name, tables: [], notes: [`${name}: harness error: ${err.stack ?? err.message}`], ok: false };
    }
    if (!report.ok) failed = true;
    reports.push(report);
    if (!json) {
      const out: string[] = [];
      for (const t of report.tables) out.push(renderTable(t), '');
      if (report.notes.length) out.push(...report.notes, '');
      process.stdout.write(out.join('\n'));
    }
  }
  if (json) {
    const doc = {
      generated_at: new Date().toISOString(),
      benchmarks: reports.map((r) => ({
        name: r.name,
        ok: r.ok,
        tables: r.tables.map((t) => ({ title: t.title ?? null, rows: tableToObjects(t) })),
        notes: r.notes,
        data: r.data ?? null,
      })),
    };
    process.stdout.write(JSON.stringify(doc, null, 2) + '\n');
  }
  return failed ? 1 : 0;
}

process.exitCode = await main(process.argv.slice(2));
