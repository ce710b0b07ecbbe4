// Squid access.log layouts as SQL over one text column (see ../shared/notes/ingest-fast-path.md):
// a capture-free whole-line regex validates, a single-space split extracts. The native format
// pads the elapsed field (%6tr), so the timestamp is cut off first and the rest split on single
// spaces; fields some logformats append after the MIME type (e.g. [headers]) are ignored.
import type { EgressLineFormat } from '../../src/ingest/egress.js';
import { authorityFromUrlSql, portless } from '../../src/ingest/egress.js';
import type { SquidFormat } from './config.js';

// ts.ms  elapsed  client  code/status  bytes  method  url  user  hier/peer  mime  [extra…]
const NATIVE_FIELDS = String.raw`\d{9,11}(?:\.\d{1,6})? +\d+ \S+ [A-Za-z_]+/\d{3} \d+ \S+ \S+ \S+ [A-Za-z_]+/\S+ \S+`;
const NATIVE_RE = `${NATIVE_FIELDS}(?: .*)?`;
// host ident user [dd/Mon/yyyy:hh:mm:ss +zzzz] "METHOD URL[ PROTO]" status bytes ["ref" "ua"] [squid-status:hier]
const COMMON_RE = String.raw`(\S+) (\S+) (\S+) \[(\d{2}/[A-Za-z]{3}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4})\] "(\S+) (\S+)(?: [^"]*)?" (\d{1,3}) (\d+|-)(?: "[^"]*" "[^"]*")?(?: \S+)?`;

/**
 * The built-in `squid` logformat, exactly ten fields: split on single spaces and index from the
 * END, since the padded elapsed field leaves empty strings after the timestamp. The fastest
 * layout (see ingest-fast-path.md); used when a file's sample lines all have ten fields.
 */
export const nativeFormat: EgressLineFormat = {
  name: 'squid',
  absent: ['bytes_out'],
  parseSql: `
    select line, ok, ts_s, "user", src_ip, ${portless('a')} as auth, method, status, bytes_in, bytes_out
      from (select line, ok, try_cast(f[1] as double) as ts_s, f[-3] as "user", f[-8] as src_ip,
                   ${authorityFromUrlSql('f[-5]', 'f[-4]')} as a, f[-5] as method, right(f[-7], 3) as status,
                   try_cast(f[-6] as bigint) as bytes_in, cast(null as bigint) as bytes_out
              from (select line, regexp_full_match(line, '${NATIVE_FIELDS}') as ok, string_split(line, ' ') as f from lines))`,
  rejectReason: (line) => explain(line, 'native'),
};

/**
 * Native logformats with fields appended after the MIME type (e.g. `[request headers]`): the
 * timestamp is cut off, the rest split on single spaces and indexed from the START.
 */
export const nativeExtendedFormat: EgressLineFormat = {
  name: 'squid',
  absent: ['bytes_out'],
  parseSql: `
    select line, ok, ts_s, "user", src_ip, ${portless('a')} as auth, method, status, bytes_in, bytes_out
      from (select line, ok, try_cast(split_part(line, ' ', 1) as double) as ts_s, f[7] as "user", f[2] as src_ip,
                   ${authorityFromUrlSql('f[5]', 'f[6]')} as a, f[5] as method, right(f[3], 3) as status,
                   try_cast(f[4] as bigint) as bytes_in, cast(null as bigint) as bytes_out
              from (select line, regexp_full_match(line, '${NATIVE_RE}') as ok,
                           string_split(ltrim(substr(line, strpos(line, ' ') + 1)), ' ') as f from lines))`,
  rejectReason: (line) => explain(line, 'native'),
};

export const commonFormat: EgressLineFormat = {
  name: 'squid',
  absent: ['bytes_out'],
  parseSql: `
    select line, ok,
           epoch(strptime(regexp_extract(line, '${COMMON_RE}', 4), '%d/%b/%Y:%H:%M:%S %z')) as ts_s,
           regexp_extract(line, '${COMMON_RE}', 3) as "user",
           regexp_extract(line, '${COMMON_RE}', 1) as src_ip,
           ${portless(authorityFromUrlSql(`regexp_extract(line, '${COMMON_RE}', 5)`, `regexp_extract(line, '${COMMON_RE}', 6)`))} as auth,
           regexp_extract(line, '${COMMON_RE}', 5) as method,
           regexp_extract(line, '${COMMON_RE}', 7) as status,
           try_cast(regexp_extract(line, '${COMMON_RE}', 8) as bigint) as bytes_in,
           cast(null as bigint) as bytes_out
      from (select line, regexp_full_match(line, '${COMMON_RE}') as ok from lines)`,
  rejectReason: (line) => explain(line, 'common'),
};

/** Layouts by name; `native` (when forced) is the extended reader, which accepts both. */
export const squidLineFormats: Record<SquidFormat | 'native10', EgressLineFormat> = {
  native10: nativeFormat,
  native: nativeExtendedFormat,
  common: commonFormat,
  combined: commonFormat,
};

const nativeJs = new RegExp(`^${NATIVE_RE}$`);
const native10Js = new RegExp(`^${NATIVE_FIELDS}$`);
const commonJs = new RegExp(`^${COMMON_RE}$`);

/** Which layout the sample lines are in, or undefined when none fits most of them. */
export function detectSquidFormat(sample: string[]): SquidFormat | 'native10' | undefined {
  const lines = sample.map((l) => l.replace(/\r$/, '')).filter((l) => l.trim() !== '');
  if (lines.length === 0) return undefined;
  const nativeLines = lines.filter((l) => nativeJs.test(l));
  const common = lines.filter((l) => commonJs.test(l)).length;
  if (nativeLines.length >= common) {
    if (nativeLines.length === 0 || nativeLines.length < lines.length / 2) return undefined;
    // Exactly ten fields everywhere → the from-the-end fast path; appended fields → extended.
    return nativeLines.every((l) => native10Js.test(l)) ? 'native10' : 'native';
  }
  return common >= lines.length / 2 ? 'common' : undefined;
}

export const formatsTried = 'squid native (`logformat squid`), common/combined (CLF, `emulate_httpd_log`)';

function explain(line: string, layout: 'native' | 'common'): string {
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u0008\u000e-\u001f]/.test(line)) return 'binary data';
  if (line.length > 65536) return `line too long (${line.length} characters)`;
  if (layout === 'native') {
    const fields = line.trim().split(/ +/);
    if (!/^\d{9,11}(\.\d{1,6})?$/.test(fields[0] ?? '')) return 'bad timestamp (expected epoch seconds such as 1717315200.123)';
    if (fields.length < 10) return `missing fields (${fields.length} of 10; truncated line?)`;
    return 'does not match the native squid logformat';
  }
  if (!/\[\d{2}\/[A-Za-z]{3}\/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\]/.test(line)) return 'bad or missing [timestamp]';
  return 'does not match the common/combined logformat';
}
