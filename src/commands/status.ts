// `shadowscan status`: the last run of each instance and stream — status, rows, rejects, cursor.
import { Command } from 'commander';
import { createContext } from '../context.js';
import { readState } from '../store/state.js';
import { renderRows, jsonValue, type OutputFormat } from '../output/render.js';
import { formatOption, globals } from './common.js';

interface SyncRow {
  instance: string;
  stream: string;
  status: string;
  started_at: Date;
  finished_at: Date | null;
  lines_read: number;
  rows_written: number;
  rejects: number;
  /** Live sources: HTTP requests, retries (429s included), rate-control waits and their total ms. */
  requests: number;
  retries: number;
  waits: number;
  wait_ms: number;
  error: string | null;
  hint: string | null;
}

export interface StatusRow extends SyncRow {
  /** Responses that were 429 (throttled by the provider). */
  throttled: number;
  reject_examples: string[];
  cursor: unknown;
  files_tracked: number;
}

export function statusCommand(): Command {
  return new Command('status')
    .description('show the last run of every instance and stream')
    .addOption(formatOption())
    .addHelpText('after', `
Examples:
  shadowscan status
  shadowscan status --json | jq '.[] | select(.status != "ok")'`)
    .action(async (opts: { format?: OutputFormat }, cmd: Command) => {
      const ctx = createContext(globals(cmd));
      const rows = await readState(ctx.paths, async (db) => {
        const last = await db.all<SyncRow & { reject_examples: string; detail: string }>(
          `select instance, stream, status, started_at, finished_at, lines_read, rows_written, rejects, reject_examples,
                  requests, retries, waits, wait_ms, detail, error, hint
             from syncs qualify row_number() over (partition by instance, stream order by started_at desc, sync_id desc) = 1
            order by instance, stream`,
        );
        const cursors = await db.all<{ instance: string; stream: string; cursor: string }>('select instance, stream, cursor from cursors');
        const files = await db.all<{ instance: string; stream: string; n: number; offset_bytes: number }>(
          'select instance, stream, count(*) as n, sum(offset_bytes)::bigint as offset_bytes from file_cursors group by all',
        );
        return last.map((r): StatusRow => {
          const c = cursors.find((x) => x.instance === r.instance && x.stream === r.stream);
          const f = files.find((x) => x.instance === r.instance && x.stream === r.stream);
          const { detail, ...rest } = r;
          return {
            ...rest,
            throttled: Number((JSON.parse(detail) as { throttled?: number }).throttled ?? 0),
            reject_examples: JSON.parse(r.reject_examples) as string[],
            cursor: c ? JSON.parse(c.cursor) : f ? { files: f.n, bytes_consumed: f.offset_bytes } : null,
            files_tracked: f?.n ?? 0,
          };
        });
      }, [] as StatusRow[]);
      const format: OutputFormat = ctx.json ? 'json' : (opts.format ?? 'table');
      if (format === 'json') {
        process.stdout.write(`${JSON.stringify(rows.map((r) => jsonValue({ ...r })), null, 2)}\n`);
        return;
      }
      if (rows.length === 0) {
        process.stdout.write('nothing has been scanned or imported yet (try `shadowscan import squid <file>` or `shadowscan scan`)\n');
        return;
      }
      const table: Record<string, unknown>[] = rows.map((r) => ({ ...r, cursor: r.cursor ? JSON.stringify(r.cursor) : '' }));
      process.stdout.write(renderRows(table, ['instance', 'stream', 'status', 'finished_at', 'lines_read', 'rows_written', 'rejects', 'cursor', 'error'], format));
    });
}
