// Cisco Umbrella DNS logs. CSV: Umbrella's S3 export, every field quoted, in the documented
// order (Timestamp, Most Granular Identity, Identities, Internal IP, External IP, Action, Query
// Type, Response Code, Domain, Categories[, Most Granular Identity Type, Identity Types, Blocked
// Categories…]); later log versions append fields, so only the leading ones are read. JSON: the
// same fields as camelCase keys (timestamp, internalIp, domain, mostGranularIdentity, …), as SIEM
// pipelines re-emit them. Timestamps are UTC. DNS carries no bytes, method or HTTP status (NULL).
// user = the most granular identity when it is a user (identity type "AD Users"/"… Users", or an
// e-mail address, e.g. "Jane Doe (jane@corp.example)" → jane@corp.example); else NULL.
import type { EgressLineFormat } from '../../src/ingest/egress.js';
import { csvFieldsSql, epochOfTimestampSql, looksBinary, splitCsv, tooLong } from '../../src/ingest/linesql.js';
import { jsonFieldsFromLinesSql, jsonLineObject, NO_HTTP_COLUMNS, NO_HTTP_COLUMNS_SQL } from '../../src/connectors/jsonlines.js';
import type { UmbrellaFormat } from './config.js';

/** SQL: the user from an identity and its type (type may be NULL in older log versions). */
function userOf(identity: string, type: string): string {
  const email = `nullif(regexp_extract(${identity}, '([^\\s()<>]+@[^\\s()<>]+)\\)?\\s*$', 1), '')`;
  return `(case when ${identity} is null or ${identity} = '' then null
                when ${email} is not null then ${email}
                when ${type} ilike '%user%' then ${identity} end)`;
}

export const umbrellaCsvFormat: EgressLineFormat = {
  name: 'umbrella',
  absent: NO_HTTP_COLUMNS,
  parseSql: `
    select line, len(f) >= 10 and ts_s is not null and auth is not null and auth <> '' as ok, ts_s, ${userOf('f[2]', 'f[11]')} as "user",
           f[4] as src_ip, auth, ${NO_HTTP_COLUMNS_SQL}
      from (select line, f, ${epochOfTimestampSql('f[1]')} as ts_s, f[9] as auth
              from (select line, ${csvFieldsSql('line')} as f from lines))`,
  rejectReason: (line) => {
    if (looksBinary(line)) return 'binary data';
    const long = tooLong(line);
    if (long) return long;
    const f = splitCsv(line);
    if (f.length < 10) return `${f.length} fields where Umbrella DNS logs have at least 10 (truncated line?)`;
    if (!/^\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d/.test(f[0] ?? '')) return `timestamp: not a time (${JSON.stringify((f[0] ?? '').slice(0, 30))})`;
    return 'domain: empty';
  },
};

const KEYS = ['timestamp', 'mostGranularIdentity', 'mostGranularIdentityType', 'internalIp', 'domain'];

export const umbrellaJsonFormat: EgressLineFormat = {
  name: 'umbrella',
  absent: NO_HTTP_COLUMNS,
  parseSql: `
    select line, j is not null and ts_s is not null and auth is not null and auth <> '' as ok, ts_s, ${userOf('j[2]', 'j[3]')} as "user",
           j[4] as src_ip, auth, ${NO_HTTP_COLUMNS_SQL}
      from (select line, j, ${epochOfTimestampSql('j[1]')} as ts_s, j[5] as auth
              from (${jsonFieldsFromLinesSql(KEYS.map((k) => `$.${k}`))}))`,
  rejectReason: (line) => {
    const o = jsonLineObject(line);
    if (typeof o === 'string') return o;
    if (typeof o.domain !== 'string' || o.domain === '') return 'domain: missing (not an Umbrella DNS record?)';
    return `timestamp: missing or not a time (${JSON.stringify(String(o.timestamp ?? '').slice(0, 40))})`;
  },
};

export const umbrellaLineFormats: Record<UmbrellaFormat, EgressLineFormat> = { csv: umbrellaCsvFormat, json: umbrellaJsonFormat };

export function detectUmbrella(sample: string[]): UmbrellaFormat | undefined {
  const lines = sample.filter((l) => l.trim() !== '');
  if (lines.length === 0) return undefined;
  const json = lines.filter((l) => l.trimStart().startsWith('{') && /"internalIp"\s*:/.test(l) && /"domain"\s*:/.test(l)).length;
  const csv = lines.filter((l) => /^"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d","/.test(l) && splitCsv(l).length >= 10).length;
  if (json >= lines.length / 2 && json >= csv) return 'json';
  if (csv >= lines.length / 2) return 'csv';
  return undefined;
}

export const formatsTried = 'Cisco Umbrella DNS CSV (S3 export) and JSON lines (timestamp, internalIp, domain)';
