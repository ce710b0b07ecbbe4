// Lands rows from a live API in the lake: rows are appended as JSON lines to a staging file
// (memory stays flat however large the tenant), and each commit turns them into Parquet with
// the stream's declared column types and commits the chunk with the stream's cursor.
import { closeSync, openSync, rmSync, writeSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { sqlIdent, sqlString } from '../../db/duck.js';
import type { SyncWriter } from '../../store/sync.js';
import type { RunContext, StreamDef } from '../types.js';

export class ApiStreamWriter {
  private fd: number | undefined;
  private file: string;
  private buffered = 0;
  private seq = 0;

  constructor(
    private readonly ctx: RunContext,
    readonly sync: SyncWriter,
    readonly stream: StreamDef,
  ) {
    const dir = join(ctx.paths.staging, sync.syncId, 'rows');
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    this.file = join(dir, `${stream.name}-${this.seq}.jsonl`);
  }

  /** Rows waiting for the next commit. */
  get pending(): number {
    return this.buffered;
  }

  add(row: Record<string, unknown>): void {
    this.fd ??= openSync(this.file, 'w', 0o600);
    writeSync(this.fd, `${JSON.stringify(row)}\n`);
    this.buffered++;
  }

  /** Writes the buffered rows as a chunk and commits it with `cursor` (atomically). */
  async commit(cursor: unknown, opts: { final?: boolean; add?: { requests?: number; retries?: number; waits?: number; wait_ms?: number } } = {}): Promise<void> {
    const chunk = this.sync.nextChunkDir();
    const rows = this.buffered;
    if (this.fd !== undefined) {
      closeSync(this.fd);
      this.fd = undefined;
    }
    if (rows > 0) await this.writeParquet(chunk.dir, chunk.filePrefix);
    await this.sync.commitChunk({ final: opts.final ?? false, rows, cursor, add: { rows_written: rows, lines_read: rows, ...opts.add } });
    rmSync(this.file, { force: true });
    this.buffered = 0;
    this.file = join(this.ctx.paths.staging, this.sync.syncId, 'rows', `${this.stream.name}-${++this.seq}.jsonl`);
  }

  private async writeParquet(dir: string, prefix: string): Promise<void> {
    const cols = Object.entries(this.stream.columns);
    // Timestamps arrive as ISO strings with offsets: read as text, normalise to UTC.
    const readTypes = cols.map(([c, t]) => `${sqlString(c)}: ${sqlString(t === 'TIMESTAMP' ? 'VARCHAR' : t)}`).join(', ');
    const select = cols
      .map(([c, t]) => (t === 'TIMESTAMP' ? `timezone('UTC', try_cast(${sqlIdent(c)} as timestamptz)) as ${sqlIdent(c)}` : sqlIdent(c)))
      .join(', ');
    const ingested = new Date(this.ctx.clock.now()).toISOString();
    const dayExpr = this.stream.mode === 'events' && this.stream.timeColumn
      ? `coalesce(strftime(timezone('UTC', try_cast(${sqlIdent(this.stream.timeColumn)} as timestamptz)), '%Y-%m-%d'), ${sqlString(ingested.slice(0, 10))})`
      : sqlString(ingested.slice(0, 10));
    await this.ctx.engine.run(`
      copy (
        select ${select}, ${sqlString(this.ctx.instance)} as _instance, ${sqlString(this.sync.syncId)} as _sync_id,
               ${sqlString(ingested)}::timestamp as _ingested_at, ${dayExpr} as "day"
          from read_json(${sqlString(this.file)}, format = 'newline_delimited', columns = {${readTypes}}, maximum_object_size = 67108864)
      ) to ${sqlString(dir)} (format parquet, compression zstd, partition_by ("day"), filename_pattern ${sqlString(`${prefix}-{i}`)}, overwrite_or_ignore true)`);
  }
}
