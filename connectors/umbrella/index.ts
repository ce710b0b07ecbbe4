// Cisco Umbrella DNS logs (file source): S3 CSV export or JSON lines, plain or .gz, tailed by
// cursor, aggregated hourly into the egress_hourly stream → norm.egress.
import { defineEgressFileConnector } from '../../src/ingest/logconnector.js';
import { umbrellaFormats, type UmbrellaConfig, type UmbrellaFormat } from './config.js';
import { detectUmbrella, formatsTried, umbrellaLineFormats } from './formats.js';

export const umbrellaConnector = defineEgressFileConnector<UmbrellaConfig, UmbrellaFormat>({
  type: 'umbrella',
  title: 'Cisco Umbrella DNS logs',
  formatNames: umbrellaFormats,
  setup: () => ({ formats: umbrellaLineFormats, detect: detectUmbrella, formatsTried }),
});
