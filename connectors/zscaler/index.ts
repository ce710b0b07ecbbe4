// Zscaler ZIA NSS web-log feeds (file source): CSV/TSV with the configured field list, or JSON
// lines; plain or .gz, tailed by cursor, aggregated hourly → norm.egress.
import { defineEgressFileConnector } from '../../src/ingest/logconnector.js';
import { zscalerFormats as formatNames, type ZscalerConfig, type ZscalerFormat } from './config.js';
import { detectZscaler, formatsTried, zscalerFormats } from './formats.js';

export const zscalerConnector = defineEgressFileConnector<ZscalerConfig, ZscalerFormat>({
  type: 'zscaler',
  title: 'Zscaler ZIA NSS web logs',
  formatNames,
  setup: (config) => ({ formats: zscalerFormats(config), detect: detectZscaler, formatsTried }),
});
