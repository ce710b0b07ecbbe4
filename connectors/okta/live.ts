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
  /** For listings made of several sequences (users: everyone, then DEPROVISIONED): which one. */
  part?: number;
  /** For per-parent fan-outs: id of the next parent to fetch (parents are taken in id order). */
  next_parent?: string;
}

/**
 * Follows `next` links from each of `firsts` in turn (or from a resumed cursor), checkpointing
 * every `every` pages.
 */
async function pageThrough(
  http: OktaHttp,
  s: StreamSync,
  firsts: string[],
  every: number,
  onItem: (item: unknown) => void,
): Promise<{ cursor: PagedCursor }> {
  const resumed = s.cursor as PagedCursor | undefined;
  let pages = 0;
  for (let part = resumed?.part ?? 0; part < firsts.length; part++) {
    let url: string | undefined = resumed?.next && part === (resumed.part ?? 0) ? onOrg(http, resumed.next) : firsts[part];
    const seen = new Map<string, number>();
    while (url) {
      const visits = (seen.get(url) ?? 0) + 1;
      seen.set(url, visits);
      if (visits > 2) throw new ExternalError('okta', `pagination loop: ${new URL(url, http.orgUrl).pathname} returned the same next link again`, { hint: 'Okta returned an inconsistent page chain; run the scan again' });
      const { body, next } = await http.getPage(url);
      if (!Array.isArray(body)) throw new ExternalError('okta', `GET ${new URL(url, http.orgUrl).pathname}: expected a JSON array`, { hint: 'check orgUrl points at an Okta org' });
      for (const item of body) onItem(item);
      url = next;
      if (++pages % every === 0) {
        if (url) await s.checkpoint({ part, next: url } satisfies PagedCursor);
        else if (part + 1 < firsts.length) await s.checkpoint({ part: part + 1 } satisfies PagedCursor);
      }
    }
  }
  return { cursor: {} };
}

/**
 * One request per parent (app or user), `concurrency` at a time. Parents are taken in id order
 * and the cursor names the next parent's id, so a resumed fan-out continues at the right place
 * however the parent list was assembled (fresh listing, or a resumed one) and even if parents
 * were added or removed in between.
 */
async function fanOut<P>(
  parents: P[],
  keyOf: (p: P) => string,
  s: StreamSync,
  every: number,
  concurrency: number,
  fetchOne: (p: P) => Promise<Record<string, unknown>[]>,
): Promise<{ cursor: PagedCursor }> {
  // Sorted and unique (a page served twice must not fetch a parent's grants twice).
  const sorted = [...parents]
    .sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0))
    .filter((p, i, all) => i === 0 || keyOf(p) !== keyOf(all[i - 1] as P));
  const resumeAt = (s.cursor as PagedCursor | undefined)?.next_parent;
  const start = resumeAt === undefined ? 0 : sorted.findIndex((p) => keyOf(p) >= resumeAt);
  if (start < 0) return { cursor: {} };
  const queue = new PQueue({ concurrency });
  for (let from = start; from < sorted.length; from += every) {
    const batch = sorted.slice(from, from + every);
    const rows = await Promise.all(batch.map((p) => queue.add(() => fetchOne(p))));
    for (const list of rows) for (const r of list ?? []) s.writer.add(r);
    const next = sorted[from + every];
    if (next !== undefined) await s.checkpoint({ next_parent: keyOf(next) } satisfies PagedCursor);
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

  // The per-user grants fan-out covers users who can use their grants: a deactivated
  // (DEPROVISIONED) user can no longer reach any app, and skipping them keeps the fan-out at one
  // request per usable account.
  const addUser = (r: { id: unknown; login: unknown; status: unknown }) => {
    if (r.id && r.status !== 'DEPROVISIONED') users.push({ id: String(r.id), login: (r.login as string | null) ?? null });
  };
  const usersUrl = `/api/v1/users?limit=${limit}`;
  const appsUrl = `/api/v1/apps?limit=${limit}`;

  if (wanted.has('users')) {
    streams.push({
      def: oktaStreams.users,
      sync: async (s) => {
        // A resumed sync pages on from its cursor: its parents so far are in the committed rows.
        if (s.resumed) for (const r of await s.committedRows(['id', 'login', 'status'])) addUser(r as never);
        // Okta leaves DEPROVISIONED users out of a plain listing; departed people matter here
        // (norm.people status, their past sign-ins), so they are listed too, by filter.
        const firsts = [usersUrl, `${usersUrl}&filter=${encodeURIComponent('status eq "DEPROVISIONED"')}`];
        const done = await pageThrough(http, s, firsts, every, (u) => {
          const row = userRow(u);
          addUser(row);
          s.writer.add(row);
        });
        listed.users = true;
        return done;
      },
    });
  }
  if (wanted.has('apps')) {
    streams.push({
      def: oktaStreams.apps,
      sync: async (s) => {
        if (s.resumed) for (const r of await s.committedRows(['id'])) apps.push(String(r.id));
        const done = await pageThrough(http, s, [appsUrl], every, (a) => {
          const row = appRow(a);
          if (row.id) apps.push(row.id);
          s.writer.add(row);
        });
        listed.apps = true;
        return done;
      },
    });
  }
  // A grants stream configured without its parent stream lists the parents itself, storing
  // nothing (a users/apps sync with no rows would be shown as a complete, empty snapshot).
  const listParents = async (parent: 'users' | 'apps') => {
    if (listed[parent] || wanted.has(parent)) return;
    if (parent === 'users') await collectAll(http, usersUrl, (u) => addUser(userRow(u)));
    else await collectAll(http, appsUrl, (a) => {
      const id = appRow(a).id;
      if (id) apps.push(id);
    });
    listed[parent] = true;
  };
  if (wanted.has('app_grants')) {
    streams.push({
      def: oktaStreams.app_grants,
      sync: async (s) => {
        await listParents('apps');
        requireListed('apps', 'app_grants');
        return fanOut(apps, (id) => id, s, every * 10, 4, async (appId) => {
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
      sync: async (s) => {
        await listParents('users');
        requireListed('users', 'user_grants');
        return fanOut(users, (u) => u.id, s, every * 10, 4, async (u) => {
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
        let url: string = saved?.next ? onOrg(http, saved.next) : `/api/v1/logs?since=${encodeURIComponent(since)}&sortOrder=ASCENDING&limit=${config.logs.page_size}`;
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

/**
 * A saved cursor URL moved onto the configured org URL: the path and query (Okta's opaque
 * `after`) are kept, the origin follows the config, so changing orgUrl (e.g. to a custom
 * domain, or a proxy port) does not strand the cursor.
 */
export function onOrg(http: OktaHttp, saved: string): string {
  try {
    const u = new URL(saved);
    return `${http.orgUrl}${u.pathname}${u.search}`;
  } catch {
    return saved;
  }
}
