// Config of a `zeek` instance: which conn/dns/ssl/http logs to tail.
import { z } from 'zod';

export const zeekFormats = ['tsv', 'json'] as const;
export type ZeekFormat = (typeof zeekFormats)[number];

export const zeekConfigSchema = z.strictObject({
  type: z.literal('zeek'),
  /** Files or globs (e.g. /opt/zeek/logs/current/ssl.log, /opt/zeek/logs/20*\/dns.*.log.gz). */
  paths: z.array(z.string().min(1)).min(1),
  /** `auto` tells TSV (#fields header) from JSON per file. */
  format: z.enum(['auto', ...zeekFormats]).default('auto'),
});
export type ZeekConfig = z.infer<typeof zeekConfigSchema>;
