// Egress user attribution (docs/attribution.md): keeps the user a log line names; when it names
// none and attribution is configured, takes the user of the successful IdP sign-in from the same
// IP nearest in time to the row's activity, within the window, marked user_inferred; then
// resolves every user to a person (norm.person_aliases). Pure SQL text over the connectors' egress
// and sign-in unions; egress rows stream through hash joins (never sorted), so memory follows the
// number of sign-ins, not of egress rows.
import { normalLoginSql, resolvePersonSql } from './people.js';

export interface AttributionSettings {
  /** Sign-ins at most this many minutes from a row's activity count; 0 turns inference off. */
  ipWindowMinutes: number;
}

export const ATTRIBUTION_OFF: AttributionSettings = { ipWindowMinutes: 0 };

/** The settings from config (`attribution:`); absent means off. */
export function attributionSettings(config: { attribution?: { ip_window_minutes?: number } }): AttributionSettings {
  return { ipWindowMinutes: config.attribution?.ip_window_minutes ?? 0 };
}

/** norm.egress columns the lake computes here rather than the connectors' mappings. */
export const EGRESS_DERIVED_COLUMNS = ['person_id'] as const;

/**
 * SQL: whether a norm.signins row is a successful sign-in. Connectors map their outcome onto
 * result: Okta SUCCESS/ALLOW, Entra status.errorCode 0 as 'SUCCESS' (or '0'), Google
 * login_success as 'SUCCESS' (or the event name itself). Anything else (FAILURE, DENY, CHALLENGE,
 * an error code) is not evidence that the person was at that address.
 */
export function successfulSigninSql(result: string): string {
  return `upper(trim(${result})) in ('SUCCESS', 'SUCCEEDED', 'ALLOW', 'LOGIN_SUCCESS', '0')`;
}

export interface EgressAttributionInput {
  /** SELECT of the norm.egress columns except the derived ones (already limited to the window). */
  egress: string;
  /** SELECT with norm.signins columns (ts, user, ip, result), or undefined when no connector maps sign-ins. */
  signins?: string;
  /** Sign-ins before this time (SQL timestamp literal) cannot match any egress row in the window. */
  signinsSince?: Date;
  settings: AttributionSettings;
}

/**
 * SQL: an address as both sides are compared: lower case (IPv6 hex digits), and an IPv4-mapped
 * IPv6 address (`::ffff:10.1.2.3`, as some proxies and IdPs log IPv4 clients) as plain IPv4.
 */
export function ipKeySql(ip: string): string {
  return `(case when starts_with(lower(${ip}), '::ffff:') and contains(${ip}, '.') then substr(${ip}, 8) else lower(${ip}) end)`;
}

const tsLiteral = (d: Date) => `'${d.toISOString().replace('T', ' ').replace('Z', '')}'::timestamp`;

/**
 * The norm.egress SELECT with user attribution and person resolution. Matching, per hourly row:
 * a sign-in's distance to the row is 0 when it falls within [first_ts, last_ts], else its
 * distance to the nearer end; the nearest sign-in at distance ≤ the window wins, and on a tie
 * the one at or before the activity (whoever signed in last before the traffic) is taken.
 */
export function attributedEgressSql(input: EgressAttributionInput): string {
  const minutes = input.settings.ipWindowMinutes;
  if (!Number.isInteger(minutes) || minutes < 0) throw new Error(`ip_window_minutes must be a whole number ≥ 0, got ${minutes}`);
  const infer = minutes > 0 && input.signins !== undefined;
  const window = `interval ${minutes} minute`;
  const since = input.signinsSince ? `and ts >= ${tsLiteral(new Date(input.signinsSince.getTime() - minutes * 60_000))}` : '';

  // Candidates without sorting the egress rows (they can be many millions): sign-ins are put in
  // buckets of (window + 60) minutes on first_ts's time line — each sign-in into every bucket
  // whose rows could reach it (an hourly row spans < 60 minutes) — and each row probes its one
  // bucket through a hash join, so egress streams through. Only buckets that some row without a
  // user probes are built (a semi-join on those rows' (ip, bucket) keys, which reads the egress
  // union a second time), and one person's sign-ins from one address count at most twice a
  // minute (the first and the last): sign-in logs repeat themselves (session, SSO, token events
  // of one login), and the bucket lists are what must fit in memory.
  const bucketSeconds = (minutes + 60) * 60;
  const bucketOf = (ts: string) => `floor(epoch(${ts}) / ${bucketSeconds})::bigint`;
  const person = resolvePersonSql('a.login_key', 'pa');
  const inferred = infer
    ? `
    wanted as (
      select distinct ${ipKeySql('src_ip')} as ip, ${bucketOf('first_ts')} as bucket
        from e where "user" is null and src_ip is not null and first_ts is not null
    ),
    s as (
      select ${ipKeySql('ip')} as ip, lower(trim("user")) as signin_user, min(ts) as first_in_minute, max(ts) as last_in_minute
        from (${input.signins})
       where ip is not null and nullif(trim("user"), '') is not null and ts is not null
         and ${successfulSigninSql('result')} ${since}
         -- a person, not an OAuth client signing in as itself (Okta client_credentials grants
         -- carry the client id as actor): an email/UPN, or a name norm.people knows
         and (contains("user", '@') or lower(trim("user")) in (select alias from ${person.aliases}))
       group by 1, 2, date_trunc('minute', ts)
    ),
    spread as (
      select ip, signin_user, ts,
             unnest(range(floor((epoch(ts) - ${bucketSeconds}) / ${bucketSeconds})::bigint,
                          floor((epoch(ts) + ${minutes * 60}) / ${bucketSeconds})::bigint + 1)) as bucket
        from (select ip, signin_user, unnest(list_distinct([first_in_minute, last_in_minute])) as ts from s)
    ),
    buckets as (
      -- ties (same distance, same side, same instant) go to the smallest login: the struct sorts
      -- on every field in order, so the answer never depends on scan order
      select sp.ip, sp.bucket, list({'ts': sp.ts, 'user': sp.signin_user}) as signins
        from spread sp semi join wanted w on w.ip = sp.ip and w.bucket = sp.bucket
       group by sp.ip, sp.bucket
    ),
    matched as (
      select e.*, b.signins
        from e left join buckets b
          on b.ip = (case when e."user" is null then ${ipKeySql('e.src_ip')} end)
         and b.bucket = ${bucketOf('e.first_ts')}
    ),
    attributed as (
      -- nearest first: distance, then a sign-in at or before the activity over one after it,
      -- then the later sign-in
      select * exclude (signins),
             list_sort(list_filter(list_transform(signins, x -> {
                 'd': case when x.ts < first_ts then first_ts - x.ts when x.ts > last_ts then x.ts - last_ts else interval 0 second end,
                 'after': x.ts > last_ts, 'neg_ts': -epoch(x.ts), 'user': x.user}),
               y -> y.d <= ${window}))[1].user as inferred_user
        from matched
    )`
    : `
    attributed as (select *, cast(null as varchar) as inferred_user from e)`;

  return `
    with ${person.cte},
    e as not materialized (${input.egress}),${inferred},
    resolved as (
      select * exclude ("user", user_inferred, inferred_user),
             coalesce("user", inferred_user) as login,
             ${normalLoginSql('coalesce("user", inferred_user)')} as login_key,
             case when "user" is null and inferred_user is not null then true else coalesce(user_inferred, false) end as user_inferred
        from attributed
    )
    select a.* exclude (login, login_key), a.login as "user", ${person.personId} as person_id
      from resolved a
      ${person.joins}`;
}
