// Outbound HTTP settings every connector uses: HTTPS_PROXY / HTTP_PROXY / NO_PROXY (through a
// CONNECT tunnel), and NODE_EXTRA_CA_CERTS (read by Node itself at start-up for every TLS
// connection, so nothing to do here but document it). Node's fetch and node-fetch ignore the
// proxy variables on their own; SDKs get an agent from agentFor().
import type { Agent } from 'node:http';
import { HttpProxyAgent } from 'http-proxy-agent';
import { HttpsProxyAgent } from 'https-proxy-agent';
import { getProxyForUrl } from 'proxy-from-env';

const agents = new Map<string, Agent>();

/** The agent for a URL per the proxy environment, or undefined for a direct connection. */
export function agentFor(url: string): Agent | undefined {
  const proxy = getProxyForUrl(url);
  if (!proxy) return undefined;
  const https = url.startsWith('https:');
  const key = `${https ? 's' : 'p'}|${proxy}`;
  let agent = agents.get(key);
  if (!agent) {
    agent = https ? new HttpsProxyAgent(proxy, { keepAlive: true }) : new HttpProxyAgent(proxy, { keepAlive: true });
    agents.set(key, agent);
  }
  return agent;
}
