// The contract between `bench/run.ts` and each benchmark module (ingest, later okta, entra,
// google). A benchmark parses its own options, prints progress on stderr through `ctx.log`,
// and returns a report that run.ts prints as text tables or, with --json, as JSON.

import type { Table } from './table.js';

export interface BenchContext {
  /** Absolute path of the repository root. */
  repoRoot: string;
  /** bench/.cache (git-ignored), created on demand. */
  cacheDir: string;
  /** Arguments after the benchmark names, e.g. ['--sizes', '1M']. */
  args: string[];
  /** True when the report will be printed as JSON. */
  json: boolean;
  /** Progress / diagnostics, on stderr. */
  log(message: string): void;
}

export interface BenchReport {
  name: string;
  tables: Table[];
  /** Free-form lines printed under the tables (errors, stderr tails, notes). */
  notes: string[];
  /** Machine-readable details included in --json output. */
  data?: unknown;
  /** False when the harness itself failed (not when the measured tool misses a goal). */
  ok: boolean;
}

export interface Benchmark {
  name: string;
  description: string;
  /** One-line usage of the benchmark's own options. */
  usage: string;
  run(ctx: BenchContext): Promise<BenchReport>;
}

/** The part of a shadowscan sync record (one per stream and scan) the live-scan benchmarks read. */
export interface SyncRecord {
  stream: string;
  status: string;
  started_at: string;
  finished_at: string | null;
  rows_written: number;
  requests: number;
  wait_ms: number;
  throttled: number;
  error: string | null;
}
