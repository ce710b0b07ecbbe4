// Live sync of an Entra tenant: one ApiStream per raw stream. Directory snapshots follow
// Graph's @odata.nextLink verbatim, checkpointing every N pages with the next link as the
// cursor (a crashed snapshot resumes there). App role assignments walk `appRoleAssignedTo` on
// every resource service principal that defines app roles (Microsoft Graph, Exchange, the
// tenant's own APIs). Sign-ins and directory audits are read by time window: from the last
// high-water mark minus an overlap, up to the sync's start; Graph returns them newest first, so
// the mark advances only after the whole window was read, and ids already stored from the
// overlap are skipped (nothing is stored twice).
import { ExternalError } from '../../src/errors.js';
import type { ApiStream, StreamSync } from '../../src/connectors/runtime/runner.js';
import { RateController, defaultRateOptions } from '../../src/connectors/runtime/rate.js';
import { runApiStreams } from '../../src/connectors/runtime/runner.js';
import type { Clock } from '../../src/clock.js';
import type { RunContext, StreamRunResult } from '../../src/connectors/types.js';
import type { EntraConfig } from './config.js';
import { createEntraHttp, graphRatePolicy, type EntraHttp, type GraphPage } from './client.js';
import { entraStreams, type EntraStreamName } from './streams.js';
import {
  appRoleAssignmentRow, applicationRow, credentialRows, directoryAuditRow, oauth2PermissionGrantRow, servicePrincipalRow, signInRow, userRow,
} from './transform.js';

export async function scanEntra(ctx: RunContext, config: EntraConfig): Promise<StreamRunResult[]> {
  const rate = new RateController(graphRatePolicy(config), ctx.rateClock ?? ctx.clock, {
    ...defaultRateOptions,
    share: config.rate_share,
    maxRetries: config.max_retries,
    baseBackoffMs: config.backoff_ms,
  });
  const http = createEntraHttp(config, ctx.secrets, rate);
  return runApiStreams(ctx, 'entra', entraLiveStreams(http, config, ctx.clock), rate);
}

interface PagedCursor {
  next?: string;
  /** Which of several listings (app_credentials: applications, then service principals). */
  part?: number;
  /** app_role_assignments: the resource SP being walked, and the next link inside it. */
  resource?: string;
}

/** Time-window cursor of an event stream. */
export interface WindowCursor {
  /** High-water mark: the newest event time read (ISO). */
  hwm?: string;
  /** Ids of events at or after hwm − overlap: the next window re-reads them and skips them. */
  seen?: string[];
}

const USER_SELECT = 'id,userPrincipalName,mail,displayName,givenName,surname,department,jobTitle,accountEnabled,userType,createdDateTime,deletedDateTime,otherMails,proxyAddresses,onPremisesSamAccountName';

async function pageThrough(http: EntraHttp, s: StreamSync, firsts: string[], every: number, onItem: (item: unknown, part: number) => void): Promise<{ cursor: PagedCursor }> {
  const resumed = s.cursor as PagedCursor | undefined;
  let pages = 0;
  for (let part = resumed?.part ?? 0; part < firsts.length; part++) {
    let url: string | undefined = resumed?.next && part === (resumed.part ?? 0) ? resumed.next : firsts[part];
    const seen = new Map<string, number>();
    while (url) {
      const visits = (seen.get(url) ?? 0) + 1;
      seen.set(url, visits);
      if (visits > 2) throw new ExternalError('entra', `pagination loop: ${new URL(url, http.graphUrl).pathname} returned the same @odata.nextLink again`, { hint: 'Graph returned an inconsistent page chain; run the scan again' });
      const page = await http.getPage(url);
      for (const item of page.value) onItem(item, part);
      url = page.next;
      if (++pages % every === 0) {
        if (url) await s.checkpoint({ part, next: url } satisfies PagedCursor);
        else if (part + 1 < firsts.length) await s.checkpoint({ part: part + 1 } satisfies PagedCursor);
      }
    }
  }
  return { cursor: {} };
}

/** Cursor of the service principals stream after a complete sync: where the delta query continues. */
interface DeltaCursor extends PagedCursor {
  deltaLink?: string;
  /** When the delta link was issued (ISO); directory delta links expire after 7 days. */
  at?: string;
}

const DELTA_LIFETIME_MS = 7 * 86_400_000 - 3_600_000; // an hour's margin

/**
 * Service principals through the delta query: the first sync (or one after the link expired:
 * 410 resyncRequired) reads `/servicePrincipals/delta` in full and keeps its deltaLink; later
 * syncs fetch only the changes and write the previous complete snapshot with them applied
 * (`@removed` objects dropped, changed ones replaced, their missing properties kept), so every
 * sync is still a complete snapshot and an app deleted at the provider leaves the views.
 */
