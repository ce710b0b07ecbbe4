// Config of a `squid` instance: which access.log files to tail.
import { z } from 'zod';

export const squidFormats = ['native', 'common', 'combined'] as const;
export type SquidFormat = (typeof squidFormats)[number];

export const squidConfigSchema = z.strictObject({
  type: z.literal('squid'),
  /** Files or globs (e.g. /var/log/squid/access.log*); rotated and .gz copies are recognised. */
  paths: z.array(z.string().min(1)).min(1),
  /** `auto` detects the logformat from the first lines of each file. */
  format: z.enum(['auto', ...squidFormats]).default('auto'),
});
export type SquidConfig = z.infer<typeof squidConfigSchema>;
