// Config of a `zscaler` instance: ZIA NSS web-log feeds. The feed's output format is defined by
// the admin, so the field list is configuration; the default is the common CSV web feed.
import { z } from 'zod';
import { isTimeZone } from '../../src/ingest/linesql.js';

export const zscalerFormats = ['csv', 'json'] as const;
export type ZscalerFormat = (typeof zscalerFormats)[number];

/**
 * The feed's fields in order, as NSS variable names (`time`, `login`, …; `%s{eurl}` is accepted
 * too). Default: the CSV web feed commonly configured for SIEMs (every field quoted).
 */
export const DEFAULT_NSS_WEB_FIELDS = [
  'time', 'login', 'proto', 'eurl', 'action', 'appname', 'appclass', 'reqsize', 'respsize', 'urlclass', 'urlsupercat', 'urlcat',
  'malwarecat', 'threatname', 'riskscore', 'dlpeng', 'dlpdict', 'location', 'dept', 'cip', 'sip', 'reqmethod', 'respcode', 'ua',
  'ereferer', 'ruletype', 'rulelabel', 'contenttype', 'unscannabletype', 'deviceowner', 'devicehostname',
] as const;

export const zscalerConfigSchema = z.strictObject({
  type: z.literal('zscaler'),
  paths: z.array(z.string().min(1)).min(1),
  format: z.enum(['auto', ...zscalerFormats]).default('auto'),
  /** CSV/TSV feeds: the field list of the feed's output format, in order. */
  fields: z.array(z.string().min(1).max(64)).min(2).default([...DEFAULT_NSS_WEB_FIELDS]),
  /** CSV feeds: the separator (`\t` for a TSV feed). */
  delimiter: z.string().length(1).default(','),
  /** Format of the `time` field (strptime); NSS's %s{time} is e.g. "Mon Jun 20 15:29:11 2022". */
  time_format: z.string().min(1).max(100).default('%a %b %d %H:%M:%S %Y'),
  /** The feed's Timezone setting (NSS writes local times without an offset). */
  timezone: z.string().refine(isTimeZone, 'an IANA time zone such as UTC or Europe/Berlin').default('UTC'),
});
export type ZscalerConfig = z.infer<typeof zscalerConfigSchema>;