async function syncServicePrincipals(
  http: EntraHttp,
  s: StreamSync,
  top: number,
  every: number,
  clock: Clock,
  add: (row: ReturnType<typeof servicePrincipalRow>) => void,
): Promise<{ cursor: DeltaCursor }> {
  const saved = s.lastCursor as DeltaCursor | undefined;
  const now = clock.now();
  if (!s.resumed && saved?.deltaLink && saved.at && now - Date.parse(saved.at) < DELTA_LIFETIME_MS) {
    const changes: unknown[] = [];
    let link: string | undefined;
    let resync = false;
    try {
      let url: string | undefined = saved.deltaLink;
      for (let pages = 0; url; pages++) {
        if (pages > 100_000) throw new ExternalError('entra', 'more than 100,000 delta pages', { hint: 'report this; it looks like a pagination loop' });
        const page = await http.getPage(url);
        changes.push(...page.value);
        link = page.delta ?? link;
        url = page.next;
      }
    } catch (e) {
      // 410 Gone / resyncRequired / syncStateNotFound: the link expired; start over in full.
      if (!(e instanceof ExternalError && /HTTP 410|resyncRequired|syncStateNotFound/.test(e.message))) throw e;
      resync = true;
    }
    const columns = Object.keys(entraStreams.service_principals.columns);
    const previous = resync ? undefined : await s.previousSnapshot(columns);
    if (!resync && previous && link) {
      const byId = new Map(previous.map((r) => [String(r.id), r]));
      for (const c of changes) {
        const id = servicePrincipalRow(c).id;
        if (!id) continue;
        if ((c as Record<string, unknown>)['@removed'] !== undefined) byId.delete(id);
        else {
          const row = servicePrincipalRow(c) as Record<string, unknown>;
          const before = byId.get(id) ?? {};
          byId.set(id, Object.fromEntries(columns.map((k) => [k, row[k] ?? before[k] ?? null])));
        }
      }
      for (const r of byId.values()) add(r as ReturnType<typeof servicePrincipalRow>);
      return { cursor: { deltaLink: link, at: new Date(now).toISOString() } };
    }
  }
  // Full round (or a resumed one: the paging cursor continues it).
  const resumed = s.resumed ? (s.cursor as PagedCursor | undefined) : undefined;
  let url: string | undefined = resumed?.next ?? `/v1.0/servicePrincipals/delta?$top=${top}`;
  let link: string | undefined;
  const seen = new Set<string>();
  for (let pages = 1; url; pages++) {
    if (seen.has(url)) throw new ExternalError('entra', 'pagination loop: /v1.0/servicePrincipals/delta returned the same @odata.nextLink again', { hint: 'Graph returned an inconsistent page chain; run the scan again' });
    seen.add(url);
    const page = await http.getPage(url);
    for (const sp of page.value) if ((sp as Record<string, unknown>)['@removed'] === undefined) add(servicePrincipalRow(sp));
    link = page.delta;
    url = page.next;
    if (url && pages % every === 0) await s.checkpoint({ next: url } satisfies PagedCursor);
  }
  return { cursor: link ? { deltaLink: link, at: new Date(now).toISOString() } : {} };
}

async function collectAll(http: EntraHttp, first: string, onItem: (item: unknown) => void): Promise<void> {
  let url: string | undefined = first;
  let pages = 0;
  while (url) {
    const page = await http.getPage(url);
    for (const item of page.value) onItem(item);
    url = page.next;
    if (++pages > 100_000) throw new ExternalError('entra', 'more than 100,000 pages in one listing', { hint: 'report this; it looks like a pagination loop' });
  }
}

