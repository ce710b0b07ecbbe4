// A catalog with mistakes is refused with every problem as `file:line: field: message`: bad
// header, unknown field, unknown source, a host that can never equal an egress key, a platform
// flag the public-suffix list contradicts, and a noise entry that would hide a catalogued service.
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BUILTIN_CATALOG_DIR, CATALOG_FILES, loadCatalogs } from '../../src/catalog/index.js';
import { UserError } from '../../src/errors.js';
import { tempDir } from '../helpers/cli.js';

const tmp = tempDir('shadowscan-catalog-load-');
afterAll(tmp.cleanup);

/** Copies shipped catalog files into a test folder (the ones a case does not break). */
function copyShipped(dir: string, ...files: (keyof typeof CATALOG_FILES)[]): void {
  for (const f of files) copyFileSync(join(BUILTIN_CATALOG_DIR, CATALOG_FILES[f]), join(dir, CATALOG_FILES[f]));
}

function problemsOf(dir: string): string[] {
  try {
    loadCatalogs(dir);
  } catch (e) {
    expect(e).toBeInstanceOf(UserError);
    return (e as UserError).details;
  }
  throw new Error('loadCatalogs accepted a bad catalog');
}

describe('loadCatalogs on bad files', () => {
  const dir = join(tmp.dir, 'bad');
  mkdirSync(dir);
  copyShipped(dir, 'firstPartyApps', 'firstPartyPublishers', 'riskyScopes');
  writeFileSync(join(dir, CATALOG_FILES.domains), [
    /* 1 */ 'version: 1',
    /* 2 */ 'updated: 2025-13-01',
    /* 3 */ 'sources:',
    /* 4 */ '  - { id: docs, title: Vendor docs }',
    /* 5 */ 'domains:',
    /* 6 */ '  - { domain: openai.com, vendor: OpenAI, category: ai, source: docs }',
    /* 7 */ '  - { domain: hooks.slack.com, vendor: Slack, category: automation, source: docs }',
    /* 8 */ '  - { domain: vercel.app, vendor: Vercel, category: app_hosting, source: docs }',
    /* 9 */ '  - { domain: pipedream.net, vendor: Pipedream, category: automation, platform: true, source: docs }',
    /* 10 */ '  - { domain: zapier.com, vendor: Zapier, category: webhooks, source: docs }',
    /* 11 */ '  - { domain: mega.nz, vendor: MEGA, category: file_sharing, source: nowhere }',
    /* 12 */ '  - { domain: openai.com, vendor: OpenAI, category: ai, source: docs, vendr: x }',
  ].join('\n'));
  writeFileSync(join(dir, CATALOG_FILES.noise), [
    /* 1 */ 'version: 1',
    /* 2 */ 'updated: 2025-06-15',
    /* 3 */ 'sources: [{ id: cdn, title: CDN docs }]',
    /* 4 */ 'noise:',
    /* 5 */ '  - { domain: ai, kind: cdn, vendor: Nobody, source: cdn }',
    /* 6 */ '  - { domain: openai.com, kind: telemetry, vendor: OpenAI, source: cdn }',
    /* 7 */ '  - { domain: jsdelivr.net, kind: cdn, vendor: jsDelivr, source: cdn }',
  ].join('\n'));

  it('reports every problem with its file and line', () => {
    const d = join(dir, CATALOG_FILES.domains);
    const n = join(dir, CATALOG_FILES.noise);
    expect(problemsOf(dir)).toEqual([
      `${d}:2: updated: 2025-13-01 is not a calendar date`,
      `${d}:10: domains[4].category: must be one of saas, ai, automation, file_sharing, tunnel, app_hosting, got "webhooks"`,
      `${d}:12: domains[6].vendr: unknown field (did you mean vendor?)`,
      `${n}:5: noise[0].domain: does not look like a host name (e.g. example.com)`,
    ]);
  });

  it('once the schema passes, checks sources, duplicates, egress keys and noise that hides a service', () => {
    const fixed = join(tmp.dir, 'semantic');
    mkdirSync(fixed);
    copyShipped(fixed, 'firstPartyApps', 'firstPartyPublishers', 'riskyScopes');
    writeFileSync(join(fixed, CATALOG_FILES.domains), [
      /* 1 */ 'version: 1',
      /* 2 */ 'updated: 2025-06-15',
      /* 3 */ 'sources:',
      /* 4 */ '  - { id: docs, title: Vendor docs }',
      /* 5 */ 'domains:',
      /* 6 */ '  - { domain: openai.com, vendor: OpenAI, category: ai, source: docs }',
      /* 7 */ '  - { domain: hooks.slack.com, vendor: Slack, category: automation, source: docs }',
      /* 8 */ '  - { domain: vercel.app, vendor: Vercel, category: app_hosting, source: docs }',
      /* 9 */ '  - { domain: pipedream.net, vendor: Pipedream, category: automation, platform: true, source: docs }',
      /* 10 */ '  - { domain: mega.nz, vendor: MEGA, category: file_sharing, source: nowhere }',
      /* 11 */ '  - { domain: OpenAI.com, vendor: OpenAI, category: ai, source: docs }',
    ].join('\n'));
    writeFileSync(join(fixed, CATALOG_FILES.noise), [
      /* 1 */ 'version: 1',
      /* 2 */ 'updated: 2025-06-15',
      /* 3 */ 'sources: [{ id: cdn, title: CDN docs }]',
      /* 4 */ 'noise:',
      /* 5 */ '  - { domain: jsdelivr.net, kind: cdn, vendor: jsDelivr, source: cdn }',
      /* 6 */ '  - { domain: openai.com, kind: telemetry, vendor: OpenAI, source: cdn }',
    ].join('\n'));
    const d = join(fixed, CATALOG_FILES.domains);
    const n = join(fixed, CATALOG_FILES.noise);
    expect(problemsOf(fixed)).toEqual([
      `${d}:7: domains[1].domain: hooks.slack.com is a host under slack.com; egress is matched on registrable domains, so list slack.com or leave it out`,
      `${d}:8: domains[2].domain: vercel.app is a shared platform suffix (public-suffix list): mark it platform: true`,
      `${d}:9: domains[3].domain: platform: true, but neither the public-suffix list nor shadowscan's platform list (src/ingest/domains.ts) gives each app under pipedream.net its own domain; drop platform`,
      `${d}:10: domains[4].source: unknown source nowhere; sources: docs`,
      `${d}:11: domains[5].domain: duplicate openai.com, already at domains[0]`,
      `${n}:6: noise[1].domain: would hide the catalogued ai domain openai.com (OpenAI); list specific hosts instead`,
    ]);
  });

  it('names a missing file', () => {
    const empty = join(tmp.dir, 'empty');
    mkdirSync(empty);
    expect(problemsOf(empty)).toEqual([...Object.values(CATALOG_FILES)].sort().map((f) => `${join(empty, f)}: file: missing catalog file`));
  });
});

