// `shadowscan domains show`: the explanation on stdout (table and --json) with the config's
// company domains and catalog additions and the registry folder; bad input exits 2.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { json, runCli, tempDir } from '../helpers/cli.js';

const tmp = tempDir('shadowscan-domains-');
afterAll(tmp.cleanup);
writeFileSync(join(tmp.dir, 'shadowscan.yaml'), [
  'company_domains: [acme-corp.example]',
  'catalog:',
  '  domains:',
  '    - { domain: llm-gateway.example, vendor: LLM gateway, category: ai }',
  '',
].join('\n'));
mkdirSync(join(tmp.dir, 'registry'));
writeFileSync(join(tmp.dir, 'registry', 'status-board.yaml'), 'id: status-board\nname: Status board\nowner: it@acme-corp.example\ndomains: [status-board.vercel.app]\n');

const show = (host: string, json = true) => runCli(['domains', 'show', host, ...(json ? ['--json'] : [])], { cwd: tmp.dir });

describe('shadowscan domains show', () => {
  it('explains a platform app approved by the registry (--json)', async () => {
    const r = await show('https://status-board.vercel.app/login?next=/');
    expect(r.code, r.stderr).toBe(0);
    expect(json(r)).toMatchObject({
      host: 'status-board.vercel.app',
      domain: 'status-board.vercel.app',
      key: { reason: 'psl_platform', platform_suffix: 'vercel.app' },
      catalog: { domain: 'vercel.app', vendor: 'Vercel', category: 'app_hosting', platform: true, source: { id: 'psl' } },
      noise: null,
      company: null,
      registry: { checked: true, dir: 'registry', entry: { id: 'status-board', status: 'approved', domain: 'status-board.vercel.app', file: 'registry/status-board.yaml' } },
      verdict: { reported: false, text: 'app_hosting service Vercel, registered as status-board: ok' },
    });
  });

  it('a different app on the same platform is not covered by that entry', async () => {
    const r = await show('expense-helper.vercel.app');
    expect(json<{ domain: string; registry: { entry: null }; verdict: { reported: boolean } }>(r)).toMatchObject({ domain: 'expense-helper.vercel.app', registry: { entry: null }, verdict: { reported: true } });
  });

  it('prints a readable table: key, why, catalog and source, noise, company, registry, verdict', async () => {
    const r = await show('chat.openai.com', false);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('egress key       openai.com\n');
    expect(r.stdout).toContain('catalog          OpenAI (ai) via entry openai.com\n');
    expect(r.stdout).toContain('catalog source   vendor-docs: The vendor\'s own API, webhook or product documentation\n');
    expect(r.stdout).toContain('registry         no entry names openai.com\n');
    expect(r.stdout).toContain('verdict          ai service OpenAI, not in the registry: unregistered-egress alarms on openai.com when at least 1 user(s) reach it\n');
  });

  it('uses company_domains and catalog.domains from the config', async () => {
    expect(json(await show('intranet.acme-corp.example'))).toMatchObject({ company: { domain: 'acme-corp.example' }, verdict: { reported: false, text: 'a company domain (acme-corp.example): never reported' } });
    expect(json(await show('api.llm-gateway.example'))).toMatchObject({ catalog: { vendor: 'LLM gateway', category: 'ai', source: { id: 'config' } } });
  });

  it('explains noise with its kind and source', async () => {
    expect(json(await show('ctldl.windowsupdate.com'))).toMatchObject({ noise: { domain: 'windowsupdate.com', kind: 'os_update', source: { id: 'vendor-docs' } }, verdict: { reported: false } });
  });

  it('exits 2 on something that is not a host, without echoing control characters', async () => {
    const r = await show('evil\u001b[31m host/path', false);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('a host name only (no path, port, query or spaces)');
    expect(r.stderr).not.toContain('\u001b');
  });
});
