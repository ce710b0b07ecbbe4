// Outbound HTTP through a corporate proxy (issue 4, acceptance 6; DESIGN.md "Rate control"):
// the emulator serves https with the test certificate, the CLI trusts it through
// NODE_EXTRA_CA_CERTS, and with HTTPS_PROXY set every request tunnels through a CONNECT proxy
// on 127.0.0.1. NO_PROXY=127.0.0.1 bypasses it; without the extra CA the scan fails cleanly.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPO, tempDir } from '../helpers/cli.js';
import { startConnectProxy, type ConnectProxy } from '../helpers/connect-proxy.js';
import { byStream, expectedCounts, rawCounts, scan, startWorld, writeOktaConfig, type OktaWorld } from '../helpers/okta.js';

const CA = join(REPO, 'fixtures/tls/localhost.crt');
let world: OktaWorld;
let proxy: ConnectProxy;
const tmp = tempDir();

beforeAll(async () => {
  world = await startWorld({ tls: { cert: readFileSync(CA), key: readFileSync(join(REPO, 'fixtures/tls/localhost.key')) } });
  proxy = await startConnectProxy();
});
afterAll(async () => {
  await world.emu.close();
  await proxy.close();
  tmp.cleanup();
});

function instanceDir(name: string, extra: Record<string, unknown> = {}): string {
  const dir = join(tmp.dir, name);
  mkdirSync(dir);
  writeOktaConfig(dir, world.emu.url, extra);
  return dir;
}

describe('through a CONNECT proxy', () => {
  it('the emulator is really https, with https Link URLs', () => {
    expect(world.emu.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
  });

  it('with HTTPS_PROXY set, the scan succeeds and every request went through the proxy', async () => {
    // Every endpoint family (user_grants, one request per user like app_grants, is left out for speed).
    const streams = ['users', 'apps', 'app_grants', 'system_log'] as const;
    const dir = instanceDir('proxied', { streams: [...streams] });
    world.emu.resetStats();
    const r = await scan(dir, { ...world.env, HTTPS_PROXY: proxy.url, NODE_EXTRA_CA_CERTS: CA });
    expect(r.code, r.stderr).toBe(0);
    expect(r.results.map((x) => [x.stream, x.status])).toEqual(streams.map((s) => [s, 'ok']));
    const counts = await rawCounts(dir, world.env);
    const expected = expectedCounts(world.tenant);
    expect(streams.map((s) => counts[s])).toEqual(streams.map((s) => expected[s]));
    const target = `127.0.0.1:${world.emu.port}`;
    // Only tunnels to the org, no plain-http requests; at least one tunnel, at most one per request.
    expect(Object.keys(proxy.connects)).toEqual([target]);
    expect(proxy.plainRequests).toBe(0);
    expect(proxy.connects[target]).toBeGreaterThan(0);
    expect(proxy.connects[target]).toBeLessThanOrEqual(world.emu.stats.requests);
    // The requests the emulator saw include the paginated follow-ups built from https Link URLs.
    expect(world.emu.stats.byRoute['/api/v1/logs']).toBe(3);
  });

  it('with NO_PROXY=127.0.0.1 the proxy sees nothing and the scan still succeeds', async () => {
    const dir = instanceDir('bypass', { streams: ['users', 'apps', 'system_log'] });
    const before = proxy.total();
    world.emu.resetStats();
    const r = await scan(dir, { ...world.env, HTTPS_PROXY: proxy.url, NO_PROXY: '127.0.0.1', NODE_EXTRA_CA_CERTS: CA });
    expect(r.code, r.stderr).toBe(0);
    expect(world.emu.stats.requests).toBeGreaterThan(0);
    expect(proxy.total()).toBe(before);
  });

  it('without NODE_EXTRA_CA_CERTS the certificate is refused: every stream fails with a TLS hint, exit 3', async () => {
    const dir = instanceDir('untrusted', { streams: ['users', 'system_log'] });
    const r = await scan(dir, { ...world.env, HTTPS_PROXY: proxy.url });
    expect(r.code, r.stderr).toBe(3);
    const results = byStream(r.results);
    expect(results.users!.status).toBe('failed');
    expect(results.users!.error).toMatch(/self[- ]signed certificate/i);
    expect(results.users!.hint).toMatch(/NODE_EXTRA_CA_CERTS/);
    expect(results.system_log!.status).toBe('failed');
    expect(results.system_log!.error).toMatch(/self[- ]signed certificate/i);
  });
});
