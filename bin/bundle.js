#!/usr/bin/env node
// Builds the CLI into plain JavaScript under dist/ (run by `npm install`/`npm ci` through
// `prepare`, or `npm run build`), so `shadowscan` starts without tsx's loader thread: about half
// a second less per command. bin/shadowscan.js runs the bundle only while every source file it
// was built from is unchanged (size and mtime in dist/manifest.json); otherwise it runs the
// sources through tsx as before, so an edited checkout never runs stale code.
//
// - the small pure-JavaScript packages every command loads (INLINE) are bundled too: Node then
//   compiles one file instead of hundreds of CommonJS modules (@duckdb/node-api alone is 181);
//   every other package — native bindings, provider SDKs, pino — stays external, loaded from
//   node_modules as usual;
// - `import.meta.url` in a source file is rewritten to that file's own URL (relative to the
//   bundle), so paths such as new URL('./norm/egress.sql', import.meta.url) still point into
//   the source tree;
// - a failed build never fails the install: it says so and the CLI keeps using tsx.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** Packages compiled into the bundle (and their own dependencies listed here); all others stay external. */
const INLINE = new Set(['@duckdb/node-api', 'commander', 'zod', 'yaml', 'tldts', 'tldts-core', 'tinyglobby', 'fdir', 'picomatch', 'csv-stringify']);

function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}
const dist = join(root, 'dist');

/**
 * The bundle's entry URL when every source file it was built from still has the size and
 * mtime recorded at build time; undefined when there is no bundle or it is stale.
 */
export function freshBundleEntry(rootUrl = new URL('../', import.meta.url)) {
  try {
    const manifest = JSON.parse(readFileSync(new URL('dist/manifest.json', rootUrl), 'utf8'));
    for (const [file, mtimeMs, size] of manifest.inputs) {
      const st = statSync(new URL(file, rootUrl));
      if (st.mtimeMs !== mtimeMs || st.size !== size) return undefined;
    }
    return new URL(manifest.entry, rootUrl).href;
  } catch {
    return undefined; // not built (e.g. npm ci --ignore-scripts), or unreadable
  }
}

export async function bundle() {
  // esbuild comes with tsx (a dependency); resolve it from there so hoisting does not matter.
  const { createRequire } = await import('node:module');
  const esbuild = createRequire(createRequire(join(root, 'package.json')).resolve('tsx'))('esbuild');
  const id = `${Date.now().toString(36)}-${process.pid}`;
  const outdir = join(dist, id);
  const result = await esbuild.build({
    entryPoints: [join(root, 'src/cli.ts')],
    bundle: true,
    splitting: true, // commands and connectors stay lazily loaded chunks
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Bundled CommonJS calls require() for externals (e.g. @duckdb/node-bindings): give every chunk one.
    banner: { js: "import { createRequire as __shadowscanRequire } from 'node:module'; const require = __shadowscanRequire(import.meta.url);" },
    outdir,
    absWorkingDir: root,
    metafile: true,
    logLevel: 'silent',
    legalComments: 'none',
    plugins: [
      {
        name: 'inline-allowlist',
        setup(build) {
          build.onResolve({ filter: /^[^./]/ }, (args) => {
            if (args.path.startsWith('node:') || !INLINE.has(packageName(args.path))) return { path: args.path, external: true };
            return undefined;
          });
        },
      },
      {
        name: 'source-relative-import-meta-url',
        setup(build) {
          build.onLoad({ filter: /\.[cm]?ts$/ }, (args) => {
            let contents = readFileSync(args.path, 'utf8');
            if (contents.includes('import.meta.url')) {
              const rel = relative(outdir, args.path).split('\\').join('/');
              contents = contents.replaceAll('import.meta.url', `new URL(${JSON.stringify(rel)}, import.meta.url).href`);
            }
            return { contents, loader: 'ts' };
          });
        },
      },
    ],
  });
  const inputs = Object.keys(result.metafile.inputs).map((p) => {
    const abs = join(root, p);
    const st = statSync(abs);
    return [relative(root, abs).split('\\').join('/'), st.mtimeMs, st.size];
  });
  const manifest = { entry: `dist/${id}/cli.js`, builtAt: new Date().toISOString(), inputs };
  const tmp = join(dist, `manifest.json.${process.pid}.tmp`);
  writeFileSync(tmp, JSON.stringify(manifest));
  renameSync(tmp, join(dist, 'manifest.json'));
  // Older builds: a running CLI may still load chunks from one, so keep the previous few.
  const old = readdirSync(dist).filter((d) => d !== id && !d.startsWith('manifest.json')).sort();
  for (const d of old.slice(0, Math.max(0, old.length - 2))) rmSync(join(dist, d), { recursive: true, force: true });
  return manifest;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    mkdirSync(dist, { recursive: true });
    const m = await bundle();
    process.stderr.write(`shadowscan: built ${m.entry} from ${m.inputs.length} source files\n`);
  } catch (e) {
    process.stderr.write(`shadowscan: could not build dist/ (${String(e?.message ?? e).split('\n')[0]}); the CLI runs the sources through tsx instead\n`);
  }
}
