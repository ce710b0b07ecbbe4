#!/usr/bin/env node
// Entry shim. Runs the bundle that `npm install` builds (bin/bundle.js → dist/) while every
// source file it was built from is unchanged; otherwise runs the TypeScript sources through
// tsx, so `npm ci` is the only set-up step and an edited checkout never runs stale code.
// SHADOWSCAN_NO_BUNDLE=1 forces the sources. All behaviour lives in src/cli.ts.
import { freshBundleEntry } from './bundle.js';

const bundle = process.env.SHADOWSCAN_NO_BUNDLE ? undefined : freshBundleEntry();
if (bundle) {
  await import(bundle);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli.ts');
}
