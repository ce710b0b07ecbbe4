// The shipped risky-scope catalog: Google's restricted Gmail/Drive scopes are high, Okta's
// okta.* management scopes are classed, Entra rows name their API; catalog.risky_scopes has one
// row per scope and capability; a broken file is refused with every problem located.
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import { attachCatalogs, BUILTIN_CATALOG_DIR, CATALOG_FILES, loadCatalogs, shippedCatalogs } from '../../src/catalog/index.js';
import { Duck } from '../../src/db/duck.js';
import { UserError } from '../../src/errors.js';
import { tempDir } from '../helpers/cli.js';

const scopes = shippedCatalogs().riskyScopes;
const google = (s: string) => scopes.find((r) => r.provider === 'google' && r.scope === `https://www.googleapis.com/auth/${s}`);

describe('the shipped risky-scope catalog', () => {
  it('classes every Google restricted scope high, Gmail ones as mail and Drive ones as files', () => {
    const restricted = scopes.filter((r) => r.source === 'google-restricted-scopes');
    expect(restricted.length).toBeGreaterThanOrEqual(14);
    for (const r of restricted) expect(r.severity, r.scope).toBe('high');
    expect(scopes.find((r) => r.scope === 'https://mail.google.com/')).toMatchObject({ capabilities: ['mail_read', 'mail_send'], severity: 'high', permission_type: 'any', resource: null });
    expect(google('gmail.readonly')).toMatchObject({ capabilities: ['mail_read'], severity: 'high' });
    expect(google('gmail.modify')?.capabilities).toEqual(['mail_read', 'mail_send']);
    expect(google('drive')).toMatchObject({ capabilities: ['files_read', 'files_write'], severity: 'high' });
    expect(google('drive.readonly')).toMatchObject({ capabilities: ['files_read'], severity: 'high' });
    // Sensitive, not restricted: below high.
    expect(google('gmail.send')).toMatchObject({ capabilities: ['mail_send'], severity: 'medium' });
    expect(google('drive.file')?.severity).toBe('low');
    expect(google('admin.directory.rolemanagement')).toMatchObject({ capabilities: ['role_app_management'], severity: 'critical' });
  });

  it('classes Okta management scopes: manage above read', () => {
    const okta = (s: string) => scopes.find((r) => r.provider === 'okta' && r.scope === s);
    expect(okta('okta.users.manage')).toMatchObject({ capabilities: ['directory_write'], severity: 'high' });
    expect(okta('okta.users.read')).toMatchObject({ capabilities: ['directory_read'], severity: 'low' });
    expect(okta('okta.roles.manage')).toMatchObject({ capabilities: ['role_app_management'], severity: 'critical' });
    expect(okta('okta.apps.manage')?.capabilities).toEqual(['role_app_management']);
    expect(okta('okta.idps.manage')?.severity).toBe('critical');
    expect(okta('offline_access')?.capabilities).toEqual(['offline_access']);
    expect(scopes.filter((r) => r.provider === 'okta').every((r) => r.resource === null && r.permission_type === 'any')).toBe(true);
  });

  it('gives every Entra row its API and a delegated or application type', () => {
    const entra = scopes.filter((r) => r.provider === 'entra');
    expect(entra.length).toBeGreaterThan(400);
    for (const r of entra) {
      expect(r.resource, r.scope).toMatch(/^[0-9a-f-]{36}$/);
      expect(['delegated', 'application'], r.scope).toContain(r.permission_type);
    }
    expect(entra.find((r) => r.scope === 'offline_access')).toMatchObject({ resource: '00000003-0000-0000-c000-000000000000', permission_type: 'delegated', severity: 'low' });
  });
});

describe('Azure AD Graph (legacy API still granted in old tenants)', () => {
  it('rates each permission like its Microsoft Graph namesake', () => {
    const aad = scopes.filter((r) => r.resource === '00000002-0000-0000-c000-000000000000');
    expect(aad.map((r) => `${r.scope}/${r.permission_type}`)).toContain('Directory.ReadWrite.All/application');
    for (const r of aad) {
      const graph = scopes.find((g) => g.resource === '00000003-0000-0000-c000-000000000000' && g.scope === r.scope && g.permission_type === r.permission_type);
      expect(graph, r.scope).toBeDefined();
      expect([r.severity, r.capabilities], `${r.scope} ${r.permission_type}`).toEqual([graph!.severity, graph!.capabilities]);
    }
  });
});

