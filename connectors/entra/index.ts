// Microsoft Entra ID: live through @azure/msal-node client credentials (secret or certificate)
// and Microsoft Graph v1.0 REST (service principals, applications and their credentials,
// delegated grants, app role assignments, directory audits, sign-ins). Rows land in raw.entra_*
// and map onto norm.apps, grants, app_credentials, signins, admin_events and people.
import { existsSync, readFileSync } from 'node:fs';
import type { ConnectorDefinition, StreamRunResult } from '../../src/connectors/types.js';
import type { NormView } from '../../src/norm/schema.js';
import { entraStreams } from './streams.js';
import { importEntraFiles } from './import.js';

const normViewNames: NormView[] = ['apps', 'grants', 'app_credentials', 'signins', 'admin_events', 'people'];
const norm: ConnectorDefinition['norm'] = {};
for (const view of normViewNames) {
  const file = new URL(`./norm/${view}.sql`, import.meta.url);
  if (existsSync(file)) norm[view] = readFileSync(file, 'utf8');
}

export const entraConnector: ConnectorDefinition = {
  type: 'entra',
  title: 'Microsoft Entra ID (service principals, grants, app roles, credentials, audits, sign-ins)',
  streams: Object.values(entraStreams),
  norm,
  importFiles: importEntraFiles,
  async scan(ctx, config): Promise<StreamRunResult[]> {
    const { scanEntra } = await import('./live.js');
    return scanEntra(ctx, config as never);
  },
};
