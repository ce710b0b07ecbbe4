// Squid proxy access logs (file source): native `squid` logformat and common/combined, plain or
// .gz, tailed by cursor, aggregated hourly into the egress_hourly stream → norm.egress.
import { readFileSync } from 'node:fs';
import type { ConnectorDefinition, StreamDef } from '../../src/connectors/types.js';
import { UserError } from '../../src/errors.js';
import { egressHourlyColumns } from '../../src/ingest/egress.js';
import { expandFiles, importLogFiles } from '../../src/ingest/fileimport.js';
import type { SquidConfig, SquidFormat } from './config.js';
import { detectSquidFormat, formatsTried, squidLineFormats } from './formats.js';

const egressHourly: StreamDef = {
  name: 'egress_hourly',
  mode: 'events',
  columns: egressHourlyColumns,
  timeColumn: 'hour',
};

const normEgress = readFileSync(new URL('./norm/egress.sql', import.meta.url), 'utf8');

export const squidConnector: ConnectorDefinition = {
  type: 'squid',
  title: 'Squid proxy access.log',
  streams: [egressHourly],
  norm: { egress: normEgress },
  async importFiles(ctx, opts) {
    const forced = opts.format as SquidFormat | undefined;
    if (forced && !(forced in squidLineFormats)) throw new UserError(`unknown --format ${forced}`, { hint: 'squid formats: native, common, combined' });
    return [
      await importLogFiles(ctx, {
        connector: 'squid',
        stream: egressHourly,
        files: await expandFiles(opts.files),
        origin: 'import',
        complete: opts.complete ?? false,
        forcedFormat: forced,
        formats: squidLineFormats,
        detect: detectSquidFormat,
        formatsTried,
      }),
    ];
  },
  async doctor(ctx, config) {
    const squid = config as SquidConfig;
    try {
      const files = await expandFiles(squid.paths);
      return [{ instance: ctx.instance, check: 'paths', ok: files.length > 0, detail: `${files.length} file(s) match` }];
    } catch (e) {
      return [{ instance: ctx.instance, check: 'paths', ok: false, detail: e instanceof Error ? e.message : String(e), hint: 'check the paths: in the instance config and that this user can read them' }];
    }
  },
  async scan(ctx, config) {
    const squid = config as SquidConfig;
    return [
      await importLogFiles(ctx, {
        connector: 'squid',
        stream: egressHourly,
        files: await expandFiles(squid.paths),
        origin: 'scan',
        complete: false,
        forcedFormat: squid.format === 'auto' ? undefined : squid.format,
        formats: squidLineFormats,
        detect: detectSquidFormat,
        formatsTried,
      }),
    ];
  },
};
