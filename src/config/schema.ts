// The shape of shadowscan.yaml. Unknown keys are errors everywhere (strict objects), so a typo
// never silently turns a setting off. Connector instance schemas come from connectors/*/config.ts.
import { z } from 'zod';
import { instanceSchemas } from '../connectors/catalog.js';

export const IDENT = /^[a-z0-9][a-z0-9_-]{0,62}$/;
export const identifier = () =>
  z.string().regex(IDENT, 'use lowercase letters, digits, - and _ (max 63 chars, starting with a letter or digit)');

/** Rule threshold names become DuckDB variable names (getvariable('name')): a strict identifier. */
export const THRESHOLD_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

const sizeString = z
  .string()
  .regex(/^\d+(\.\d+)?\s*(KB|MB|GB|TB|KiB|MiB|GiB|TiB)$/i, 'a size such as 512MB or 2GB');

export const configSchema = z
  .strictObject({
    /** Where the lake, state DB and logs live. Relative to the config file. */
    data_dir: z.string().default('.shadowscan'),
    /** Who records triage decisions (falls back to the OS user). */
    operator: z.string().optional(),
    duckdb: z
      .strictObject({
        memory_limit: sizeString.default('512MB'),
        threads: z.number().int().min(1).max(256).default(2),
        /** Spill directory; default <data_dir>/tmp. */
        temp_directory: z.string().optional(),
      })
      .default({ memory_limit: '512MB', threads: 2 }),
    /** Days of data kept per stream; `purge` and scans drop older lake partitions. */
    retention_days: z.record(identifier(), z.number().int().min(1)).default({}),
    rules: z
      .strictObject({
        /** How many days of event streams (sign-ins, egress, …) rules look at. */
        window_days: z.number().int().min(1).max(3650).default(30),
        /** Extra rule folders (same layout as queries/: <dir>/<domain>/<rule_id>.yaml + .sql), relative to this file. */
        dirs: z.array(z.string().min(1)).default([]),
        /** Rule thresholds by name (e.g. egress_min_users: 2); each overrides the rule's default. */
        thresholds: z.record(z.string().regex(THRESHOLD_NAME, 'threshold names are lowercase identifiers (a-z, 0-9, _)'), z.number().finite()).default({}),
      })
      .default({ window_days: 30, dirs: [], thresholds: {} }),
    /** The approved-app registry: a folder of YAML files, relative to this file (src/registry/). */
    registry: z
      .strictObject({
        dir: z.string().min(1).default('registry'),
      })
      .default({ dir: 'registry' }),
    /** The company's own domains: never reported as egress findings (catalog.company_domains). */
    company_domains: z
      .array(
        z
          .string()
          .trim()
          .toLowerCase()
          .regex(/^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/, 'a domain such as acme-corp.example (no scheme, path or port)'),
      )
      .default([]),
    /** Additions to the shipped catalogs (catalogs/*.yaml) for vendors they do not list yet. */
    catalog: z
      .strictObject({
        domains: z
          .array(
            z.strictObject({
              domain: z.string().trim().toLowerCase().regex(/^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9-]{2,63}$/, 'a registrable domain such as example.com'),
              vendor: z.string().min(1),
              category: z.enum(['saas', 'ai', 'automation', 'file_sharing', 'tunnel', 'app_hosting']),
            }),
          )
          .default([]),
      })
      .default({ domains: [] }),
    /**
     * Egress user attribution (docs/attribution.md). A log line's own user is always kept; when a
     * line names none, the user of the successful IdP sign-in from the same IP nearest in time,
     * at most ip_window_minutes away, is inferred (user_inferred = true). Off (0) by default: it
     * is only right where the IdP sees the same address the proxy logs (no NAT between them).
     */
    attribution: z
      .strictObject({
        ip_window_minutes: z.number().int().min(0).max(1440).default(0),
      })
      .default({ ip_window_minutes: 0 }),
    instances: z.record(identifier(), z.discriminatedUnion('type', instanceSchemas)).default({}),
  });

export type Config = z.infer<typeof configSchema>;
export type InstanceConfig = Config['instances'][string];
