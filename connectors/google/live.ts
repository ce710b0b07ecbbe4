// Live sync of a Google Workspace domain: one ApiStream per raw stream.
//   users           users.list, paged, checkpointed every N pages (cursor: the next pageToken).
//   tokens          tokens.list once per user (unpaged), `concurrency` at a time on p-queue, in
//                   user-id order, committed every N users with the next user's id as cursor, so
//                   a killed scan resumes after the last committed user and never asks for a
//                   committed user's tokens again (only the batch in flight at the kill is
//                   asked again). The next batch is fetched while one commits. Progress: users
//                   done of users listed.
//   *_activity      Reports activities.list for `token` and `login`, incremental by startTime:
//                   each sync starts `overlap_minutes` before the newest event it has (late events
//                   arrive there) and drops events already stored — checked against the committed
//                   lake files of that window — so overlapping windows store every event once.
import PQueue from 'p-queue';
import { ExternalError } from '../../src/errors.js';
import { formatCount } from '../../src/output/progress.js';
import { sqlString } from '../../src/db/duck.js';
import { committedFiles, readState, type CommittedFile } from '../../src/store/state.js';
import type { ApiStream, StreamSync } from '../../src/connectors/runtime/runner.js';
import type { RunContext } from '../../src/connectors/types.js';
import { join } from 'node:path';
import { GOOGLE_SCOPES, googleStreamNames, type GoogleConfig, type GoogleStreamName } from './config.js';
import { describeGoogleError, type GoogleApis } from './client.js';
import { googleStreams } from './streams.js';
import { activityRows, tokenRow, userRow } from './transform.js';

const DAY = 86_400_000;

interface UsersCursor {
  pageToken?: string;
}
interface FanOutCursor {
  next_user?: string;
}
interface ActivityCursor {
  /** Newest event time stored (ISO); the next sync starts `overlap` before it. */
  hwm?: string;
  /** Where an unfinished first sync started (so a retry starts there too). */
  since?: string;
}

interface ListedUser {
  id: string;
  email: string | null;
}

