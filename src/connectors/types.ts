// The connector contract, as data (STYLE.md: CloudQuery/Airbyte): declared streams, each a
// snapshot or an event stream, with the raw columns it lands in the lake, plus the SQL that
// maps raw streams onto norm views. I/O lives in the connector's client/import code.
import type { Clock } from '../clock.js';
import type { Duck } from '../db/duck.js';
import type { NormView } from '../norm/schema.js';
import type { Progress } from '../output/progress.js';
import type { DataPaths } from '../store/paths.js';
import type { InstanceConfig } from '../config/schema.js';
import type { Secret } from '../config/secrets.js';

export interface StreamDef {
  /** Lake stream name (stream=… in the hive layout); raw view is raw.<connector>_<name>. */
  name: string;
  /** snapshot: views show the latest complete sync; events: every committed row, deduped on eventId. */
  mode: 'snapshot' | 'events';
  /** Raw columns and their DuckDB types (stamps _instance, _sync_id, _ingested_at are added). */
  columns: Record<string, string>;
  eventId?: string;
  /** Used for retention and the rules window. */
  timeColumn?: string;
  /** Provider permissions this stream needs (live connectors; shown by doctor). */
  permissions?: string[];
}

export interface RunContext {
  paths: DataPaths;
  clock: Clock;
  engine: Duck;
  instance: string;
  progress: Progress;
  /** This instance's secrets by their path inside its config (e.g. "token"); never logged. */
  secrets?: Map<string, Secret>;
  /** Clock for rate-control waits (a time-scaled clock in benchmarks); defaults to `clock`. */
  rateClock?: Clock;
}

export interface DoctorCheck {
  instance: string;
  check: string;
  ok: boolean;
  detail: string;
  /** What to do when not ok. */
  hint?: string;
}

export interface ImportOptions {
  files: string[];
  /** Forces a format instead of detecting it. */
  format?: string;
  /** The files are a complete snapshot (DESIGN.md "Partial is never complete"). */
  complete?: boolean;
  /** The instance's config when --instance names a configured instance (field lists, mappings, time zones). */
  config?: InstanceConfig;
}

/** What one run of one instance did, per stream; becomes the run summary and exit code. */
export interface StreamRunResult {
  instance: string;
  stream: string;
  syncId: string;
  status: 'ok' | 'partial' | 'failed';
  linesRead: number;
  rowsWritten: number;
  rejects: number;
  rejectExamples: string[];
  bytesRead: number;
  files: number;
  /** Live sources: HTTP requests made, retries, and waits imposed by rate control. */
  requests?: number;
  retries?: number;
  waits?: number;
  waitMs?: number;
  /** Live sources: responses that were 429 (throttled by the provider). */
  throttled?: number;
  error?: string;
  hint?: string;
}

export interface ConnectorDefinition {
  type: string;
  title: string;
  streams: StreamDef[];
  /** SELECTs (reading raw.<type>_<stream>) contributing rows to norm views; columns by name. */
  norm: Partial<Record<NormView, string>>;
  /** `shadowscan import <type> <file…>` */
  importFiles?: (ctx: RunContext, opts: ImportOptions) => Promise<StreamRunResult[]>;
  /** `shadowscan scan`: file sources read their configured paths; live sources call the API. */
  scan?: (ctx: RunContext, config: InstanceConfig) => Promise<StreamRunResult[]>;
  /** `shadowscan doctor`: credentials, reachability, and each stream's permissions. */
  doctor?: (ctx: RunContext, config: InstanceConfig) => Promise<DoctorCheck[]>;
}
