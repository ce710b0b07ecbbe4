// Timestamps as Entra exports write them, made ISO 8601 so the lake reads them the same way:
// Graph `2025-01-15T09:30:25.1234567Z` (7 fraction digits), Azure Monitor / Panther
// `2025-01-15 14:20:35.456` and `2023-07-26 22:58:30.983201900` (UTC, no zone), PowerShell
// ConvertTo-Json `/Date(1733343742000)/` (also double-escaped `\/Date(…)\/`), and the portal's
// CSV in US order `1/5/2025 9:30:25 AM` (UTC).

const ISO = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?\s*(Z|z|[+-]\d{2}:?\d{2}|UTC|GMT)?$/;
const MS_DATE = /^\\?\/Date\((-?\d+)([+-]\d{4})?\)\\?\/$/;
const US = /^(\d{1,2})\/(\d{1,2})\/(\d{4})\s+(\d{1,2}):(\d{2})(?::(\d{2}))?\s*([AaPp][Mm])?$/;

/** An ISO 8601 UTC/offset string for a recognised timestamp; undefined for anything else. */
export function isoTime(v: unknown): string | undefined {
  if (typeof v !== 'string') return undefined;
  const s = v.trim();
  let m = ISO.exec(s);
  if (m) {
    const [, y, mo, d, h, mi, sec = '00', frac, zone] = m;
    const f = frac ? `.${frac.slice(0, 6)}` : '';
    const z = !zone || /^(z|utc|gmt)$/i.test(zone) ? 'Z' : zone.includes(':') ? zone : `${zone.slice(0, 3)}:${zone.slice(3)}`;
    return `${y}-${mo}-${d}T${h}:${mi}:${sec}${f}${z}`;
  }
  m = MS_DATE.exec(s);
  if (m) {
    const ms = Number(m[1]);
    const d = new Date(ms);
    return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
  }
  m = US.exec(s);
  if (m) {
    const [, mo, d, y, h, mi, sec = '00', ampm] = m;
    let hour = Number(h);
    if (ampm) hour = (hour % 12) + (/p/i.test(ampm) ? 12 : 0);
    const p2 = (x: string | number) => String(x).padStart(2, '0');
    return `${y}-${p2(mo!)}-${p2(d!)}T${p2(hour)}:${p2(mi!)}:${p2(sec)}Z`;
  }
  return undefined;
}

const TIME_KEY = /(date|time|datetime)$/i;

/**
 * Rewrites, in place, every timestamp-like string of a record to ISO 8601: values of keys that
 * end in Date/Time/DateTime anywhere in the object, and `/Date(ms)/` values under any key.
 */
export function normalizeTimes<T>(value: T): T {
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      for (const [i, x] of v.entries()) {
        if (typeof x === 'string' && MS_DATE.test(x)) v[i] = isoTime(x) ?? x;
        else walk(x);
      }
      return;
    }
    if (!v || typeof v !== 'object') return;
    const obj = v as Record<string, unknown>;
    for (const [k, x] of Object.entries(obj)) {
      if (typeof x === 'string') {
        if (MS_DATE.test(x) || TIME_KEY.test(k)) {
          const iso = isoTime(x);
          if (iso !== undefined) obj[k] = iso;
        }
      } else walk(x);
    }
  };
  walk(value);
  return value;
}