export function googleLiveStreams(ctx: RunContext, apis: GoogleApis, config: GoogleConfig): ApiStream[] {
  const wanted = new Set<GoogleStreamName>(config.streams ?? googleStreamNames);
  const users: ListedUser[] = [];
  let listed = false;
  const every = config.checkpoint_every;
  const streams: ApiStream[] = [];
  const call = async <T>(what: string, stream: GoogleStreamName, scope: string, fn: () => Promise<T>): Promise<T> => {
    try {
      return await fn();
    } catch (e) {
      throw describeGoogleError(e, { what, stream, scope, apis });
    }
  };

  /** Pages through users.list; `onUser` gets each user; checkpoints when `s` is given. */
  const listUsers = async (stream: GoogleStreamName, onUser: (u: unknown) => void, s?: StreamSync) => {
    const dir = apis.directory(GOOGLE_SCOPES.users);
    let pageToken = s?.resumed ? (s.cursor as UsersCursor | undefined)?.pageToken : undefined;
    if (s?.resumed && !pageToken) return; // the resumed listing had reached its end
    const seen = new Set<string>();
    let pages = 0;
    for (;;) {
      const res = await call('GET /admin/directory/v1/users', stream, GOOGLE_SCOPES.users, () =>
        dir.users.list({ customer: config.customer, maxResults: config.page_size, pageToken, projection: 'basic' }),
      );
      // Google leaves `users` out of an empty page.
      for (const u of res.data.users ?? []) onUser(u);
      const next = res.data.nextPageToken ?? undefined;
      if (next && seen.has(next)) throw new ExternalError('google', 'users.list returned the same nextPageToken twice (pagination loop)', { hint: 'run the scan again' });
      if (next) seen.add(next);
      pageToken = next;
      if (!pageToken) return;
      if (s && ++pages % every === 0) await s.checkpoint({ pageToken } satisfies UsersCursor);
    }
  };
  const addUser = (row: { id: string | null; primary_email: string | null }) => {
    if (row.id) users.push({ id: row.id, email: row.primary_email });
  };

  if (wanted.has('users')) {
    streams.push({
      def: googleStreams.users,
      sync: async (s) => {
        if (s.resumed) for (const r of await s.committedRows(['id', 'primary_email'])) addUser(r as never);
        await listUsers('users', (u) => {
          const row = userRow(u);
          addUser(row);
          s.writer.add(row);
        }, s);
        listed = true;
        return { cursor: {} };
      },
    });
  }

  if (wanted.has('tokens')) {
    streams.push({
      def: googleStreams.tokens,
      sync: async (s) => {
        // Without the users stream, list users without storing them (a users sync with no rows
        // would be shown as a complete, empty snapshot).
        if (!wanted.has('users') && !listed) {
          await listUsers('tokens', (u) => addUser(userRow(u)));
          listed = true;
        }
        if (!listed) throw new ExternalError('google', 'tokens not synced: the users listing did not complete', { hint: "fix the users stream's error first" });
        // Sorted and unique: a page served twice must not fetch a user's tokens twice.
        const sorted = [...users].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).filter((u, i, all) => i === 0 || u.id !== all[i - 1]!.id);
        const resumeAt = (s.cursor as FanOutCursor | undefined)?.next_user;
        const start = resumeAt === undefined ? 0 : sorted.findIndex((u) => u.id >= resumeAt);
        if (start < 0) return { cursor: {} };
        const dir = apis.directory(GOOGLE_SCOPES.tokens);
        const queue = new PQueue({ concurrency: config.concurrency });
        const fetchTokens = async (u: ListedUser) => {
          try {
            const res = await dir.tokens.list({ userKey: u.id });
            return (res.data.items ?? []).map((t) => tokenRow(t, u));
          } catch (e) {
            // Deleted between the listing and now: the user has no tokens any more.
            if ((e as { status?: number }).status === 404) return [];
            throw describeGoogleError(e, { what: `GET /admin/directory/v1/users/${u.id}/tokens`, stream: 'tokens', scope: GOOGLE_SCOPES.tokens, apis });
          }
        };
        // Pipelined: the next batch is being fetched while this one commits (its rows are held
        // back until the commit is done, so a commit holds exactly the users before its cursor).
        const fetchBatch = (from: number) => Promise.all(sorted.slice(from, from + every).map((u) => queue.add(() => fetchTokens(u))));
        let pending = fetchBatch(start);
        // A failing batch fetched ahead must not become an unhandled rejection while we commit.
        pending.catch(() => undefined);
        for (let from = start; from < sorted.length; from += every) {
          const rows = await pending;
          const next = sorted[from + every];
          if (next !== undefined) {
            pending = fetchBatch(from + every);
            pending.catch(() => undefined);
          }
          for (const list of rows) for (const r of list ?? []) s.writer.add(r);
          const done = Math.min(sorted.length, from + every);
          ctx.progress.update(`${ctx.instance}: tokens: ${formatCount(done)} of ${formatCount(sorted.length)} users`);
          if (next !== undefined) await s.checkpoint({ next_user: next.id } satisfies FanOutCursor);
        }
        return { cursor: {} };
      },
    });
  }

  for (const [stream, applicationName] of [['token_activity', 'token'], ['login_activity', 'login']] as const) {
    if (!wanted.has(stream)) continue;
    streams.push({
      def: googleStreams[stream],
      sync: async (s) => {
        const saved = (s.cursor ?? {}) as ActivityCursor;
        const now = ctx.clock.now();
        // Google keeps 180 days; ask for a little less so a slow clock does not get a 400.
        const floor = now - 180 * DAY + DAY;
        const overlapMs = config.reports.overlap_minutes * 60_000;
        const startMs = Math.max(floor, saved.hwm ? Date.parse(saved.hwm) - overlapMs : saved.since ? Date.parse(saved.since) : now - config.reports.since_days * DAY);
        const startTime = new Date(startMs).toISOString();
        const stored = await storedEventIds(ctx, stream, startTime);
        const reports = apis.reports();
        const keep: ActivityCursor = saved.hwm ? { hwm: saved.hwm } : { since: startTime };
        let newest = saved.hwm;
        let pageToken: string | undefined;
        const tokens = new Set<string>();
        let pages = 0;
        for (;;) {
          const res = await call(`GET /admin/reports/v1/activity/users/all/applications/${applicationName}`, stream, GOOGLE_SCOPES.reports, () =>
            reports.activities.list({ userKey: 'all', applicationName, startTime, maxResults: config.reports.page_size, pageToken }),
          );
          for (const item of res.data.items ?? []) {
            for (const row of activityRows(item)) {
              if (!row.event_id || !row.time || stored.has(row.event_id)) continue;
              stored.add(row.event_id);
              s.writer.add(row);
              if (!newest || row.time > newest) newest = row.time;
            }
          }
          const next = res.data.nextPageToken ?? undefined;
          if (!next) break;
          if (tokens.has(next)) {
            // A page served twice (its events were skipped as already seen); a third time is a loop.
            throw new ExternalError('google', `activities.list (${applicationName}) returned the same nextPageToken again`, { hint: 'run the scan again; events stored so far are kept' });
          }
          tokens.add(next);
          pageToken = next;
          // Newest first: until the last page, the high-water mark cannot move (older pages are
          // still unread), so chunks commit with the previous cursor.
          if (++pages % every === 0) await s.checkpoint(keep);
        }
        return { cursor: newest ? ({ hwm: newest } satisfies ActivityCursor) : keep };
      },
    });
  }
  return streams;
}

/** event_ids this instance already stored for `stream` at or after `sinceIso` (committed files only). */
async function storedEventIds(ctx: RunContext, stream: string, sinceIso: string): Promise<Set<string>> {
  const commits = await readState(ctx.paths, committedFiles, [] as CommittedFile[]);
  const sinceDay = sinceIso.slice(0, 10);
  const files = commits
    .filter((c) => c.instance === ctx.instance && c.connector === 'google' && c.stream === stream)
    .flatMap((c) => c.files)
    .filter((f) => (/day=(\d{4}-\d{2}-\d{2})/.exec(f)?.[1] ?? '9999') >= sinceDay)
    .map((f) => join(ctx.paths.lake, f));
  if (files.length === 0) return new Set();
  const rows = await ctx.engine.all<{ event_id: string }>(
    `select event_id from read_parquet([${files.map(sqlString).join(', ')}]) where time >= ${sqlString(sinceIso.replace('T', ' ').replace('Z', ''))}::timestamp`,
  );
  return new Set(rows.map((r) => r.event_id));
}
