// Route 53 Resolver query logs (one JSON object per line, as delivered to S3, CloudWatch Logs or
// Firehose): query_timestamp (UTC, ISO 8601), srcaddr, query_name, srcids.instance. DNS carries
// no bytes, no HTTP method or status, and no user: the user comes only from the instance-id
// mapping file (instance_users), never invented.
import { readFileSync } from 'node:fs';
import type { EgressLineFormat } from '../../src/ingest/egress.js';
import { sqlString } from '../../src/db/duck.js';
import { epochOfTimestampSql, splitCsv } from '../../src/ingest/linesql.js';
import { jsonFieldsFromLinesSql, jsonLineObject, NO_HTTP_COLUMNS, NO_HTTP_COLUMNS_SQL } from '../../src/connectors/jsonlines.js';

/** instance id → user from a CSV file with a header naming `instance_id` and `user` columns. */
export function loadInstanceUsers(path: string): Map<string, string> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(`instance_users: cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  const lines = text.split(/\r?\n/);
  const header = splitCsv(lines[0] ?? '').map((h) => h.trim().toLowerCase());
  const idCol = header.indexOf('instance_id');
  const userCol = header.indexOf('user');
  if (idCol < 0 || userCol < 0) throw new Error(`${path}:1: header must name instance_id and user columns (got ${header.join(',').slice(0, 80)})`);
  const map = new Map<string, string>();
  lines.slice(1).forEach((line, i) => {
    if (line.trim() === '' || line.startsWith('#')) return;
    const f = splitCsv(line);
    const id = (f[idCol] ?? '').trim();
    const user = (f[userCol] ?? '').trim();
    if (!/^[A-Za-z0-9_.:-]{1,128}$/.test(id)) throw new Error(`${path}:${i + 2}: instance_id: not an instance id (${JSON.stringify(id.slice(0, 40))})`);
    if (user === '' || user.length > 256) throw new Error(`${path}:${i + 2}: user: empty or longer than 256 characters`);
    map.set(id, user);
  });
  return map;
}

const FIELDS = ['$.query_timestamp', '$.srcaddr', '$.query_name', '$.srcids.instance'];

export function route53Format(instanceUsers: Map<string, string> = new Map()): EgressLineFormat {
  const user =
    instanceUsers.size === 0
      ? 'cast(null as varchar)'
      : `map_extract_value(MAP {${[...instanceUsers].map(([k, v]) => `${sqlString(k)}: ${sqlString(v)}`).join(', ')}}, j[4])`;
  return {
    name: 'route53',
    absent: NO_HTTP_COLUMNS,
    parseSql: `
    select line, j is not null and ts_s is not null and auth is not null as ok, ts_s, "user", src_ip, auth, ${NO_HTTP_COLUMNS_SQL}
      from (select line, j, ${epochOfTimestampSql('j[1]')} as ts_s, ${user} as "user", j[2] as src_ip, nullif(j[3], '') as auth
              from (${jsonFieldsFromLinesSql(FIELDS)}))`,
    rejectReason: (line) => {
      const o = jsonLineObject(line);
      if (typeof o === 'string') return o;
      if (typeof o.query_name !== 'string' || o.query_name === '') return 'query_name: missing';
      return `query_timestamp: missing or not an ISO 8601 time (${JSON.stringify(String(o.query_timestamp ?? '').slice(0, 40))})`;
    },
  };
}

export function detectRoute53(sample: string[]): 'jsonl' | undefined {
  const objects = sample.filter((l) => l.trimStart().startsWith('{'));
  if (objects.length === 0) return undefined;
  const hits = objects.filter((l) => /"query_name"\s*:/.test(l) && /"query_timestamp"\s*:/.test(l)).length;
  return hits >= objects.length / 2 ? 'jsonl' : undefined;
}

export const formatsTried = 'Route 53 Resolver query log JSON lines (query_timestamp, query_name, srcaddr)';
