// Config of a `route53` instance: Route 53 Resolver query logs, and optionally a file mapping
// EC2 instance ids (srcids.instance) to the person each instance belongs to.
import { z } from 'zod';

export const route53Formats = ['jsonl'] as const;
export type Route53Format = (typeof route53Formats)[number];

export const route53ConfigSchema = z.strictObject({
  type: z.literal('route53'),
  /** Files or globs of the delivered query logs (JSON lines, plain or .gz). */
  paths: z.array(z.string().min(1)).min(1),
  format: z.enum(['auto', ...route53Formats]).default('auto'),
  /**
   * CSV file with a header `instance_id,user` (relative to the working directory): queries from a
   * listed instance get that user. Read at each import; rows already imported are not re-mapped.
   */
  instance_users: z.string().min(1).optional(),
});
export type Route53Config = z.infer<typeof route53ConfigSchema>;
