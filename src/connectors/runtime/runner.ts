// Runs the streams of one live instance: each stream gets its own sync, resumes an interrupted
// snapshot from its last committed cursor, and ends ok (complete), partial or failed with the
// error and what to do. A failing stream never stops the next one; a partial snapshot is never
// marked complete, so views keep showing the previous complete one.
import { join } from 'node:path';
import { sqlIdent, sqlString } from '../../db/duck.js';
import { ExternalError, errorMessage } from '../../errors.js';
import { safeExample } from '../../redact.js';
import { formatCount } from '../../output/progress.js';
import { withState } from '../../store/state.js';
import { SyncWriter } from '../../store/sync.js';
import type { RunContext, StreamDef, StreamRunResult } from '../types.js';
import type { RateController, RateStats } from './rate.js';
import { ApiStreamWriter } from './writer.js';
import { syncResult } from './result.js';

export interface StreamSync {
  writer: ApiStreamWriter;
  /** Last committed cursor: the events position, or the paging position of a resumed snapshot. */
  cursor: unknown;
  resumed: boolean;
  /** Commits buffered rows with a cursor; call every N pages so a crash loses little. */
  checkpoint(cursor: unknown): Promise<void>;
  /**
   * Rows this sync committed before it was interrupted (resumed syncs; [] otherwise), e.g. the
   * parents a resumed listing already passed, which a fan-out after it still needs.
   */
  committedRows(columns: string[]): Promise<Record<string, unknown>[]>;
  /** The cursor the stream's last sync committed (snapshots too), e.g. a delta link to continue from. */
  lastCursor: unknown;
  /**
   * Rows of this instance's latest complete snapshot of the stream (undefined if there is none),
   * for sources that send only changes (Graph delta queries) to build the next one from.
   */
  previousSnapshot(columns: string[]): Promise<Record<string, unknown>[] | undefined>;
  /**
   * Event streams: ids already committed for this instance and stream with `timeColumn` at or
   * after `since` (by any sync, this one's earlier chunks included), so a window read again —
   * an overlap, or the rest of a window a killed scan had started — stores nothing twice.
   */
  storedIds(idColumn: string, timeColumn: string, since: Date): Promise<Set<string>>;
}

export interface ApiStream {
  def: StreamDef;
  sync(s: StreamSync): Promise<{ cursor: unknown }>;
}

export async function runApiStreams(ctx: RunContext, connector: string, streams: ApiStream[], rate: RateController): Promise<StreamRunResult[]> {
  const results: StreamRunResult[] = [];
  for (const stream of streams) results.push(await runOne(ctx, connector, stream, rate));
  return results;
}

