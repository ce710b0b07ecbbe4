// Registry files with problems: every problem comes back at once as `file:line: field: message`,
// through the loader and through the real CLI (`registry validate` exits 2). Line numbers are
// fixed by the files below, so each assertion names the exact line.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { generateTenant } from '../../fixtures/tenant/index.js';
import { UserError } from '../../src/errors.js';
import { checkRegistry, loadRegistry } from '../../src/registry/index.js';
import { json, runCli, tempDir } from '../helpers/cli.js';

const ENV: NodeJS.ProcessEnv = { SHADOWSCAN_CONFIG: undefined, SHADOWSCAN_DATA_DIR: undefined };

const FILES: Record<string, string[]> = {
  'a-notion.yaml': [
    /* 1 */ 'id: notion-sync',
    /* 2 */ 'name: Notion to Sheets sync',
    /* 3 */ 'owner: ops@acme.example',
    /* 4 */ 'identities:',
    /* 5 */ '  - provider: okta',
    /* 6 */ '    app_id: 0oa1notion',
    /* 7 */ 'domains: [Notion.SO]',
  ],
  'b-list.yaml': [
    /* 1 */ '- id: slack',
    /* 2 */ '  name: Slack',
    /* 3 */ '  domains: [slack.com]',
    /* 4 */ '- id: notion-sync',
    /* 5 */ '  name: Notion again',
    /* 6 */ '- id: zoom',
    /* 7 */ '  name: Zoom',
    /* 8 */ '  ownr: it@acme.example',
    /* 9 */ '  status: approved',
  ],
  'c-broken.yaml': [
    /* 1 */ 'id: broken',
    /* 2 */ 'name: Broken',
    /* 3 */ 'owner: it@acme.example',
    /* 4 */ 'name: Broken twice',
  ],
  'd-identity.yml': [
    /* 1 */ 'id: bad-identity',
    /* 2 */ 'name: Bad identity',
    /* 3 */ 'identities:',
    /* 4 */ '  - { provider: oktaa, app_id: 0oa9 }',
    /* 5 */ '  - provider: entra',
    /* 6 */ '    app_id: ""',
  ],
  'nested/e-types.yaml': [
    /* 1 */ 'id: wrong-types',
    /* 2 */ 'name: 42',
    /* 3 */ 'approved_scopes: okta.users.read',
    /* 4 */ 'review_by: 2025-02-30',
    /* 5 */ 'status: live',
    /* 6 */ 'domains:',
    /* 7 */ '  - https://example.com/path',
    /* 8 */ '  - api.openai.com',
    /* 9 */ '  - vercel.app',
  ],
};

const tmp = tempDir('shadowscan-registry-load-');
const dir = join(tmp.dir, 'registry');
afterAll(tmp.cleanup);

beforeAll(() => {
  for (const [name, lines] of Object.entries(FILES)) {
    mkdirSync(join(dir, name, '..'), { recursive: true });
    writeFileSync(join(dir, name), `${lines.join('\n')}\n`);
  }
});

/** A path as messages show it: relative to `cwd` when below it, else absolute. */
function shown(cwd: string, path: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith('..') ? rel : path;
}

/** The problems expected, with `file` as the CLI/loader prints it relative to `cwd`. */
function expected(cwd: string): string[] {
  const f = (name: string) => shown(cwd, join(dir, name));
  return [
    `${f('b-list.yaml')}:4: [1].id: duplicate id notion-sync, also defined at ${f('a-notion.yaml')}:1`,
    `${f('b-list.yaml')}:8: [2].ownr: unknown field (did you mean owner?)`,
    `${f('c-broken.yaml')}:4: YAML: Map keys must be unique`,
    `${f('d-identity.yml')}:4: identities[0].provider: must be one of okta, entra, google, aws, got "oktaa"`,
    `${f('d-identity.yml')}:6: identities[1].app_id: must not be empty`,
    `${f('nested/e-types.yaml')}:2: name: Invalid input: expected string, received number`,
    `${f('nested/e-types.yaml')}:3: approved_scopes: Invalid input: expected array, received string`,
    `${f('nested/e-types.yaml')}:4: review_by: 2025-02-30 is not a calendar date`,
    `${f('nested/e-types.yaml')}:5: status: must be one of approved, pending, retired, got "live"`,
    `${f('nested/e-types.yaml')}:7: domains[0]: a host name, not a URL (drop the scheme and path)`,
    `${f('nested/e-types.yaml')}:8: domains[1]: api.openai.com is a host under openai.com; egress is matched on registrable domains (or an app's host on a platform such as vercel.app): write openai.com`,
    `${f('nested/e-types.yaml')}:9: domains[2]: vercel.app is Vercel's platform, shared by every customer: register each app's own host (e.g. my-app.vercel.app)`,
  ];
}

