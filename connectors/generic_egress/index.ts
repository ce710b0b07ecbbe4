// Generic egress logs (file source): CSV or JSON lines with a column mapping in config, plain or
// .gz, tailed by cursor, aggregated hourly into the egress_hourly stream → norm.egress.
import { defineEgressFileConnector } from '../../src/ingest/logconnector.js';
import { genericFormats as formatNames, type GenericEgressConfig, type GenericFormat } from './config.js';
import { detectGeneric, formatsTried, genericFormats } from './formats.js';

export const genericEgressConnector = defineEgressFileConnector<GenericEgressConfig, GenericFormat>({
  type: 'generic_egress',
  title: 'Generic CSV / JSON-lines egress log (column mapping in config)',
  formatNames,
  setup: (config) => ({ formats: genericFormats(config), detect: detectGeneric, formatsTried }),
});
