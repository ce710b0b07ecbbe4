// Zeek network logs (file source): conn, dns, ssl (SNI) and http, TSV or JSON, plain or .gz,
// tailed by cursor, aggregated hourly into the egress_hourly stream → norm.egress.
import { defineEgressFileConnector } from '../../src/ingest/logconnector.js';
import { zeekFormats, type ZeekConfig, type ZeekFormat } from './config.js';
import { detectZeekFormat, formatsTried, zeekLineFormats } from './formats.js';

export const zeekConnector = defineEgressFileConnector<ZeekConfig, ZeekFormat>({
  type: 'zeek',
  title: 'Zeek conn/dns/ssl/http logs',
  formatNames: zeekFormats,
  setup: () => ({ formats: zeekLineFormats, detect: detectZeekFormat, formatsTried }),
});
