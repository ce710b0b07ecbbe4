// Live sync of an Okta org: one ApiStream per raw stream. Snapshots page through users and
// apps, then fan out per app / per user for grants, checkpointing every N pages (or parents)
// with a cursor that lets an interrupted sync resume. The System Log runs in Okta's polling
// mode: the persisted cursor is the last `next` URL, followed verbatim, so every event is read
// once; a page shorter than the limit means "caught up".
import PQueue from 'p-queue';
import { ExternalError } from '../../src/errors.js';
import type { ApiStream, StreamSync } from '../../src/connectors/runtime/runner.js';
import type { Clock } from '../../src/clock.js';
import type { OktaConfig, oktaStreamNames } from './config.js';
import type { OktaHttp } from './client.js';
import { oktaStreams } from './streams.js';
import { appGrantRow, appRow, logEventRow, pick, userGrantRow, userRow } from './transform.js';

interface PagedCursor {
  next?: string;
  /** For per-parent fan-outs: index of the next parent to fetch. */
  parent?: number;
}

/** Follows `next` links from `first` (or a resumed cursor), checkpointing every `every` pages. */
async function pageThrough(
  http: OktaHttp,
  s: StreamSync,
  first: string,
  every: number,
  onItem: (item: unknown) => void,
): Promise<{ cursor: PagedCursor }> {
  const resumed = s.cursor as PagedCursor | undefined;
  let url: string | undefined = resumed?.next ?? first;
  const seen = new Map<string, number>();
  let pages = 0;
  while (url) {
    const visits = (seen.get(url) ?? 0) + 1;
    seen.set(url, visits);
    if (visits > 2) throw new ExternalError('okta', `pagination loop: ${new URL(url).pathname} returned the same next link again`, { hint: 'Okta returned an inconsistent page chain; run the scan again' });
    const { body, next } = await http.getPage(url);
    if (!Array.isArray(body)) throw new ExternalError('okta', `GET ${new URL(url).pathname}: expected a JSON array`, { hint: 'check orgUrl points at an Okta org' });
    for (const item of body) onItem(item);
    url = next;
    if (++pages % every === 0 && url) await s.checkpoint({ next: url } satisfies PagedCursor);
  }
  return { cursor: {} };
}

/** One request per parent (app or user), `concurrency` at a time, in parent order for checkpoints. */
async function fanOut<P>(
  parents: P[],
  s: StreamSync,
  every: number,
  concurrency: number,
  fetchOne: (p: P) => Promise<Record<string, unknown>[]>,
): Promise<{ cursor: PagedCursor }> {
  const start = (s.cursor as PagedCursor | undefined)?.parent ?? 0;
  const queue = new PQueue({ concurrency });
  for (let from = start; from < parents.length; from += every) {
    const batch = parents.slice(from, from + every);
    const rows = await Promise.all(batch.map((p) => queue.add(() => fetchOne(p))));
    for (const list of rows) for (const r of list ?? []) s.writer.add(r);
    if (from + every < parents.length) await s.checkpoint({ parent: from + every } satisfies PagedCursor);
  }
  return { cursor: {} };
}