async function runOne(ctx: RunContext, connector: string, stream: ApiStream, rate: RateController): Promise<StreamRunResult> {
  const init = { instance: ctx.instance, stream: stream.def.name, connector, mode: stream.def.mode, origin: 'scan' as const };
  const previous = await withState(ctx.paths, async (db) => {
    const cursor = await db.one<{ cursor: string; sync_id: string | null }>('select cursor, sync_id from cursors where instance = ? and stream = ?', [ctx.instance, stream.def.name]);
    const interrupted = await db.one<{ sync_id: string }>(
      `select sync_id from syncs where instance = ? and stream = ? and status = 'interrupted' and not complete
        order by started_at desc limit 1`,
      [ctx.instance, stream.def.name],
    );
    return { cursor, interrupted };
  });
  const resume = stream.def.mode === 'snapshot' && previous.interrupted && previous.cursor?.sync_id === previous.interrupted.sync_id;
  const sync = resume
    ? await SyncWriter.resume(ctx.paths, ctx.clock, previous.interrupted!.sync_id, init)
    : await SyncWriter.begin(ctx.paths, ctx.clock, init);
  const cursor = stream.def.mode === 'events' || resume ? (previous.cursor ? JSON.parse(previous.cursor.cursor) : undefined) : undefined;
  const writer = new ApiStreamWriter(ctx, sync, stream.def);
  let mark = { ...rate.stats };
  // The controller is shared by the instance's streams: this stream's 429s are the difference.
  const throttledAtStart = rate.stats.throttled;
  const throttled = () => rate.stats.throttled - throttledAtStart;
  const delta = (): Partial<Record<'requests' | 'retries' | 'waits' | 'wait_ms', number>> => {
    const now: RateStats = { ...rate.stats };
    const d = { requests: now.requests - mark.requests, retries: now.retries - mark.retries, waits: now.waits - mark.waits, wait_ms: Math.round(now.waitMs - mark.waitMs) };
    mark = now;
    return d;
  };
  const api: StreamSync = {
    writer,
    cursor,
    resumed: !!resume,
    checkpoint: async (c) => {
      await writer.commit(c, { add: delta() });
      ctx.progress.update(`${ctx.instance}: ${stream.def.name}: ${formatCount(sync.counters.rows_written)} rows, ${formatCount(sync.counters.requests)} requests`);
    },
    lastCursor: previous.cursor ? JSON.parse(previous.cursor.cursor) : undefined,
    previousSnapshot: async (columns) => {
      const files = await withState(ctx.paths, async (db) => {
        const last = await db.one<{ sync_id: string }>(
          `select sync_id from syncs where instance = ? and stream = ? and complete and sync_id <> ? order by started_at desc, sync_id desc limit 1`,
          [ctx.instance, stream.def.name, sync.syncId],
        );
        if (!last) return undefined;
        const commits = await db.all<{ files: string }>('select files from commits where sync_id = ? order by chunk', [last.sync_id]);
        return commits.flatMap((c) => JSON.parse(c.files) as string[]).map((f) => join(ctx.paths.lake, f));
      });
      if (files === undefined) return undefined;
      if (files.length === 0) return [];
      return ctx.engine.all(`select ${columns.map(sqlIdent).join(', ')} from read_parquet([${files.map(sqlString).join(', ')}], union_by_name = true)`);
    },
    storedIds: async (idColumn, timeColumn, since) => {
      const files = await withState(ctx.paths, async (db) => {
        const commits = await db.all<{ files: string }>('select files from commits where instance = ? and stream = ?', [ctx.instance, stream.def.name]);
        return commits.flatMap((c) => JSON.parse(c.files) as string[]).map((f) => join(ctx.paths.lake, f));
      });
      if (files.length === 0) return new Set();
      const rows = await ctx.engine.all<{ id: string }>(
        `select distinct ${sqlIdent(idColumn)}::varchar as id from read_parquet([${files.map(sqlString).join(', ')}], union_by_name = true)
          where ${sqlIdent(timeColumn)} >= ${sqlString(since.toISOString().replace('T', ' ').replace('Z', ''))}::timestamp and ${sqlIdent(idColumn)} is not null`,
      );
      return new Set(rows.map((r) => r.id));
    },
    committedRows: async (columns) => {
      if (!resume) return [];
      const commits = await withState(ctx.paths, (db) => db.all<{ files: string }>('select files from commits where sync_id = ? order by chunk', [sync.syncId]));
      const files = commits.flatMap((c) => JSON.parse(c.files) as string[]).map((f) => join(ctx.paths.lake, f));
      if (files.length === 0) return [];
      return ctx.engine.all(`select ${columns.map(sqlIdent).join(', ')} from read_parquet([${files.map(sqlString).join(', ')}])`);
    },
  };
  try {
    const done = await stream.sync(api);
    await writer.commit(done.cursor, { final: true, add: delta() });
    await sync.finish('ok', { complete: true, detail: { throttled: throttled() } });
    return { ...result(ctx, stream.def, sync, 'ok'), throttled: throttled() };
  } catch (e) {
    const external = e instanceof ExternalError ? e : undefined;
    const message = safeExample(errorMessage(e), 1000);
    const hint = external?.hint ?? 'run `shadowscan doctor --instance ' + ctx.instance + '`; data committed so far is kept, and the next scan resumes';
    // Rows fetched since the last checkpoint are discarded: they belong to an unfinished page range.
    const status = sync.counters.rows_written > 0 ? 'partial' : 'failed';
    const d = delta();
    for (const [k, v] of Object.entries(d)) sync.counters[k as keyof typeof d] += v ?? 0;
    await sync.finish(status, { complete: false, error: message, hint, detail: { throttled: throttled() } });
    return { ...result(ctx, stream.def, sync, status), throttled: throttled(), error: message, hint };
  }
}

function result(_ctx: RunContext, _def: StreamDef, sync: SyncWriter, status: StreamRunResult['status']): StreamRunResult {
  const c = sync.counters;
  return syncResult(sync, status, { requests: c.requests, retries: c.retries, waits: c.waits, waitMs: c.wait_ms });
}
