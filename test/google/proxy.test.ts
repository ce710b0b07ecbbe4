// Google calls go through the runtime's proxy/CA handling (DESIGN.md "Rate control"): the
// emulator serves https with the test certificate, the CLI trusts it through
// NODE_EXTRA_CA_CERTS, and with HTTPS_PROXY every request — the token request included — tunnels
// through a CONNECT proxy on 127.0.0.1; NO_PROXY=127.0.0.1 bypasses it (our decision, not
// gaxios' own); without the CA the scan fails with a TLS hint.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, tempDir } from '../helpers/cli.js';
import { startConnectProxy, type ConnectProxy } from '../helpers/connect-proxy.js';
import { byStream, scan, startGoogleWorld, writeGoogleConfig, type GoogleWorld } from './world.js';

const CA = join(REPO, 'fixtures/tls/localhost.crt');
let world: GoogleWorld;
let proxy: ConnectProxy;
const tmp = tempDir();

beforeAll(async () => {
  world = await startGoogleWorld({ tls: { cert: readFileSync(CA), key: readFileSync(join(REPO, 'fixtures/tls/localhost.key')) } });
  proxy = await startConnectProxy();
});
afterAll(async () => {
  await world.emu.close();
  await proxy.close();
  tmp.cleanup();
});

function dirFor(name: string): string {
  const dir = join(tmp.dir, name);
  mkdirSync(dir);
  writeGoogleConfig(dir, world, { streams: ['users', 'tokens', 'login_activity'] });
  return dir;
}

describe('google through a CONNECT proxy', () => {
  it('with HTTPS_PROXY set, the scan succeeds and every request, the token requests too, tunnels through the proxy', async () => {
    expect(world.emu.url).toMatch(/^https:\/\//);
    const dir = dirFor('proxied');
    world.emu.resetStats();
    const r = await scan(dir, { ...world.env, HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: CA });
    expect(r.code, r.stderr).toBe(0);
    expect(r.results.map((x) => [x.stream, x.status])).toEqual([['users', 'ok'], ['tokens', 'ok'], ['login_activity', 'ok']]);
    const target = `127.0.0.1:${world.emu.port}`;
    expect(Object.keys(proxy.connects)).toEqual([target]);
    expect(proxy.plainRequests).toBe(0);
    expect(proxy.connects[target]).toBeGreaterThan(0);
    expect(world.emu.stats.byRoute['/token']).toBe(3);
  });

  it('with NO_PROXY=127.0.0.1 the proxy sees nothing', async () => {
    const dir = dirFor('bypass');
    const before = proxy.total();
    const r = await scan(dir, { ...world.env, HTTPS_PROXY: proxy.url, NO_PROXY: '127.0.0.1', NODE_EXTRA_CA_CERTS: CA });
    expect(r.code, r.stderr).toBe(0);
    expect(proxy.total()).toBe(before);
  });

  it('without NODE_EXTRA_CA_CERTS the certificate is refused: the streams fail with a TLS hint (exit 3)', async () => {
    const dir = dirFor('untrusted');
    const r = await scan(dir, { ...world.env, HTTPS_PROXY: proxy.url });
    expect(r.code, r.stderr).toBe(3);
    const users = byStream(r.results).users!;
    expect(users.status).toBe('failed');
    expect(users.error).toMatch(/self[- ]signed certificate/i);
    expect(users.hint).toMatch(/NODE_EXTRA_CA_CERTS/);
  });
});
