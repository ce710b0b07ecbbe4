// PAN-OS TRAFFIC and THREAT/url logs in the default syslog/CSV field order (positions from Palo
// Alto's "Syslog Field Descriptions"; new PAN-OS versions only append fields), with or without a
// syslog header (BSD, RFC 5424, Panorama relay): the record starts at `FUTURE_USE,Receive
// Time,…`. A custom syslog format (admin-defined) is a different layout: use generic_egress.
//
//   TRAFFIC (subtypes end/drop/deny; `start` is skipped so a session counts once): host = the
//     destination address (TRAFFIC has no names), user = Source User, bytes_out/in = Bytes
//     Sent/Received; no method or HTTP status.
//   THREAT/url: host from the URL field (misc, quoted), user = Source User; no bytes.
//   Other types (SYSTEM, CONFIG, other THREAT subtypes, …) are skipped (counted as lines, not
//   rejects). Times are Generated Time in the configured `timezone` (the device's local time).
import type { EgressLineFormat } from '../../src/ingest/egress.js';
import { portless } from '../../src/ingest/egress.js';
import { csvFieldsSql, urlAuthoritySql, epochOfStrptimeSql, looksBinary, splitCsv, tooLong } from '../../src/ingest/linesql.js';

const RECORD = String.raw`\d*,\d{4}/\d{2}/\d{2} \d{2}:\d{2}:\d{2},[^,]*,[A-Z]+,.*`;
const RECORD_JS = /\d*,\d{4}\/\d{2}\/\d{2} \d{2}:\d{2}:\d{2},[^,]*,[A-Z]+,.*/;


export function paloaltoFormat(timezone = 'UTC'): EgressLineFormat {
  const kind = `case when f[4] = 'TRAFFIC' and f[5] in ('end', 'drop', 'deny') then 'traffic' when f[4] = 'THREAT' and f[5] = 'url' then 'url' end`;
  return {
    name: 'paloalto',
    parseSql: `
    select line, case when rec = '' then false when kind is null then null
                      else ts_s is not null and len(f) >= (case kind when 'traffic' then 34 else 32 end) end as ok,
           ts_s, "user", src_ip, ${portless('a')} as auth, cast(null as varchar) as method, cast(null as varchar) as status, bytes_in, bytes_out
      from (select line, rec, f, kind, ${epochOfStrptimeSql('f[7]', '%Y/%m/%d %H:%M:%S', timezone)} as ts_s, f[13] as "user", f[8] as src_ip,
                   case kind when 'traffic' then f[9] else ${urlAuthoritySql('f[32]')} end as a,
                   case kind when 'traffic' then try_cast(f[34] as bigint) end as bytes_in,
                   case kind when 'traffic' then try_cast(f[33] as bigint) end as bytes_out
              from (select line, rec, f, ${kind} as kind
                      from (select line, rec, case when contains(rec, '"') then ${csvFieldsSql('rec')} else string_split(rec, ',') end as f
                              from (select line, regexp_extract(line, '${RECORD}') as rec from lines))))`,
    rejectReason: (line) => {
      if (looksBinary(line)) return 'binary data';
      const long = tooLong(line);
      if (long) return long;
      const rec = RECORD_JS.exec(line)?.[0];
      if (!rec) return 'not a PAN-OS CSV record (expected FUTURE_USE,YYYY/MM/DD hh:mm:ss,serial,TYPE,… after an optional syslog header)';
      const f = splitCsv(rec);
      const need = f[3] === 'TRAFFIC' ? 34 : 32;
      if (f.length < need) return `${f.length} fields where PAN-OS ${f[3]} records have at least ${need} (truncated line?)`;
      return `generated time: not YYYY/MM/DD hh:mm:ss (${JSON.stringify((f[6] ?? '').slice(0, 30))})`;
    },
  };
}

/** PAN-OS when most sample lines hold a PAN-OS record (any type: SYSTEM lines identify the source too). */
export function detectPaloalto(sample: string[]): 'csv' | undefined {
  const lines = sample.filter((l) => l.trim() !== '');
  if (lines.length === 0) return undefined;
  const hits = lines.filter((l) => {
    const rec = RECORD_JS.exec(l)?.[0];
    return rec !== undefined && /^(TRAFFIC|THREAT|SYSTEM|CONFIG|HIPMATCH|GLOBALPROTECT|USERID|AUTH|DECRYPTION|TUNNEL|CORRELATION|IPTAG|SCTP|GTP)$/.test(splitCsv(rec)[3] ?? '');
  }).length;
  return hits >= lines.length / 2 ? 'csv' : undefined;
}

export const formatsTried = 'PAN-OS TRAFFIC/THREAT CSV in the default field order, bare or behind a syslog header';
