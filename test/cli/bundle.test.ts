// The bundled CLI (bin/bundle.js → dist/, built by `prepare`): it is used only while every
// source file it was built from is unchanged, and it behaves like the sources run through tsx —
// including the files it reads next to its modules (norm SQL, catalogs) and the registry and
// catalog modules that rules and `query` load.
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bundle, freshBundleEntry } from '../../bin/bundle.js';
import { formatSquidNativeLine } from '../../fixtures/squid/format.js';
import { REPO, runCli, tempDir } from '../helpers/cli.js';

describe('freshBundleEntry (synthetic source tree)', () => {
  const t = tempDir('shadowscan-bundle-');
  afterAll(t.cleanup);
  const rootUrl = pathToFileURL(`${t.dir}/`);
  const src = join(t.dir, 'src/a.ts');

  function writeManifest(): void {
    mkdirSync(join(t.dir, 'src'), { recursive: true });
    mkdirSync(join(t.dir, 'dist/b1'), { recursive: true });
    writeFileSync(src, 'export const a = 1;\n');
    utimesSync(src, new Date('2025-01-01T00:00:00Z'), new Date('2025-01-01T00:00:00Z'));
    writeFileSync(join(t.dir, 'dist/manifest.json'), JSON.stringify({ entry: 'dist/b1/cli.js', builtAt: '', inputs: [['src/a.ts', Date.parse('2025-01-01T00:00:00Z'), 20]] }));
  }

  it('returns the entry while the sources are unchanged', () => {
    writeManifest();
    expect(freshBundleEntry(rootUrl)).toBe(pathToFileURL(join(t.dir, 'dist/b1/cli.js')).href);
  });
  it('refuses a bundle whose source was edited (mtime or size)', () => {
    writeManifest();
    utimesSync(src, new Date(), new Date());
    expect(freshBundleEntry(rootUrl)).toBeUndefined();
    writeManifest();
    writeFileSync(src, 'export const a = 12;\n');
    utimesSync(src, new Date('2025-01-01T00:00:00Z'), new Date('2025-01-01T00:00:00Z'));
    expect(freshBundleEntry(rootUrl)).toBeUndefined();
  });
  it('refuses a missing manifest or a deleted source', () => {
    expect(freshBundleEntry(pathToFileURL(join(t.dir, 'nowhere/')))).toBeUndefined();
    writeManifest();
    writeFileSync(join(t.dir, 'dist/manifest.json'), JSON.stringify({ entry: 'dist/b1/cli.js', builtAt: '', inputs: [['src/gone.ts', 1, 1]] }));
    expect(freshBundleEntry(rootUrl)).toBeUndefined();
  });
});

describe('the bundled CLI', () => {
  const t = tempDir('shadowscan-bundle-run-');
  let entry = '';
  const T0 = Date.UTC(2025, 2, 3, 10, 0, 0);
  const log = join(t.dir, 'access.log');

  beforeAll(async () => {
    entry = join(REPO, (await bundle()).entry);
    const lines = ['api.openai.com:443', 'https://a.vercel.app/x?access_token=sEcR3t', 'https://b.vercel.app/'].map((url, i) =>
      formatSquidNativeLine({
        tsMs: T0 + i * 60_000, elapsedMs: 12, clientIp: '10.0.0.1', resultCode: 'TCP_MISS', httpStatus: 200, bytes: 100 + i,
        method: i === 0 ? 'CONNECT' : 'GET', url, user: 'Alice', hierarchy: 'HIER_DIRECT/1.2.3.4', contentType: 'text/html',
      }),
    );
    writeFileSync(log, `${lines.join('\n')}\nnot a squid line\n`);
  });
  afterAll(t.cleanup);

  /** Runs the same command through the bundle and through the sources (tsx). */
  async function both(args: string[]): Promise<[string, string]> {
    const outs: string[] = [];
    for (const [name, viaBundle] of [['bundle', true], ['sources', false]] as const) {
      const cwd = join(t.dir, name);
      mkdirSync(cwd, { recursive: true });
      const r = viaBundle
        ? await runCli(args, { cwd, entry })
        : await runCli(args, { cwd, env: { SHADOWSCAN_NO_BUNDLE: '1' } });
      expect(r.code, r.stderr).toBe(0);
      outs.push(r.stdout);
    }
    return outs as [string, string];
  }

  it('imports and queries exactly like the sources', async () => {
    const [b, s] = await both(['import', 'squid', log, '--json']);
    const strip = (o: string) => JSON.parse(o.replace(/"syncId": "[^"]+"/, '"syncId": ""')) as unknown;
    expect(strip(b)).toEqual(strip(s));
    expect(strip(b)).toMatchObject({ results: [{ linesRead: 4, rejects: 1 }] });
    const [qb, qs] = await both(['query', 'select host, domain, "user", requests from norm.egress order by host', '--format', 'csv']);
    expect(qb).toBe(qs);
    expect(qb).toBe('host,domain,user,requests\na.vercel.app,a.vercel.app,alice,1\napi.openai.com,openai.com,alice,1\nb.vercel.app,b.vercel.app,alice,1\n');
  });

  it('loads the shipped catalog module (catalog.* views are not the empty stand-ins)', async () => {
    const [qb, qs] = await both(['query', 'select count(*) > 100 as loaded from catalog.domains', '--format', 'csv']);
    expect(qb).toBe('loaded\ntrue\n');
    expect(qs).toBe(qb);
  });
});
