// risky-scope-grant over the SHIPPED catalogs (not test rows): Entra, Google and Okta grants get
// the capability classes and severity of catalogs/risky-scopes.yaml, Microsoft-owned apps are
// first-party through catalogs/first-party-publishers.yaml, and each finding carries its own
// severity.
import { afterEach, describe, expect, it } from 'vitest';
import { attachCatalogs } from '../../src/catalog/index.js';
import type { Duck } from '../../src/db/duck.js';
import { loadRules } from '../../src/rules/load.js';
import { runRule } from '../../src/rules/run.js';
import { engineWithRows } from '../../src/rules/test.js';

const rule = loadRules().find((r) => r.id === 'risky-scope-grant')!;
const GRAPH = '00000003-0000-0000-c000-000000000000';
const EXO = '00000002-0000-0ff1-ce00-000000000000';

let engine: Duck | undefined;
afterEach(() => {
  engine?.close();
  engine = undefined;
});

async function run(given: Parameters<typeof engineWithRows>[0]) {
  engine = await engineWithRows(given);
  await attachCatalogs(engine, { companyDomains: [] });
  const instances = new Set(Object.values(given).flat().map((r) => r.instance as string));
  const sources = [...instances].flatMap((instance) => ['norm.grants', 'norm.apps'].map((view) => ({ instance, view, state: 'complete' as const })));
  const results = await runRule(engine, rule, { sources });
  return Object.fromEntries(results.map((r) => [r.resource, { status: r.status, severity: r.severity, capabilities: r.evidence.capabilities, scopes: r.evidence.risky_scopes }]));
}

describe('risky-scope-grant with the shipped catalogs', () => {
  it('Entra: delegated Mail.ReadWrite + offline_access, app-only Mail.ReadWrite, EXO full_access_as_app, and a Microsoft-owned app', async () => {
    const out = await run({
      'norm.grants': [
        { instance: 'entra', provider: 'entra', app_id: 'app-mail', principal: 'ann@acme.example', resource: GRAPH, scopes: ['Mail.ReadWrite', 'offline_access', 'User.Read'], consent_type: 'user' },
        { instance: 'entra', provider: 'entra', app_id: 'app-daemon', principal: '*', resource: GRAPH, scopes: ['Mail.ReadWrite'], consent_type: 'application' },
        { instance: 'entra', provider: 'entra', app_id: 'app-exo', principal: '*', resource: EXO, scopes: ['full_access_as_app'], consent_type: 'application' },
        { instance: 'entra', provider: 'entra', app_id: '00000002-0000-0ff1-ce00-000000000000', principal: '*', resource: GRAPH, scopes: ['Directory.ReadWrite.All'], consent_type: 'application' },
        { instance: 'entra', provider: 'entra', app_id: 'app-ms-owned', principal: '*', resource: GRAPH, scopes: ['Directory.ReadWrite.All'], consent_type: 'application' },
      ],
      'norm.apps': [
        { instance: 'entra', provider: 'entra', app_id: 'app-ms-owned', name: 'Some Microsoft service', publisher_id: '72F988BF-86F1-41AF-91AB-2D7CD011DB47' },
      ],
    });
    expect(out['app-mail:ann@acme.example']).toEqual({ status: 'alarm', severity: 'high', capabilities: ['mail_read', 'offline_access'], scopes: ['Mail.ReadWrite', 'offline_access'] });
    expect(out['app-daemon:*']).toEqual({ status: 'alarm', severity: 'critical', capabilities: ['mail_read'], scopes: ['Mail.ReadWrite'] });
    expect(out['app-exo:*']).toMatchObject({ status: 'alarm', severity: 'critical', capabilities: ['calendar', 'contacts', 'mail_read', 'mail_send'] });
    expect(out['00000002-0000-0ff1-ce00-000000000000:*']?.status).toBe('ok');
    expect(out['app-ms-owned:*']?.status).toBe('ok');
  });

  it('Google: restricted Gmail/Drive scopes are high; drive.file alone is info', async () => {
    const out = await run({
      'norm.grants': [
        { instance: 'gws', provider: 'google', app_id: 'script.apps.googleusercontent.com', principal: 'cy@acme.example', scopes: ['https://www.googleapis.com/auth/drive', 'https://www.googleapis.com/auth/gmail.readonly', 'openid'], consent_type: 'user' },
        { instance: 'gws', provider: 'google', app_id: 'picker.apps.googleusercontent.com', principal: 'cy@acme.example', scopes: ['https://www.googleapis.com/auth/drive.file', 'email'], consent_type: 'user' },
      ],
    });
    expect(out['script.apps.googleusercontent.com:cy@acme.example']).toEqual({
      status: 'alarm', severity: 'high', capabilities: ['files_read', 'files_write', 'mail_read'],
      scopes: ['https://www.googleapis.com/auth/drive', 'https://www.googleapis.com/auth/gmail.readonly'],
    });
    expect(out['picker.apps.googleusercontent.com:cy@acme.example']).toMatchObject({ status: 'info', severity: 'low' });
  });

  it('Okta: okta.users.manage is high directory write; the Okta Workflows built-in is first-party', async () => {
    const out = await run({
      'norm.grants': [
        { instance: 'okta', provider: 'okta', app_id: '0oa1sync', principal: '*', scopes: ['okta.users.manage', 'okta.groups.read'], consent_type: 'admin' },
        { instance: 'okta', provider: 'okta', app_id: '0oa1flows', principal: '*', scopes: ['okta.users.manage'], consent_type: 'admin' },
      ],
      'norm.apps': [{ instance: 'okta', provider: 'okta', app_id: '0oa1flows', name: 'Okta Workflows', first_party: true }],
    });
    expect(out['0oa1sync:*']).toEqual({ status: 'alarm', severity: 'high', capabilities: ['directory_read', 'directory_write'], scopes: ['okta.groups.read', 'okta.users.manage'] });
    expect(out['0oa1flows:*']?.status).toBe('ok');
  });
});
