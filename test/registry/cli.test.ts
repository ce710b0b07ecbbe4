// `registry add` and `registry list` through the real CLI: an added entry lists back exactly,
// the file is 0600, an existing id or an invalid entry is refused with nothing written.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { json, runCli, tempDir } from '../helpers/cli.js';

const ENV: NodeJS.ProcessEnv = { SHADOWSCAN_CONFIG: undefined, SHADOWSCAN_DATA_DIR: undefined };
const tmp = tempDir('shadowscan-registry-cli-');
afterAll(tmp.cleanup);
const cli = (...args: string[]) => runCli(args, { cwd: tmp.dir, env: ENV });

describe('registry add, then list', () => {
  it('writes <dir>/<id>.yaml (mode 0600) that lists back with every field', async () => {
    const added = await cli(
      'registry', 'add', '--id', 'notion-sync', '--name', 'Notion to Sheets sync', '--owner', 'ops@acme.example',
      '--identity', 'okta:0oa8x2k1', '--identity', 'aws:arn:aws:iam::123456789012:role/sync',
      '--domain', 'Notion.so', '--approved-scope', 'openid', '--approved-scope', 'email', '--review-by', '2026-01-31',
    );
    expect(added.code, added.stderr).toBe(0);
    expect(added.stdout).toBe('added notion-sync (approved) to registry/notion-sync.yaml\n');
    const file = join(tmp.dir, 'registry', 'notion-sync.yaml');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(parse(readFileSync(file, 'utf8'))).toEqual({
      id: 'notion-sync', name: 'Notion to Sheets sync', owner: 'ops@acme.example',
      identities: [{ provider: 'okta', app_id: '0oa8x2k1' }, { provider: 'aws', app_id: 'arn:aws:iam::123456789012:role/sync' }],
      domains: ['notion.so'], approved_scopes: ['openid', 'email'], review_by: '2026-01-31', status: 'approved',
    });

    const second = await cli('registry', 'add', '--id', 'expense-helper', '--name', 'Expense helper', '--domain', 'expense-helper.vercel.app', '--status', 'pending');
    expect(second.code, second.stderr).toBe(0);

    const listed = await cli('--json', 'registry', 'list');
    expect(listed.code, listed.stderr).toBe(0);
    expect(json(listed)).toEqual([
      {
        id: 'expense-helper', name: 'Expense helper', identities: [], domains: ['expense-helper.vercel.app'], third_party_services: [],
        approved_scopes: [], status: 'pending', file: 'registry/expense-helper.yaml', line: 2,
      },
      {
        id: 'notion-sync', name: 'Notion to Sheets sync', owner: 'ops@acme.example',
        identities: [{ provider: 'okta', app_id: '0oa8x2k1' }, { provider: 'aws', app_id: 'arn:aws:iam::123456789012:role/sync' }],
        domains: ['notion.so'], third_party_services: [], approved_scopes: ['openid', 'email'], review_by: '2026-01-31', status: 'approved',
        file: 'registry/notion-sync.yaml', line: 2,
      },
    ]);

    const csv = await cli('registry', 'list', '--format', 'csv');
    expect(csv.stdout.split('\n').slice(0, 3)).toEqual([
      'id,name,owner,status,identities,domains,file',
      'expense-helper,Expense helper,,pending,,expense-helper.vercel.app,registry/expense-helper.yaml',
      'notion-sync,Notion to Sheets sync,ops@acme.example,approved,okta:0oa8x2k1 aws:arn:aws:iam::123456789012:role/sync,notion.so,registry/notion-sync.yaml',
    ]);
  });

  it('refuses an id that exists, and an identity another entry holds, writing nothing', async () => {
    const again = await cli('registry', 'add', '--id', 'notion-sync', '--name', 'Other');
    expect(again.code).toBe(2);
    expect(again.stderr).toContain('id: duplicate id notion-sync, also defined at registry/notion-sync.yaml:2');

    const clash = await cli('registry', 'add', '--id', 'notion-copy', '--name', 'Copy', '--identity', 'okta:0OA8X2K1');
    expect(clash.code).toBe(2);
    expect(clash.stderr).toContain('identities[0].app_id: okta:0OA8X2K1 is already the identity of notion-sync (registry/notion-sync.yaml:2)');
    expect(existsSync(join(tmp.dir, 'registry', 'notion-copy.yaml'))).toBe(false);
  });

  it('validates before writing: a bad provider or domain is refused with the field named', async () => {
    const r = await cli('registry', 'add', '--id', 'bad-one', '--name', 'Bad', '--identity', 'okt:0oa1', '--domain', 'api.openai.com');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('identities[0].provider: must be one of okta, entra, google, aws, got "okt"');
    expect(r.stderr).toContain('domains[0]: api.openai.com is a host under openai.com');
    expect(existsSync(join(tmp.dir, 'registry', 'bad-one.yaml'))).toBe(false);
  });

  it('lists an empty registry as a hint, and shows examples in --help', async () => {
    const empty = await cli('registry', 'list', '--dir', 'no-registry-here');
    expect(empty.code, empty.stderr).toBe(0);
    expect(empty.stdout).toContain('no entries in no-registry-here');
    const help = await cli('registry', 'add', '--help');
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Examples:\n\s+shadowscan registry add --id /);
  });
});
