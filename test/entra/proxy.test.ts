// Outbound HTTP through a corporate proxy (issue 6; DESIGN.md "Rate control"): the Graph
// emulator serves https with the test certificate, MSAL's OIDC discovery and token request and
// every Graph call tunnel through a CONNECT proxy on 127.0.0.1 (HTTPS_PROXY), the certificate is
// trusted through NODE_EXTRA_CA_CERTS; NO_PROXY bypasses the proxy; without the CA the scan
// fails cleanly with a hint.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, tempDir } from '../helpers/cli.js';
import { startConnectProxy, type ConnectProxy } from '../helpers/connect-proxy.js';
import { byStream, scan, startEntraWorld, writeEntraConfig, type EntraWorld } from '../helpers/entra.js';

const CA = join(REPO, 'fixtures/tls/localhost.crt');
let world: EntraWorld;
let proxy: ConnectProxy;
const tmp = tempDir();
const STREAMS = ['service_principals', 'directory_audits'];

beforeAll(async () => {
  world = await startEntraWorld({ tls: { cert: readFileSync(CA), key: readFileSync(join(REPO, 'fixtures/tls/localhost.key')) } });
  proxy = await startConnectProxy();
}, 60_000);
afterAll(async () => {
  await world.emu.close();
  await proxy.close();
  tmp.cleanup();
});

/** An instance using real https discovery: authority = the emulator, no token_endpoint shortcut. */
function instanceDir(name: string): string {
  const dir = join(tmp.dir, name);
  mkdirSync(dir);
  writeEntraConfig(dir, world.emu, { streams: STREAMS, authority_host: world.emu.url, token_endpoint: undefined, page_size: 50 });
  return dir;
}

describe('Entra through a CONNECT proxy', () => {
  it('with HTTPS_PROXY set, MSAL (discovery + token) and Graph all tunnel through the proxy and the scan is complete', async () => {
    expect(world.emu.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    const dir = instanceDir('proxied');
    world.emu.resetStats();
    const r = await scan(dir, { ...world.env, HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: CA });
    expect(r.code, r.stderr).toBe(0);
    expect(r.results.map((x) => [x.stream, x.status, x.rowsWritten])).toEqual([
      ['service_principals', 'ok', world.tenant.entra.servicePrincipals.length],
      ['directory_audits', 'ok', world.tenant.entra.directoryAudits.length],
    ]);
    const target = `127.0.0.1:${world.emu.port}`;
    expect(Object.keys(proxy.connects)).toEqual([target]);
    expect(proxy.plainRequests).toBe(0);
    expect(proxy.connects[target]).toBeGreaterThan(0);
    expect(world.emu.stats.byRoute['/{tenant}/v2.0/.well-known/openid-configuration']).toBe(1);
    expect(world.emu.stats.tokensIssued).toBe(1);
    // servicePrincipals (a delta query's first round) in pages of 50, following https nextLinks built from the Host header.
    expect(world.emu.stats.byRoute['/servicePrincipals/delta']).toBe(Math.ceil(world.tenant.entra.servicePrincipals.length / 50));
  });

  it('with NO_PROXY=127.0.0.1 the proxy sees nothing and the scan still succeeds', async () => {
    const dir = instanceDir('bypass');
    const before = proxy.total();
    const r = await scan(dir, { ...world.env, HTTPS_PROXY: proxy.url, NO_PROXY: '127.0.0.1', NODE_EXTRA_CA_CERTS: CA });
    expect(r.code, r.stderr).toBe(0);
    expect(proxy.total()).toBe(before);
  });

  it('without NODE_EXTRA_CA_CERTS the certificate is refused: every stream fails with a hint naming it, exit 3', async () => {
    const dir = instanceDir('untrusted');
    const r = await scan(dir, { ...world.env, HTTPS_PROXY: proxy.url });
    expect(r.code, r.stderr).toBe(3);
    for (const s of STREAMS) {
      const x = byStream(r.results)[s]!;
      expect([s, x.status]).toEqual([s, 'failed']);
      expect(x.error).toMatch(/self[- ]signed certificate/i);
      expect(x.hint).toMatch(/NODE_EXTRA_CA_CERTS/);
    }
  });
});
