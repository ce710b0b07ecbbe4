#!/usr/bin/env node
// Entry shim: runs the TypeScript sources through tsx, so `npm ci` is the only set-up step
// (no separate build). All behaviour lives in src/cli.ts.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli.ts');
