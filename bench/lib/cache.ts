// File cache under bench/.cache (git-ignored) for generated inputs. An entry is keyed by a name
// plus a hash of whatever determines its content (generator source, options), so changing the
// generator regenerates; stale versions of the same name are deleted. Writes go to a temporary
// file that is renamed into place, so an interrupted run never leaves a half file behind.

import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface CacheEntry<M> {
  path: string;
  meta: M;
  hit: boolean;
}

export function contentKey(...parts: (string | Buffer)[]): string {
  const h = createHash('sha256');
  for (const p of parts) {
    h.update(p);
    h.update('\0');
  }
  return h.digest('hex').slice(0, 10);
}

export function hashFiles(paths: string[]): string {
  return contentKey(...paths.map((p) => readFileSync(p)));
}

/**
 * Returns `<dir>/<name>-<key><ext>`, building it with `build(tmpPath)` when missing. `build`
 * returns metadata (e.g. the generator's truth), stored next to the file as `.meta.json`.
 * `expectBytes(meta)` (optional) guards against truncated files.
 */
export async function cachedFile<M>(opts: {
  dir: string;
  name: string;
  key: string;
  ext?: string;
  build: (tmpPath: string) => M | Promise<M>;
  expectBytes?: (meta: M) => number;
}): Promise<CacheEntry<M>> {
  const ext = opts.ext ?? '';
  mkdirSync(opts.dir, { recursive: true });
  const base = `${opts.name}-${opts.key}`;
  const path = join(opts.dir, base + ext);
  const metaPath = join(opts.dir, `${base}.meta.json`);
  if (existsSync(path) && existsSync(metaPath)) {
    try {
      const meta = JSON.parse(readFileSync(metaPath, 'utf8')) as M;
      if (!opts.expectBytes || statSync(path).size === opts.expectBytes(meta)) return { path, meta, hit: true };
    } catch {
      // corrupt meta: rebuild
    }
  }
  // Drop stale versions of the same name (other keys) and leftovers of interrupted builds.
  for (const f of readdirSync(opts.dir)) {
    if (f.startsWith(`${opts.name}-`) && /^[0-9a-f]{10}/.test(f.slice(opts.name.length + 1))) {
      rmSync(join(opts.dir, f), { force: true });
    }
  }
  const tmp = join(opts.dir, `.${base}${ext}.tmp-${process.pid}`);
  try {
    const meta = await opts.build(tmp);
    renameSync(tmp, path);
    writeFileSync(metaPath, JSON.stringify(meta, null, 2) + '\n');
    return { path, meta, hit: false };
  } finally {
    rmSync(tmp, { force: true });
  }
}
