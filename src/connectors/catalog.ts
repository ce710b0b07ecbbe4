// Every connector type shadowscan knows: its config schema (cheap to load) and a lazy loader for
// the implementation, so `shadowscan query` never imports provider SDKs it does not use.
import { squidConfigSchema } from '../../connectors/squid/config.js';
import { oktaConfigSchema } from '../../connectors/okta/config.js';
import { entraConfigSchema } from '../../connectors/entra/config.js';
import { googleConfigSchema } from '../../connectors/google/config.js';
import type { ConnectorDefinition } from './types.js';

export const instanceSchemas = [squidConfigSchema, oktaConfigSchema, entraConfigSchema, googleConfigSchema] as const;

const loaders: Record<string, () => Promise<ConnectorDefinition>> = {
  squid: async () => (await import('../../connectors/squid/index.js')).squidConnector,
  okta: async () => (await import('../../connectors/okta/index.js')).oktaConnector,
  entra: async () => (await import('../../connectors/entra/index.js')).entraConnector,
  google: async () => (await import('../../connectors/google/index.js')).googleConnector,
};

export const connectorTypes = Object.keys(loaders);

export async function loadConnector(type: string): Promise<ConnectorDefinition | undefined> {
  const load = loaders[type];
  return load ? load() : undefined;
}