describe('catalog.risky_scopes', () => {
  let engine: Duck;
  beforeEach(async () => {
    engine = await Duck.open(':memory:', { threads: '1' });
  });
  afterEach(() => engine.close());

  it('has one row per scope and capability, and answers "who may read mail" in SQL', async () => {
    const counts = await attachCatalogs(engine, { companyDomains: [] });
    expect(counts.risky_scopes).toBe(scopes.reduce((n, r) => n + r.capabilities.length, 0));
    expect((await engine.all<{ c: string }>(`select column_name || ' ' || column_type as c from (describe catalog.risky_scopes)`)).map((r) => r.c)).toEqual([
      'provider VARCHAR', 'resource VARCHAR', 'scope VARCHAR', 'permission_type VARCHAR', 'capability VARCHAR', 'severity VARCHAR', 'source VARCHAR',
    ]);
    const rows = await engine.all<{ capability: string }>(
      "select capability from catalog.risky_scopes where provider = 'google' and scope = 'https://mail.google.com/' order by capability",
    );
    expect(rows).toEqual([{ capability: 'mail_read' }, { capability: 'mail_send' }]);
    const [mail] = await engine.all<{ n: bigint }>("select count(distinct provider) as n from catalog.risky_scopes where capability = 'mail_read'");
    expect(Number(mail!.n)).toBe(2); // Entra and Google; Okta scopes do not reach mail
  });
});

describe('loading a broken risky-scopes file', () => {
  const tmp = tempDir('shadowscan-risky-');
  afterAll(tmp.cleanup);

  it('reports every problem with its file and line', () => {
    const dir = join(tmp.dir, 'bad');
    mkdirSync(dir);
    for (const f of ['firstPartyApps', 'firstPartyPublishers', 'domains', 'noise'] as const) copyFileSync(join(BUILTIN_CATALOG_DIR, CATALOG_FILES[f]), join(dir, CATALOG_FILES[f]));
    const file = join(dir, CATALOG_FILES.riskyScopes);
    writeFileSync(file, [
      /* 1 */ 'version: 1',
      /* 2 */ 'updated: 2026-11-26',
      /* 3 */ 'sources: [{ id: scuba, title: ScubaGear }]',
      /* 4 */ 'resources:',
      /* 5 */ '  - provider: entra',
      /* 6 */ '    name: Microsoft Graph',
      /* 7 */ '    source: scuba',
      /* 8 */ '    scopes:',
      /* 9 */ '      - { scope: Mail.Read, type: delegated, capabilities: [mail_read], severity: medium }',
      /* 10 */ '      - { scope: mail.read, type: delegated, capabilities: [mail_read, mail_read], severity: medium }',
      /* 11 */ '      - { scope: Mail.Send, type: any, capabilities: [mail_send], severity: high, source: blog }',
      /* 12 */ '  - provider: google',
      /* 13 */ '    resource: 00000003-0000-0000-c000-000000000000',
      /* 14 */ '    name: Gmail',
      /* 15 */ '    source: scuba',
      /* 16 */ '    scopes:',
      /* 17 */ '      - { scope: "https://mail.google.com/", type: delegated, capabilities: [mail_read], severity: high }',
    ].join('\n'));
    const problems = () => {
      try {
        loadCatalogs(dir);
      } catch (e) {
        expect(e).toBeInstanceOf(UserError);
        return (e as UserError).details;
      }
      throw new Error('accepted');
    };
    expect(problems()).toEqual([
      `${file}:5: resources[0].resource: Entra scopes belong to an API: give the resource app id (Microsoft Graph is 00000003-0000-0000-c000-000000000000)`,
      `${file}:10: resources[0].scopes[1].capabilities: mail_read is listed twice`,
      `${file}:10: resources[0].scopes[1].scope: duplicate mail.read (delegated), already at resources[0].scopes[0]`,
      `${file}:11: resources[0].scopes[2].type: Entra permissions are delegated or application (an app role), not any`,
      `${file}:11: resources[0].scopes[2].source: unknown source blog; sources: scuba`,
      `${file}:13: resources[1].resource: google scope strings are global: drop resource`,
      `${file}:17: resources[1].scopes[0].type: google scopes are not split by permission type: use any`,
    ]);
    writeFileSync(file, ['version: 1', 'updated: 2026-11-26', 'sources: [{ id: scuba, title: ScubaGear }]', 'resources:',
      '  - { provider: okta, name: Okta, source: scuba, scopes: [{ scope: okta.users.manage, type: any, capabilities: [user_admin], severity: info }] }'].join('\n'));
    expect(problems()).toEqual([
      `${file}:5: resources[0].scopes[0].capabilities[0]: must be one of mail_read, mail_send, files_read, files_write, calendar, contacts, chat, directory_read, directory_write, role_app_management, admin, security, devices, automation, offline_access, got "user_admin"`,
      `${file}:5: resources[0].scopes[0].severity: must be one of critical, high, medium, low, got "info"`,
    ]);
  });
});
