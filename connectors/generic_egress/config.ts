// Config of a `generic_egress` instance: any CSV or JSON-lines egress log, with a mapping from
// the egress columns to the file's own column names (CSV header) or keys (JSON, dotted for nested).
import { z } from 'zod';
import { isTimeZone } from '../../src/ingest/linesql.js';

export const genericFormats = ['csv', 'jsonl'] as const;
export type GenericFormat = (typeof genericFormats)[number];

/** A CSV header name / JSON key (dots = nesting), or a 1-based column number for header-less CSV. */
const column = z.union([z.string().min(1).max(200), z.number().int().min(1).max(10_000)]);

export const genericEgressConfigSchema = z
  .strictObject({
    type: z.literal('generic_egress'),
    paths: z.array(z.string().min(1)).min(1),
    format: z.enum(['auto', ...genericFormats]).default('auto'),
    /** CSV only: the field separator (one character; `\t` for TSV). */
    delimiter: z.string().length(1).default(','),
    /** CSV only: the first line of each file names the columns (else map columns by number). */
    header: z.boolean().default(true),
    columns: z.strictObject({
      time: column,
      host: column.optional(),
      /** A URL column: its host is used when `host` is not mapped (the URL itself is never stored). */
      url: column.optional(),
      user: column.optional(),
      src_ip: column.optional(),
      method: column.optional(),
      status: column.optional(),
      bytes_in: column.optional(),
      bytes_out: column.optional(),
    }),
    /** `auto`: epoch seconds/milliseconds or ISO 8601; else a strptime format such as %d/%m/%Y %H:%M:%S. */
    time_format: z.string().min(1).max(100).default('auto'),
    /** Zone of times written without an offset. */
    timezone: z.string().refine(isTimeZone, 'an IANA time zone such as UTC or Europe/Berlin').default('UTC'),
    /** Shown as norm.egress.source (e.g. the product the log comes from). */
    source: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'lowercase letters, digits, - and _').default('generic'),
  })
  .refine((c) => c.columns.host !== undefined || c.columns.url !== undefined, { message: 'columns: map host or url (the destination)', path: ['columns'] });
export type GenericEgressConfig = z.infer<typeof genericEgressConfigSchema>;
