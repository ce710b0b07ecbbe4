// Okta: live through @okta/okta-sdk-nodejs (users, apps incl. OAuth client settings, app and
// user grants, System Log in polling mode) and import of exported JSON/JSONL. Rows land in
// raw.okta_* and map onto norm.apps, grants, signins, admin_events and people.
import { readFileSync } from 'node:fs';
import type { ConnectorDefinition } from '../../src/connectors/types.js';
import { RateController, defaultRateOptions } from '../../src/connectors/runtime/rate.js';
import { runApiStreams } from '../../src/connectors/runtime/runner.js';
import type { OktaConfig } from './config.js';
import { oktaStreams } from './streams.js';
import { importOktaFiles } from './import.js';

const sql = (name: string) => readFileSync(new URL(`./norm/${name}.sql`, import.meta.url), 'utf8');

export const oktaConnector: ConnectorDefinition = {
  type: 'okta',
  title: 'Okta (users, apps, grants, System Log)',
  streams: Object.values(oktaStreams),
  norm: { apps: sql('apps'), grants: sql('grants'), signins: sql('signins'), admin_events: sql('admin_events'), people: sql('people') },
  importFiles: importOktaFiles,
  async scan(ctx, config) {
    const okta = config as OktaConfig;
    const { createOktaHttp, oktaRatePolicy } = await import('./client.js');
    const { oktaLiveStreams } = await import('./live.js');
    const rate = new RateController(
      oktaRatePolicy,
      ctx.rateClock ?? ctx.clock,
      { ...defaultRateOptions, share: okta.rate_share, maxRetries: okta.max_retries, baseBackoffMs: okta.backoff_ms },
    );
    const http = createOktaHttp(okta, ctx.secrets, rate);
    return runApiStreams(ctx, 'okta', oktaLiveStreams(http, okta, ctx.clock), rate);
  },
  // The SDK is loaded only by scan and doctor, so queries and imports do not pay for it.
  doctor: async (ctx, config) => (await import('./doctor.js')).oktaDoctor(ctx, config as OktaConfig),
};
