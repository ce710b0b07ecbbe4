// The validated shipped catalogs, cached as JSON under node_modules/.cache/shadowscan/ and keyed
// by a hash of the catalog files and of the code that loads them: parsing and validating about
// 140 KB of YAML took a quarter of a second on every command, before any work. The cache lives
// inside the install, as trusted as the code itself — never in a shared temp folder, where another
// user could plant a catalog that marks an app first-party and so hides it. A cache that cannot be
// read or written is ignored: the catalogs are then loaded from YAML as before.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { BUILTIN_CATALOG_DIR, CATALOG_FILES, loadCatalogs, type Catalogs } from './load.js';

/** Raise when the cached shape changes in a way the hashed sources would not show. */
const CACHE_FORMAT = 1;

/** node_modules/.cache/shadowscan of this install. */
export const CATALOG_CACHE_DIR = fileURLToPath(new URL('../../node_modules/.cache/shadowscan/', import.meta.url));

/** Source files whose code decides what loadCatalogs returns. */
const LOADER_SOURCES = ['./load.ts', './yaml-file.ts', './hosts.ts', './providers.ts'].map((f) => fileURLToPath(new URL(f, import.meta.url)));

/** The cache key of the catalogs in `dir`, or undefined when a file cannot be read. */
export function catalogCacheKey(dir: string): string | undefined {
  try {
    const h = createHash('sha256').update(`format ${CACHE_FORMAT}\0`);
    for (const name of Object.values(CATALOG_FILES)) h.update(`${name}\0`).update(readFileSync(join(dir, name))).update('\0');
    for (const file of LOADER_SOURCES) h.update(readFileSync(file)).update('\0');
    return h.digest('hex').slice(0, 24);
  } catch {
    return undefined;
  }
}

/** loadCatalogs(dir), from the cache when the files and the loader are unchanged. */
export function cachedCatalogs(dir: string, cacheDir: string = CATALOG_CACHE_DIR): Catalogs {
  const key = catalogCacheKey(dir);
  const file = key && join(cacheDir, `catalogs-${key}.json`);
  if (file) {
    try {
      return JSON.parse(readFileSync(file, 'utf8')) as Catalogs;
    } catch {
      // not cached yet, or unreadable: load and validate
    }
  }
  const catalogs = loadCatalogs(dir);
  if (file) {
    try {
      mkdirSync(cacheDir, { recursive: true });
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, JSON.stringify(catalogs));
      renameSync(tmp, file);
    } catch {
      // a read-only install: no cache
    }
  }
  return catalogs;
}

let shipped: Catalogs | undefined;

/** The catalogs shipped in catalogs/, loaded once per process (through the cache). */
export function shippedCatalogs(): Catalogs {
  shipped ??= cachedCatalogs(BUILTIN_CATALOG_DIR);
  return shipped;
}
