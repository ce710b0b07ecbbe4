// Palo Alto Networks PAN-OS firewall logs (file source): TRAFFIC and THREAT/url, syslog-wrapped
// or bare CSV, plain or .gz, tailed by cursor, aggregated hourly → norm.egress.
import { defineEgressFileConnector } from '../../src/ingest/logconnector.js';
import { paloaltoFormats, type PaloaltoConfig, type PaloaltoFormat } from './config.js';
import { detectPaloalto, formatsTried, paloaltoFormat } from './formats.js';

export const paloaltoConnector = defineEgressFileConnector<PaloaltoConfig, PaloaltoFormat>({
  type: 'paloalto',
  title: 'Palo Alto Networks PAN-OS traffic and URL logs',
  formatNames: paloaltoFormats,
  setup: (config) => ({ formats: { csv: paloaltoFormat(config?.timezone ?? 'UTC') }, detect: detectPaloalto, formatsTried }),
});