export function entraLiveStreams(http: EntraHttp, config: EntraConfig, clock: Clock): ApiStream[] {
  const all = Object.keys(entraStreams) as EntraStreamName[];
  const wanted = new Set<EntraStreamName>((config.streams as EntraStreamName[] | undefined) ?? all);
  const top = config.page_size;
  const every = config.checkpoint_pages;
  const streams: ApiStream[] = [];
  // Resource service principals (those defining app roles), for the app role assignment walk.
  const resources: { id: string; roles: number }[] = [];
  let spsListed = false;
  const spsUrl = `/v1.0/servicePrincipals?$top=${top}`;
  const noteSp = (row: ReturnType<typeof servicePrincipalRow>) => {
    if (row.id && row.app_roles.length > 0) resources.push({ id: row.id, roles: row.app_roles.length });
  };

  if (wanted.has('users')) {
    streams.push({ def: entraStreams.users, sync: (s) => pageThrough(http, s, [`/v1.0/users?$top=${top}&$select=${USER_SELECT}`], every, (u) => s.writer.add(userRow(u))) });
  }
  if (wanted.has('service_principals')) {
    streams.push({
      def: entraStreams.service_principals,
      sync: async (s) => {
        if (s.resumed) {
          for (const r of await s.committedRows(['id', 'app_roles'])) {
            const roles = r.app_roles as unknown[] | null;
            if (r.id && roles?.length) resources.push({ id: String(r.id), roles: roles.length });
          }
        }
        const done = await syncServicePrincipals(http, s, top, every, clock, (row) => {
          noteSp(row);
          s.writer.add(row);
        });
        spsListed = true;
        return done;
      },
    });
  }
  if (wanted.has('applications')) {
    streams.push({ def: entraStreams.applications, sync: (s) => pageThrough(http, s, [`/v1.0/applications?$top=${top}`], every, (a) => s.writer.add(applicationRow(a))) });
  }
  if (wanted.has('app_credentials')) {
    streams.push({
      def: entraStreams.app_credentials,
      sync: (s) => {
        const select = '$select=id,appId,passwordCredentials,keyCredentials';
        const firsts = [`/v1.0/applications?$top=${top}&${select}`, `/v1.0/servicePrincipals?$top=${top}&${select}`];
        return pageThrough(http, s, firsts, every, (o, part) => {
          for (const row of credentialRows(o, part === 0 ? 'application' : 'service_principal')) s.writer.add(row);
        });
      },
    });
  }
  if (wanted.has('oauth2_permission_grants')) {
    streams.push({ def: entraStreams.oauth2_permission_grants, sync: (s) => pageThrough(http, s, [`/v1.0/oauth2PermissionGrants?$top=${top}`], every, (g) => s.writer.add(oauth2PermissionGrantRow(g))) });
  }
  if (wanted.has('app_role_assignments')) {
    streams.push({
      def: entraStreams.app_role_assignments,
      sync: async (s) => {
        if (!spsListed) {
          if (wanted.has('service_principals')) throw new ExternalError('entra', 'app_role_assignments not synced: the service principals listing did not complete', { hint: "fix the service_principals stream's error first" });
          // Configured without its parent: list the resource SPs, storing nothing.
          await collectAll(http, spsUrl, (sp) => noteSp(servicePrincipalRow(sp)));
          spsListed = true;
        }
        const sorted = [...new Map(resources.map((r) => [r.id, r])).values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
        const resumed = s.cursor as PagedCursor | undefined;
        const start = resumed?.resource ? sorted.findIndex((r) => r.id >= (resumed.resource as string)) : 0;
        if (start < 0) return { cursor: {} };
        let pages = 0;
        for (let k = start; k < sorted.length; k++) {
          const res = sorted[k] as { id: string };
          let url: string | undefined = resumed?.resource === res.id && resumed.next ? resumed.next : `/v1.0/servicePrincipals/${encodeURIComponent(res.id)}/appRoleAssignedTo?$top=${top}`;
          while (url) {
            const page = await http.getPage(url);
            for (const a of page.value) s.writer.add(appRoleAssignmentRow(a));
            url = page.next;
            if (++pages % every === 0) {
              const nextRes = url ? res.id : sorted[k + 1]?.id;
              if (nextRes) await s.checkpoint({ resource: nextRes, next: url } satisfies PagedCursor);
            }
          }
        }
        return { cursor: {} };
      },
    });
  }
  if (wanted.has('directory_audits')) {
    streams.push({
      def: entraStreams.directory_audits,
      sync: async (s) => {
        const cursor = await readWindow(http, s, {
          path: '/v1.0/auditLogs/directoryAudits', field: 'activityDateTime', top: Math.min(999, config.directory_audits.page_size),
          saved: s.cursor as WindowCursor | undefined, sinceDays: config.directory_audits.since_days, overlapMin: config.directory_audits.overlap_minutes, clock, every,
          row: directoryAuditRow, idOf: (r) => r.id, timeOf: (r) => r.activity_date_time,
        });
        return { cursor };
      },
    });
  }
  if (wanted.has('sign_ins')) {
    streams.push({
      def: entraStreams.sign_ins,
      sync: async (s) => {
        const saved = s.cursor as { interactive?: WindowCursor; other?: WindowCursor } | undefined;
        const common = { field: 'createdDateTime', top: config.sign_ins.page_size, sinceDays: config.sign_ins.since_days, overlapMin: config.sign_ins.overlap_minutes, clock, every, row: signInRow, idOf: (r: ReturnType<typeof signInRow>) => r.id, timeOf: (r: ReturnType<typeof signInRow>) => r.created_date_time };
        const interactive = await readWindow(http, s, { ...common, path: '/v1.0/auditLogs/signIns', saved: saved?.interactive, carry: saved });
        // Non-interactive, service-principal and managed-identity sign-ins exist only in beta.
        const other = config.beta_sign_in_event_types
          ? await readWindow(http, s, {
              ...common, path: '/beta/auditLogs/signIns', saved: saved?.other, carry: { ...saved, interactive },
              extraFilter: "signInEventTypes/any(t: t eq 'nonInteractiveUser' or t eq 'servicePrincipal' or t eq 'managedIdentity')",
            })
          : saved?.other;
        return { cursor: { interactive, ...(other ? { other } : {}) } };
      },
    });
  }
  return streams;
}

interface WindowSpec<R> {
  path: string;
  field: string;
  top: number;
  saved: WindowCursor | undefined;
  sinceDays: number;
  overlapMin: number;
  clock: Clock;
  every: number;
  row: (item: unknown) => R;
  idOf: (r: R) => string | null;
  timeOf: (r: R) => string | null;
  extraFilter?: string;
  /** The stream's whole saved cursor, committed unchanged at checkpoints (the mark moves only at the end). */
  carry?: unknown;
}

/**
 * Reads one event window newest-first to its end: [hwm − overlap, now] after the first sync,
 * [now − since_days, now] before. Returns the new cursor.
 */
async function readWindow<R extends Record<string, unknown>>(http: EntraHttp, s: StreamSync, w: WindowSpec<R>): Promise<WindowCursor> {
  const now = w.clock.now();
  const overlapMs = w.overlapMin * 60_000;
  const savedHwm = w.saved?.hwm ? Date.parse(w.saved.hwm) : NaN;
  const from = Number.isFinite(savedHwm) ? savedHwm - overlapMs : now - w.sinceDays * 86_400_000;
  const seenBefore = new Set(w.saved?.seen ?? []);
  const filter = [`${w.field} ge ${new Date(from).toISOString()}`, `${w.field} le ${new Date(now).toISOString()}`, ...(w.extraFilter ? [w.extraFilter] : [])].join(' and ');
  let url: string | undefined = `${w.path}?$filter=${encodeURIComponent(filter)}&$top=${w.top}`;
  const first = url;
  let hwm = Number.isFinite(savedHwm) ? savedHwm : -Infinity;
  const recent: { id: string; t: number }[] = [];
  let pages = 0;
  const visited = new Set<string>([first]);
  // The next page is requested as soon as its link is known, so the rate controller's slot for
  // it runs while this page is transformed and committed (the audit bucket allows one request
  // per few seconds: time spent between requests would otherwise be lost from the share).
  const fetchPage = (u: string): Promise<GraphPage> => {
    const p = http.getPage(u);
    p.catch(() => undefined); // observed when awaited; not an unhandled rejection if this page fails first
    return p;
  };
  let pending: Promise<GraphPage> | undefined = fetchPage(first);
  while (pending) {
    const page: GraphPage = await pending;
    url = page.next;
    if (url !== undefined && visited.has(url)) throw new ExternalError('entra', `pagination loop: ${w.path} returned the same @odata.nextLink again`, { hint: 'run the scan again' });
    if (url !== undefined) visited.add(url);
    pending = url === undefined ? undefined : fetchPage(url);
    for (const item of page.value) {
      const r = w.row(item);
      const id = w.idOf(r);
      const t = Date.parse(w.timeOf(r) ?? '');
      if (!id) continue;
      if (Number.isFinite(t)) {
        if (t > hwm) hwm = t;
        recent.push({ id, t });
      }
      if (seenBefore.has(id)) continue;
      s.writer.add(r);
    }
    // Rows are committed as they come; the cursor stays where it was until the window is done.
    if (++pages % w.every === 0 && url) await s.checkpoint(w.carry ?? w.saved ?? {});
  }
  if (!Number.isFinite(hwm)) return w.saved ?? {};
  const keepFrom = hwm - overlapMs;
  const seen = new Set<string>();
  for (const r of recent) if (r.t >= keepFrom) seen.add(r.id);
  // Ids from the previous overlap that are still inside the new one (not re-read if the window moved past them).
  return { hwm: new Date(hwm).toISOString(), seen: [...seen] };
}
