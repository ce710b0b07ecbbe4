// Config of a `paloalto` instance: PAN-OS TRAFFIC and THREAT/url logs (syslog or CSV export).
import { z } from 'zod';
import { isTimeZone } from '../../src/ingest/linesql.js';

export const paloaltoFormats = ['csv'] as const;
export type PaloaltoFormat = (typeof paloaltoFormats)[number];

export const timeZone = () => z.string().refine(isTimeZone, 'an IANA time zone such as UTC or Europe/Berlin');

export const paloaltoConfigSchema = z.strictObject({
  type: z.literal('paloalto'),
  /** Files or globs (the syslog server's files, or CSV exports), plain or .gz. */
  paths: z.array(z.string().min(1)).min(1),
  /** `csv`: PAN-OS's default syslog/CSV field order, with or without a syslog header. */
  format: z.enum(['auto', ...paloaltoFormats]).default('auto'),
  /** The firewall's (or Panorama's) time zone: PAN-OS writes local times without an offset. */
  timezone: timeZone().default('UTC'),
});
export type PaloaltoConfig = z.infer<typeof paloaltoConfigSchema>;
