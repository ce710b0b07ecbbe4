// Google Workspace: live through @googleapis/admin (Directory users and per-user OAuth tokens,
// Reports token/login audit events) with a domain-wide-delegated service account, and import of
// Reports exports (API JSON or flattened JSONL), tokens.list and users.list dumps. Rows land in
// raw.google_* and map onto norm.apps, grants, signins, admin_events and people.
import { readFileSync } from 'node:fs';
import type { ConnectorDefinition } from '../../src/connectors/types.js';
import { RateController, defaultRateOptions } from '../../src/connectors/runtime/rate.js';
import { runApiStreams } from '../../src/connectors/runtime/runner.js';
import type { GoogleConfig } from './config.js';
import { googleStreams } from './streams.js';
import { importGoogleFiles } from './import.js';

const sql = (name: string) => readFileSync(new URL(`./norm/${name}.sql`, import.meta.url), 'utf8');

export const googleConnector: ConnectorDefinition = {
  type: 'google',
  title: 'Google Workspace (users, OAuth tokens, token and login audit)',
  streams: Object.values(googleStreams),
  norm: { apps: sql('apps'), grants: sql('grants'), signins: sql('signins'), admin_events: sql('admin_events'), people: sql('people') },
  importFiles: importGoogleFiles,
  async scan(ctx, config) {
    const google = config as GoogleConfig;
    // The SDK is loaded only by scan and doctor, so queries and imports do not pay for it.
    const { createGoogleApis, googleRatePolicy } = await import('./client.js');
    const { googleLiveStreams } = await import('./live.js');
    const rate = new RateController(googleRatePolicy(google), ctx.rateClock ?? ctx.clock, {
      ...defaultRateOptions, share: google.rate_share, maxRetries: google.max_retries, baseBackoffMs: google.backoff_ms,
    });
    const apis = createGoogleApis(google, ctx.secrets, rate);
    return runApiStreams(ctx, 'google', googleLiveStreams(ctx, apis, google), rate);
  },
  doctor: async (ctx, config) => (await import('./doctor.js')).googleDoctor(ctx, config as GoogleConfig),
};
