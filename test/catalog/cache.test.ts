// The validated catalogs are cached as JSON keyed by the catalog files and the loader's code: a
// second load reads the cache and gives exactly what loadCatalogs gives; an edited catalog file
// gets a new key (never a stale cache); a broken catalog is still refused, never cached; an
// unreadable cache falls back to the YAML.
import { copyFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILTIN_CATALOG_DIR, CATALOG_FILES, cachedCatalogs, catalogCacheKey, loadCatalogs } from '../../src/catalog/index.js';
import { UserError } from '../../src/errors.js';
import { tempDir } from '../helpers/cli.js';

const tmp = tempDir('shadowscan-catalog-cache-');
afterAll(tmp.cleanup);

function copyAll(dir: string): void {
  mkdirSync(dir, { recursive: true });
  for (const f of Object.values(CATALOG_FILES)) copyFileSync(join(BUILTIN_CATALOG_DIR, f), join(dir, f));
}

describe('catalog cache', () => {
  it('writes the validated catalogs once and reads them back equal to loadCatalogs', () => {
    const dir = join(tmp.dir, 'a');
    const cache = join(tmp.dir, 'cache-a');
    copyAll(dir);
    const first = cachedCatalogs(dir, cache);
    const files = readdirSync(cache);
    expect(files).toEqual([`catalogs-${catalogCacheKey(dir)}.json`]);
    // Mark the cached copy: a second load must come from it, not from the YAML.
    const path = join(cache, files[0]!);
    const marked = JSON.parse(readFileSync(path, 'utf8'));
    marked.domains[0].vendor = 'from-cache';
    writeFileSync(path, JSON.stringify(marked));
    const second = cachedCatalogs(dir, cache);
    expect(second.domains[0]!.vendor).toBe('from-cache');
    expect(first).toEqual(loadCatalogs(dir));
    expect(second.riskyScopes).toEqual(first.riskyScopes);
  });

  it('an edited catalog file gets a new key; a broken one is refused and not cached', () => {
    const dir = join(tmp.dir, 'b');
    const cache = join(tmp.dir, 'cache-b');
    copyAll(dir);
    const before = catalogCacheKey(dir);
    cachedCatalogs(dir, cache);
    const noise = join(dir, CATALOG_FILES.noise);
    writeFileSync(noise, readFileSync(noise, 'utf8').replace(/\nnoise:\n/, '\nnoise:\n  - domain: not a host\n    kind: cdn\n    vendor: X\n    source: nobody\n'));
    expect(catalogCacheKey(dir)).not.toBe(before);
    expect(() => cachedCatalogs(dir, cache)).toThrow(UserError);
    expect(readdirSync(cache)).toEqual([`catalogs-${before}.json`]);
  });

  it('a corrupt cache file is ignored and the YAML is loaded', () => {
    const dir = join(tmp.dir, 'c');
    const cache = join(tmp.dir, 'cache-c');
    copyAll(dir);
    mkdirSync(cache, { recursive: true });
    writeFileSync(join(cache, `catalogs-${catalogCacheKey(dir)}.json`), '{"domains": [');
    expect(cachedCatalogs(dir, cache)).toEqual(loadCatalogs(dir));
  });
});
