// Every connector type shadowscan knows: its config schema (cheap to load) and a lazy loader for
// the implementation, so `shadowscan query` never imports provider SDKs it does not use.
import { squidConfigSchema } from '../../connectors/squid/config.js';
import { oktaConfigSchema } from '../../connectors/okta/config.js';
import { entraConfigSchema } from '../../connectors/entra/config.js';
import { googleConfigSchema } from '../../connectors/google/config.js';
import { zeekConfigSchema } from '../../connectors/zeek/config.js';
import { route53ConfigSchema } from '../../connectors/route53/config.js';
import { umbrellaConfigSchema } from '../../connectors/umbrella/config.js';
import { paloaltoConfigSchema } from '../../connectors/paloalto/config.js';
import { genericEgressConfigSchema } from '../../connectors/generic_egress/config.js';
import { zscalerConfigSchema } from '../../connectors/zscaler/config.js';
import type { ConnectorDefinition } from './types.js';

export const instanceSchemas = [
  squidConfigSchema, oktaConfigSchema, entraConfigSchema, googleConfigSchema, zeekConfigSchema, route53ConfigSchema,
  umbrellaConfigSchema, paloaltoConfigSchema, genericEgressConfigSchema, zscalerConfigSchema,
] as const;

const loaders: Record<string, () => Promise<ConnectorDefinition>> = {
  squid: async () => (await import('../../connectors/squid/index.js')).squidConnector,
  okta: async () => (await import('../../connectors/okta/index.js')).oktaConnector,
  entra: async () => (await import('../../connectors/entra/index.js')).entraConnector,
  google: async () => (await import('../../connectors/google/index.js')).googleConnector,
  zeek: async () => (await import('../../connectors/zeek/index.js')).zeekConnector,
  route53: async () => (await import('../../connectors/route53/index.js')).route53Connector,
  umbrella: async () => (await import('../../connectors/umbrella/index.js')).umbrellaConnector,
  paloalto: async () => (await import('../../connectors/paloalto/index.js')).paloaltoConnector,
  zscaler: async () => (await import('../../connectors/zscaler/index.js')).zscalerConnector,
  generic_egress: async () => (await import('../../connectors/generic_egress/index.js')).genericEgressConnector,
};

export const connectorTypes = Object.keys(loaders);

export async function loadConnector(type: string): Promise<ConnectorDefinition | undefined> {
  const load = loaders[type];
  return load ? load() : undefined;
}