describe('the loader on bad registry files', () => {
  it('reports every problem at once, in file and line order', () => {
    const check = checkRegistry(dir);
    expect(check.problems).toEqual(expected(process.cwd()));
    expect(check.files).toHaveLength(5);
  });

  it('keeps the valid entries (lower-casing domains) and leaves out broken and duplicate ones', () => {
    const check = checkRegistry(dir);
    expect(check.entries.map((e) => e.id)).toEqual(['notion-sync', 'slack']);
    const notion = check.entries.find((e) => e.id === 'notion-sync')!;
    expect(notion).toMatchObject({ domains: ['notion.so'], status: 'approved', line: 1, identities: [{ provider: 'okta', app_id: '0oa1notion' }] });
    expect(notion.file).toBe(join(dir, 'a-notion.yaml'));
  });

  it('loadRegistry throws one UserError carrying every problem', () => {
    let caught: unknown;
    try {
      loadRegistry(dir);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(UserError);
    expect((caught as UserError).message).toBe('the registry has 12 problems:');
    expect((caught as UserError).details).toEqual(expected(process.cwd()));
  });

  it('treats a missing folder as an empty registry', () => {
    expect(loadRegistry(join(tmp.dir, 'no-such-folder'))).toEqual([]);
  });

  it('refuses two live entries claiming the same identity (case-insensitive), but not a retired one', () => {
    const d = join(tmp.dir, 'identities');
    mkdirSync(d);
    writeFileSync(join(d, 'one.yaml'), 'id: one\nname: One\nidentities: [{ provider: okta, app_id: 0oaABC }]\n');
    writeFileSync(join(d, 'two.yaml'), 'id: two\nname: Two\nidentities:\n  - { provider: okta, app_id: 0OAabc }\n');
    writeFileSync(join(d, 'zero.yaml'), 'id: zero\nname: Zero\nstatus: retired\nidentities: [{ provider: okta, app_id: 0oaabc }]\n');
    const rel = (n: string) => shown(process.cwd(), join(d, n));
    expect(checkRegistry(d).problems).toEqual([`${rel('two.yaml')}:4: identities[0].app_id: okta:0OAabc is already the identity of one (${rel('one.yaml')}:1)`]);
  });

  it('loads the demo tenant\'s registry cleanly', () => {
    const tenant = generateTenant({ seed: 42, size: 'demo', now: Date.parse('2025-06-15T12:00:00Z') });
    const d = join(tmp.dir, 'demo-registry');
    mkdirSync(d);
    for (const entry of tenant.registry) writeFileSync(join(d, `${entry.id}.yaml`), stringify(entry));
    const entries = loadRegistry(d);
    expect(entries.map((e) => e.id)).toEqual(tenant.registry.map((e) => e.id).sort());
    const hr = entries.find((e) => e.id === 'hr-directory-sync')!;
    expect(hr.approved_scopes).toEqual(tenant.registry.find((e) => e.id === 'hr-directory-sync')!.approved_scopes);
  });
});

describe('`shadowscan registry validate` on bad files', () => {
  it('exits 2 and prints every problem, each with file:line: field, without a stack trace', async () => {
    const r = await runCli(['registry', 'validate', '--dir', dir], { cwd: tmp.dir, env: ENV });
    expect(r.code, r.stderr).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('error: the registry has 12 problems:');
    const lines = r.stderr.split('\n').filter((l) => l.startsWith('  ')).map((l) => l.slice(2));
    expect(lines).toEqual(expected(tmp.dir));
    expect(r.stderr).not.toMatch(/^ {4}at /m);
  });

  it('with --json prints the same problems on stdout and still exits 2', async () => {
    const r = await runCli(['--json', 'registry', 'validate', '--dir', dir], { cwd: tmp.dir, env: ENV });
    expect(r.code, r.stderr).toBe(2);
    expect(json(r)).toEqual({ ok: false, dir: 'registry', files: 5, entries: 2, problems: expected(tmp.dir) });
  });

  it('uses registry.dir from the config file (relative to it) and exits 0 with a count when clean', async () => {
    const ws = join(tmp.dir, 'workspace');
    mkdirSync(join(ws, 'approved'), { recursive: true });
    writeFileSync(join(ws, 'shadowscan.yaml'), 'registry:\n  dir: approved\ncompany_domains: [Acme-Corp.example]\n');
    writeFileSync(join(ws, 'approved', 'slack.yaml'), 'id: slack\nname: Slack\ndomains: [slack.com]\n');
    writeFileSync(join(ws, 'approved', 'more.yml'), '- { id: zoom, name: Zoom }\n- { id: figma, name: Figma, status: pending }\n');
    const r = await runCli(['--config', join(ws, 'shadowscan.yaml'), 'registry', 'validate'], { cwd: tmp.dir, env: ENV });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe(`registry ${relative(tmp.dir, join(ws, 'approved'))}: 3 entries in 2 files, no problems\n`);
  });

  it('an absent folder validates as an empty registry', async () => {
    const r = await runCli(['registry', 'validate', '--dir', 'nothing-here'], { cwd: tmp.dir, env: ENV });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toBe('registry nothing-here: 0 entries in 0 files, no problems\n');
  });
});
