// Microsoft Entra ID: live through @azure/msal-node client credentials (secret or certificate)
// and Microsoft Graph v1.0 REST (service principals, applications and their credentials,
// delegated grants, app role assignments, directory audits, sign-ins). Rows land in raw.entra_*
// and map onto norm.apps, grants, app_credentials, signins, admin_events and people.
import { readFileSync } from 'node:fs';
import type { ConnectorDefinition } from '../../src/connectors/types.js';
import type { EntraConfig } from './config.js';
import { entraStreams } from './streams.js';
import { importEntraFiles } from './import.js';

const sql = (name: string) => readFileSync(new URL(`./norm/${name}.sql`, import.meta.url), 'utf8');

export const entraConnector: ConnectorDefinition = {
  type: 'entra',
  title: 'Microsoft Entra ID (service principals, grants, app roles, credentials, audits, sign-ins)',
  streams: Object.values(entraStreams),
  norm: {
    apps: sql('apps'),
    grants: sql('grants'),
    app_credentials: sql('app_credentials'),
    signins: sql('signins'),
    admin_events: sql('admin_events'),
    people: sql('people'),
  },
  importFiles: importEntraFiles,
  // MSAL is loaded only by scan and doctor, so queries and imports do not pay for it.
  scan: async (ctx, config) => (await import('./live.js')).scanEntra(ctx, config as EntraConfig),
  doctor: async (ctx, config) => (await import('./doctor.js')).entraDoctor(ctx, config as EntraConfig),
};
