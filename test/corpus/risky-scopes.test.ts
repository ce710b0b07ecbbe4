// Corpus suite: the risky-scope catalog against CISA ScubaGear's RiskyAppPermissions.json (CC0),
// the list the Entra rows start from. Every Application and Delegated entry of the reference is in
// the catalog for its API and permission type, with ScubaGear's risk level as severity, and maps
// to the capability classes its permission family implies (checked here by independent rules
// on the permission name, not by re-reading the catalog's own mapping).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalogs, type RiskCapability } from '../../src/catalog/index.js';
import { REPO } from '../helpers/cli.js';

const CORPUS = resolve(process.env.SHADOWSCAN_CORPUS ?? join(REPO, '../shared/corpus'));
const reference = JSON.parse(readFileSync(join(CORPUS, 'reference/scubagear_RiskyAppPermissions.json'), 'utf8')) as {
  resources: Record<string, string>;
  permissions: Record<string, Record<string, Record<string, { Name: string; RiskLevel: string }>>>;
};

interface Entry { resource: string; type: 'application' | 'delegated'; name: string; severity: string }
const RANK = ['low', 'medium', 'high', 'critical'];
const resourceId = Object.fromEntries(Object.entries(reference.resources).map(([id, name]) => [name, id]));
const entries = new Map<string, Entry>();
for (const [resourceName, byType] of Object.entries(reference.permissions)) {
  for (const [type, perms] of Object.entries(byType)) {
    if (type !== 'Application' && type !== 'Delegated') continue;
    for (const p of Object.values(perms)) {
      const e: Entry = { resource: resourceId[resourceName]!, type: type.toLowerCase() as Entry['type'], name: p.Name, severity: p.RiskLevel.toLowerCase() };
      const key = JSON.stringify([e.resource, e.type, e.name.toLowerCase()]);
      const prior = entries.get(key);
      // The list repeats a few names under two ids; the catalog keeps the higher level.
      if (!prior || RANK.indexOf(e.severity) > RANK.indexOf(prior.severity)) entries.set(key, e);
    }
  }
}

const catalog = loadCatalogs().riskyScopes.filter((r) => r.provider === 'entra');
const find = (e: Entry) => catalog.find((r) => r.resource === e.resource && r.permission_type === e.type && r.scope.toLowerCase() === e.name.toLowerCase());

/** Capability classes a permission family must carry, by name alone. */
const FAMILY: [RegExp, RiskCapability[]][] = [
  [/^(Mail\.Send|SMTP\.Send)/, ['mail_send']],
  [/^(Mail\.Read|Mail\.ReadWrite|Mail-Advanced|MailboxItem|MailboxFolder|IMAP\.|POP\.)/, ['mail_read']],
  [/^(EWS\.AccessAsUser|EAS\.AccessAsUser|full_access_as_app$)/, ['mail_read', 'mail_send']],
  [/^(Files\.ReadWrite|Sites\.(ReadWrite|FullControl|Manage)|AllSites\.(Write|Manage|FullControl))/, ['files_read', 'files_write']],
  [/^(Files\.Read(\.All)?|Sites\.Read\.All|AllSites\.Read)$/, ['files_read']],
  [/^(Calendars|OnlineMeetings)\./, ['calendar']],
  [/^(Chat|ChatMessage|ChannelMessage)\./, ['chat']],
  [/^(User|Group|GroupMember|Directory)\.ReadWrite/, ['directory_write']],
  [/^(Application|AppRoleAssignment|RoleManagement|DelegatedPermissionGrant)\.ReadWrite/, ['role_app_management']],
  [/^(Policy\.ReadWrite\.(ConditionalAccess|AuthenticationMethod|Authorization)|Domain\.ReadWrite|Organization\.ReadWrite|Exchange\.Manage)/, ['admin']],
  [/^(User\.Read\.All|Directory\.Read\.All|Group\.Read\.All)$/, ['directory_read']],
];

describe('risky-scope catalog vs the CISA ScubaGear list', () => {
  it('reads the reference: 8 APIs, hundreds of entries', () => {
    expect(Object.keys(reference.resources)).toHaveLength(8);
    expect(entries.size).toBeGreaterThan(400);
  });

  it('has every Application and Delegated entry for its API and type, with ScubaGear\'s risk level as severity', () => {
    const missing: string[] = [];
    const wrongSeverity: string[] = [];
    for (const e of entries.values()) {
      const row = find(e);
      if (!row) missing.push(`${e.resource} ${e.type} ${e.name}`);
      else if (row.severity !== e.severity) wrongSeverity.push(`${e.name} (${e.type}): ${row.severity} ≠ ${e.severity}`);
    }
    expect(missing).toEqual([]);
    expect(wrongSeverity).toEqual([]);
  });

  it('maps each entry to the capability classes of its permission family', () => {
    const wrong: string[] = [];
    let checked = 0;
    for (const e of entries.values()) {
      const row = find(e)!;
      expect(row.capabilities.length, e.name).toBeGreaterThan(0);
      for (const [rx, caps] of FAMILY) {
        if (!rx.test(e.name)) continue;
        checked++;
        for (const c of caps) if (!row.capabilities.includes(c)) wrong.push(`${e.name} (${e.type}) lacks ${c}: ${row.capabilities.join(', ')}`);
      }
      // A read-only permission never carries a write, send or management class.
      if (/\.Read(Basic)?(\.|$)/.test(e.name) && !/Write|Manage|Send|FullControl/.test(e.name)) {
        for (const c of ['files_write', 'mail_send', 'directory_write', 'role_app_management'] as const) {
          if (row.capabilities.includes(c)) wrong.push(`read-only ${e.name} carries ${c}`);
        }
      }
    }
    expect(wrong).toEqual([]);
    expect(checked).toBeGreaterThanOrEqual(140);
  });

  it('spot checks: the planted Entra apps\' permissions', () => {
    const graph = '00000003-0000-0000-c000-000000000000';
    const row = (name: string, type: Entry['type']) => find({ resource: graph, type, name, severity: '' });
    expect(row('Mail.ReadWrite', 'delegated')).toMatchObject({ capabilities: ['mail_read'], severity: 'high' });
    expect(row('Mail.ReadWrite', 'application')).toMatchObject({ capabilities: ['mail_read'], severity: 'critical' });
    expect(row('Files.ReadWrite.All', 'application')).toMatchObject({ capabilities: ['files_read', 'files_write'], severity: 'critical' });
    expect(row('RoleManagement.ReadWrite.Directory', 'application')).toMatchObject({ capabilities: ['role_app_management'], severity: 'critical' });
  });

  it('leaves out what ScubaGear excludes (_excludedDelegated)', () => {
    const excluded = Object.values(reference.permissions['Microsoft Graph']!._excludedDelegated ?? {}).map((p) => p.Name);
    expect(excluded.length).toBeGreaterThan(0);
    for (const name of excluded) expect(find({ resource: '00000003-0000-0000-c000-000000000000', type: 'delegated', name, severity: '' }), name).toBeUndefined();
  });
});
