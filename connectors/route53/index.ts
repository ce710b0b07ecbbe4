// Route 53 Resolver query logs (file source): JSON lines, plain or .gz, tailed by cursor,
// aggregated hourly into the egress_hourly stream → norm.egress; users from an instance-id map.
import { defineEgressFileConnector } from '../../src/ingest/logconnector.js';
import { route53Formats, type Route53Config, type Route53Format } from './config.js';
import { detectRoute53, formatsTried, loadInstanceUsers, route53Format } from './formats.js';

export const route53Connector = defineEgressFileConnector<Route53Config, Route53Format>({
  type: 'route53',
  title: 'Route 53 Resolver query logs',
  formatNames: route53Formats,
  setup: (config) => {
    const users = config?.instance_users ? loadInstanceUsers(config.instance_users) : new Map<string, string>();
    return { formats: { jsonl: route53Format(users) }, detect: detectRoute53, formatsTried };
  },
});
