// Pure mapping of Google Admin SDK objects (live or exported) to raw stream rows: Directory
// users, tokens.list tokens, and Reports activities — the API's `events[].parameters[]` shape
// and the flattened one-event-per-record shape SIEM exports use (`name`, `type`, `parameters`
// as a {name: value} map). Both shapes of one event get the same event_id: id.time (as UTC ISO)
// + id.uniqueQualifier, then the event name and a hash of its parameters, so an event seen in
// overlapping windows, or both scanned and imported, is stored once.
import { createHash } from 'node:crypto';
import { pick, str } from '../../src/connectors/json.js';

export { pick };

const strList = (v: unknown): string[] | null => (Array.isArray(v) ? v.map((x) => String(x)) : null);
const bool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : v === 'true' ? true : v === 'false' ? false : null);

/** RFC 3339 or SIEM-style ("2024-01-15 10:30:00.000000000") time → UTC ISO with milliseconds, or null. */
export function normTime(v: unknown): string | null {
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? null : v.toISOString();
  if (typeof v !== 'string' || !v) return null;
  let s = v.trim().replace(' ', 'T');
  s = s.replace(/(\.\d{3})\d+/, '$1');
  if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(s)) s += 'Z';
  const ms = Date.parse(s);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
}

export function userRow(u: unknown) {
  const orgs = pick(u, 'organizations');
  const primaryOrg = Array.isArray(orgs) ? (orgs.find((o) => pick(o, 'primary') === true) ?? orgs[0]) : undefined;
  return {
    id: str(pick(u, 'id')),
    primary_email: str(pick(u, 'primaryEmail'))?.toLowerCase() ?? null,
    given_name: str(pick(u, 'name', 'givenName')),
    family_name: str(pick(u, 'name', 'familyName')),
    full_name: str(pick(u, 'name', 'fullName')),
    is_admin: bool(pick(u, 'isAdmin')),
    suspended: bool(pick(u, 'suspended')),
    archived: bool(pick(u, 'archived')),
    org_unit_path: str(pick(u, 'orgUnitPath')),
    department: str(pick(primaryOrg, 'department')),
    title: str(pick(primaryOrg, 'title')),
    aliases: strList(pick(u, 'aliases'))?.map((a) => a.toLowerCase()) ?? null,
    creation_time: normTime(pick(u, 'creationTime')),
    last_login_time: normTime(pick(u, 'lastLoginTime')),
    customer_id: str(pick(u, 'customerId')),
  };
}

/** One tokens.list item of one user. `userId`/`email` come from the call (the item's userKey is the id). */
export function tokenRow(t: unknown, user: { id?: string | null; email?: string | null } = {}) {
  const userId = str(pick(t, 'userKey')) ?? user.id ?? null;
  const clientId = str(pick(t, 'clientId'));
  return {
    token_id: userId && clientId ? `${userId}/${clientId}` : null,
    user_id: userId,
    user_email: user.email?.toLowerCase() ?? null,
    client_id: clientId,
    display_text: str(pick(t, 'displayText')),
    scopes: strList(pick(t, 'scopes')) ?? [],
    anonymous: bool(pick(t, 'anonymous')),
    native_app: bool(pick(t, 'nativeApp')),
  };
}

type ParamMap = Record<string, unknown>;

/** `parameters[]` of the API ({name, value|multiValue|intValue|boolValue|…}) → {name: value}. */
export function parameterMap(parameters: unknown): ParamMap {
  if (parameters && typeof parameters === 'object' && !Array.isArray(parameters)) return parameters as ParamMap;
  const out: ParamMap = {};
  if (!Array.isArray(parameters)) return out;
  for (const p of parameters) {
    const name = str(pick(p, 'name'));
    if (!name) continue;
    const multi = pick(p, 'multiValue');
    const int = pick(p, 'intValue');
    const boolValue = pick(p, 'boolValue');
    const value = pick(p, 'value');
    const message = pick(p, 'messageValue') ?? pick(p, 'multiMessageValue') ?? pick(p, 'multiIntValue');
    out[name] = multi !== undefined ? multi : int !== undefined ? Number(int) : boolValue !== undefined ? boolValue : value !== undefined ? value : message;
  }
  return out;
}

function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as ParamMap)[k])}`).join(',')}}`;
  }
  return JSON.stringify(v ?? null);
}

export function eventId(time: string, uniqueQualifier: string | null, name: string | null, params: ParamMap): string {
  const h = createHash('sha256').update(canonical(params)).digest('hex').slice(0, 12);
  return `${time}|${uniqueQualifier ?? ''}|${name ?? ''}|${h}`;
}

function eventRow(activity: unknown, event: { type: unknown; name: unknown; parameters: unknown }, index: number) {
  // SIEM copies may lack id.time (then their own event time, Panther's p_event_time, stands in).
  const time = normTime(pick(activity, 'id', 'time')) ?? normTime(pick(activity, 'p_event_time'));
  const uq = str(pick(activity, 'id', 'uniqueQualifier'));
  const params = parameterMap(event.parameters);
  const name = str(event.name);
  // Without any time (partial exports) a content hash is the id, so re-imports still dedupe.
  const derived = () => `derived:${createHash('sha256').update(canonical(activity)).digest('hex').slice(0, 32)}#${index}`;
  const scopes = params.scope ?? params.scopes;
  const bytes = Number(params.num_response_bytes);
  return {
    event_id: time ? eventId(time, uq, name, params) : derived(),
    time,
    unique_qualifier: uq,
    application: str(pick(activity, 'id', 'applicationName')),
    customer_id: str(pick(activity, 'id', 'customerId')),
    actor_email: str(pick(activity, 'actor', 'email'))?.toLowerCase() ?? null,
    actor_profile_id: str(pick(activity, 'actor', 'profileId')),
    caller_type: str(pick(activity, 'actor', 'callerType')),
    ip_address: str(pick(activity, 'ipAddress')),
    event_type: str(event.type),
    event_name: name,
    client_id: str(params.client_id),
    app_name: str(params.app_name),
    client_type: str(params.client_type),
    scopes: Array.isArray(scopes) ? scopes.map(String) : typeof scopes === 'string' ? scopes.split(/\s+/).filter(Boolean) : null,
    api_name: str(params.api_name),
    method_name: str(params.method_name),
    num_response_bytes: Number.isFinite(bytes) && params.num_response_bytes !== undefined ? Math.trunc(bytes) : null,
    product_bucket: str(params.product_bucket),
    login_type: str(params.login_type),
    is_suspicious: bool(params.is_suspicious),
    parameters: Object.keys(params).length ? JSON.stringify(params) : null,
  };
}

export type ActivityRow = ReturnType<typeof eventRow>;

/** Rows of one activity: one per event (API shape: `events[]`; flattened shape: the record itself). */
export function activityRows(activity: unknown): ActivityRow[] {
  const events = pick(activity, 'events');
  if (Array.isArray(events)) {
    return events.map((e, i) => eventRow(activity, { type: pick(e, 'type'), name: pick(e, 'name'), parameters: pick(e, 'parameters') }, i));
  }
  return [eventRow(activity, { type: pick(activity, 'type'), name: pick(activity, 'name'), parameters: pick(activity, 'parameters') }, 0)];
}
