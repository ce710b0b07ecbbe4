// Defines a file-source egress connector (Zeek, PAN-OS, Zscaler, Route 53, Umbrella, generic
// CSV/JSONL) as data: its formats, detection and config. Every such connector is a thin layer over
// the one pipeline (fileimport → egress): same stream, same hourly rows, same tailing cursors,
// same norm.egress mapping — only the line layouts differ.
import type { ConnectorDefinition, StreamDef } from '../connectors/types.js';
import type { InstanceConfig } from '../config/schema.js';
import { UserError, errorMessage } from '../errors.js';
import { egressHourlyColumns } from './egress.js';
import { expandFiles, importLogFiles, type LineFormatSource } from './fileimport.js';

export const egressHourlyStream: StreamDef = {
  name: 'egress_hourly',
  mode: 'events',
  columns: egressHourlyColumns,
  timeColumn: 'hour',
};

/** norm.egress from one connector's raw stream: chunks (appended logs, rotated copies) summed again per key. */
export function normEgressSql(connectorType: string): string {
  // Unquoted: connector types are identifiers, and src/rules/sources.ts finds the stream by this name.
  return `select hour, min(first_ts) as first_ts, max(last_ts) as last_ts, _instance as instance, "user",
       bool_or(user_inferred) as user_inferred, src_ip, host, domain, sum(requests) as requests,
       sum(bytes_out) as bytes_out, sum(bytes_in) as bytes_in, method, status_class, source
  from raw.${connectorType}_egress_hourly
 group by hour, _instance, "user", src_ip, host, domain, method, status_class, source`;
}

/** What a connector's config contributes to every import or scan of its files. */
export interface EgressFileSetup<F extends string> {
  formats: Record<F, LineFormatSource>;
  detect(sample: string[]): F | undefined;
  /** Human list of the layouts detection tries (shown when a file fits none). */
  formatsTried: string;
}

export interface EgressFileConnectorSpec<C extends { type: string; paths?: string[]; format?: string }, F extends string> {
  type: string;
  title: string;
  /** Formats a user may name with --format / `format:` (besides `auto`). */
  formatNames: readonly F[];
  /**
   * Formats and detection for one instance. `config` is the instance's config when it is
   * configured (always on scan; on import when --instance names a configured instance), else undefined.
   */
  setup(config: C | undefined): EgressFileSetup<F>;
}

export function defineEgressFileConnector<C extends { type: string; paths?: string[]; format?: string }, F extends string>(
  spec: EgressFileConnectorSpec<C, F>,
): ConnectorDefinition {
  const checkFormat = (f: string | undefined): F | undefined => {
    if (f === undefined || f === 'auto') return undefined;
    if (!(spec.formatNames as readonly string[]).includes(f)) {
      throw new UserError(`unknown --format ${f} for ${spec.type}`, { hint: `${spec.type} formats: ${spec.formatNames.join(', ')} (or auto)` });
    }
    return f as F;
  };
  const setup = (config: C | undefined): EgressFileSetup<F> => {
    try {
      return spec.setup(config);
    } catch (e) {
      if (e instanceof UserError) throw e;
      throw new UserError(`${spec.type}: ${errorMessage(e)}`, { hint: 'fix the file or setting named above in the instance config' });
    }
  };
  return {
    type: spec.type,
    title: spec.title,
    streams: [egressHourlyStream],
    norm: { egress: normEgressSql(spec.type) },
    async importFiles(ctx, opts) {
      const forced = checkFormat(opts.format);
      const config = opts.config?.type === spec.type ? (opts.config as unknown as C) : undefined;
      const fileSetup = setup(config);
      return [
        await importLogFiles(ctx, {
          connector: spec.type,
          stream: egressHourlyStream,
          files: await expandFiles(opts.files),
          origin: 'import',
          complete: opts.complete ?? false,
          forcedFormat: forced ?? checkFormat(config?.format),
          ...fileSetup,
        }),
      ];
    },
    async doctor(ctx, config: InstanceConfig) {
      const c = config as unknown as C;
      try {
        setup(c);
        const files = await expandFiles(c.paths ?? []);
        return [{ instance: ctx.instance, check: 'paths', ok: files.length > 0, detail: `${files.length} file(s) match` }];
      } catch (e) {
        return [{ instance: ctx.instance, check: 'paths', ok: false, detail: e instanceof Error ? e.message : String(e), hint: 'check the paths: in the instance config and that this user can read them' }];
      }
    },
    async scan(ctx, config: InstanceConfig) {
      const c = config as unknown as C;
      const fileSetup = setup(c);
      return [
        await importLogFiles(ctx, {
          connector: spec.type,
          stream: egressHourlyStream,
          files: await expandFiles(c.paths ?? []),
          origin: 'scan',
          complete: false,
          forcedFormat: checkFormat(c.format),
          ...fileSetup,
        }),
      ];
    },
  };
}