describe('first-party publishers', () => {
  it('refuses a non-GUID Entra publisher, a duplicate (case-insensitive) and an unknown source', () => {
    const dir = join(tmp.dir, 'publishers');
    mkdirSync(dir);
    copyShipped(dir, 'firstPartyApps', 'riskyScopes', 'domains', 'noise');
    writeFileSync(join(dir, CATALOG_FILES.firstPartyPublishers), [
      /* 1 */ 'version: 1',
      /* 2 */ 'updated: 2026-11-26',
      /* 3 */ 'sources: [{ id: learn, title: Microsoft Learn }]',
      /* 4 */ 'publishers:',
      /* 5 */ '  - { provider: entra, publisher_id: F8CDEF31-A31E-4B4A-93E4-5F571E91255A, name: Microsoft Services, source: learn }',
      /* 6 */ '  - { provider: entra, publisher_id: f8cdef31-a31e-4b4a-93e4-5f571e91255a, name: Again, source: learn }',
      /* 7 */ '  - { provider: entra, publisher_id: microsoft.com, name: Microsoft, source: learn }',
      /* 8 */ '  - { provider: entra, publisher_id: 72f988bf-86f1-41af-91ab-2d7cd011db47, name: Corp, source: blog }',
    ].join('\n'));
    const p = join(dir, CATALOG_FILES.firstPartyPublishers);
    expect(problemsOf(dir)).toEqual([
      `${p}:7: publishers[2].publisher_id: an Entra tenant id (GUID such as f8cdef31-a31e-4b4a-93e4-5f571e91255a), got "microsoft.com"`,
    ]);
    writeFileSync(p, readFileSync(p, 'utf8').replace('  - { provider: entra, publisher_id: microsoft.com, name: Microsoft, source: learn }\n', ''));
    expect(problemsOf(dir)).toEqual([
      `${p}:6: publishers[1].publisher_id: duplicate entra:f8cdef31-a31e-4b4a-93e4-5f571e91255a, already at publishers[0]`,
      `${p}:7: publishers[2].source: unknown source blog; sources: learn`,
    ]);
  });

  it('ships Microsoft\'s tenants, lower case', () => {
    const ids = loadCatalogs().firstPartyPublishers.filter((p) => p.provider === 'entra').map((p) => p.publisher_id);
    expect(ids).toEqual(expect.arrayContaining(['f8cdef31-a31e-4b4a-93e4-5f571e91255a', '72f988bf-86f1-41af-91ab-2d7cd011db47', '47df5bb7-e6bc-4256-afb0-dd8c8e3c1ce8']));
  });
});