export function oktaLiveStreams(http: OktaHttp, config: OktaConfig, clock: Clock): ApiStream[] {
  const wanted = new Set<(typeof oktaStreamNames)[number]>(config.streams ?? ['users', 'apps', 'app_grants', 'user_grants', 'system_log']);
  const users: { id: string; login: string | null }[] = [];
  const apps: string[] = [];
  const limit = config.page_size;
  const every = config.checkpoint_pages;
  const streams: ApiStream[] = [];
  // A fan-out over an incomplete parent list would look like a complete, smaller snapshot.
  const listed = { users: false, apps: false };
  const requireListed = (parent: 'users' | 'apps', stream: string) => {
    if (!listed[parent]) throw new ExternalError('okta', `${stream} not synced: the ${parent} listing did not complete`, { hint: `fix the ${parent} stream's error first` });
  };

  // Users and apps are listed even when not stored, since the grant fan-outs need them.
  const needUsers = wanted.has('users') || wanted.has('user_grants');
  const needApps = wanted.has('apps') || wanted.has('app_grants');
  if (needUsers) {
    streams.push({
      def: oktaStreams.users,
      sync: async (s) => {
        const done = await pageThrough(http, s, `/api/v1/users?limit=${limit}`, every, (u) => {
          const row = userRow(u);
          if (row.id) users.push({ id: row.id, login: row.login });
          if (wanted.has('users')) s.writer.add(row);
        });
        listed.users = !s.resumed;
        return done;
      },
    });
  }
  if (needApps) {
    streams.push({
      def: oktaStreams.apps,
      sync: async (s) => {
        const done = await pageThrough(http, s, `/api/v1/apps?limit=${limit}`, every, (a) => {
          const row = appRow(a);
          if (row.id) apps.push(row.id);
          if (wanted.has('apps')) s.writer.add(row);
        });
        listed.apps = !s.resumed;
        return done;
      },
    });
  }
  if (wanted.has('app_grants')) {
    streams.push({
      def: oktaStreams.app_grants,
      sync: (s) => {
        requireListed('apps', 'app_grants');
        return fanOut(apps, s, every * 10, 4, async (appId) => {
          const rows: Record<string, unknown>[] = [];
          await collectAll(http, `/api/v1/apps/${encodeURIComponent(appId)}/grants?expand=scope&limit=${limit}`, (g) => rows.push(appGrantRow(g, appId)));
          return rows;
        });
      },
    });
  }
  if (wanted.has('user_grants')) {
    streams.push({
      def: oktaStreams.user_grants,
      sync: (s) => {
        requireListed('users', 'user_grants');
        return fanOut(users, s, every * 10, 4, async (u) => {
          const rows: Record<string, unknown>[] = [];
          await collectAll(http, `/api/v1/users/${encodeURIComponent(u.id)}/grants?expand=scope&limit=${limit}`, (g) => rows.push(userGrantRow(g, u.id)));
          return rows;
        });
      },
    });
  }
  if (wanted.has('system_log')) {
    streams.push({
      def: oktaStreams.system_log,
      async sync(s) {
        const saved = s.cursor as PagedCursor | undefined;
        const since = new Date(clock.now() - config.logs.since_days * 86_400_000).toISOString();
        let url: string = saved?.next ?? `/api/v1/logs?since=${encodeURIComponent(since)}&sortOrder=ASCENDING&limit=${config.logs.page_size}`;
        let pages = 0;
        for (;;) {
          const { body, next } = await http.getPage(url);
          if (!Array.isArray(body)) throw new ExternalError('okta', 'GET /api/v1/logs: expected a JSON array', { hint: 'check orgUrl' });
          for (const e of body) {
            if (e === null) continue; // defensive: the SDK iterator yields nulls on empty polling pages
            const row = logEventRow(e);
            if (row.uuid) s.writer.add(row);
          }
          if (!next) throw new ExternalError('okta', 'GET /api/v1/logs: no rel="next" link in polling mode', { hint: 'Okta always sends one in polling mode; check a proxy is not stripping Link headers' });
          const caughtUp = body.length < pageSizeOf(url, config.logs.page_size);
          url = next;
          if (caughtUp) return { cursor: { next: url } satisfies PagedCursor };
          if (++pages % every === 0) await s.checkpoint({ next: url } satisfies PagedCursor);
        }
      },
    });
  }
  return streams;
}

async function collectAll(http: OktaHttp, first: string, onItem: (item: unknown) => void): Promise<void> {
  let url: string | undefined = first;
  let pages = 0;
  while (url) {
    const { body, next } = await http.getPage(url);
    if (!Array.isArray(body)) throw new ExternalError('okta', `GET ${new URL(url, http.orgUrl).pathname}: expected a JSON array`, { hint: 'check orgUrl' });
    for (const item of body) onItem(item);
    url = next;
    if (++pages > 10_000) throw new ExternalError('okta', 'more than 10,000 pages for one parent', { hint: 'report this; it looks like a pagination loop' });
  }
}

function pageSizeOf(url: string, fallback: number): number {
  try {
    const n = Number(new URL(url, 'http://x').searchParams.get('limit'));
    return Number.isFinite(n) && n > 0 ? n : fallback;
  } catch {
    return fallback;
  }
}

export { pick };
