// Matching apps and domains to registry entries: identity key first, then domain; a similar
// name is only ever a suggestion for a person, never a match.
import { describe, expect, it } from 'vitest';
import { matchRegistry, nameSimilarity, suggestByName, type RegistryEntry } from '../../src/registry/index.js';

function entry(id: string, fields: Partial<RegistryEntry> = {}): RegistryEntry {
  return { id, name: id, identities: [], domains: [], third_party_services: [], approved_scopes: [], status: 'approved', file: `/reg/${id}.yaml`, line: 1, ...fields };
}

const notionApp = entry('notion-sync', { name: 'Notion to Sheets sync', identities: [{ provider: 'okta', app_id: '0oa1NotionSync' }] });
const notionWeb = entry('notion-web', { name: 'Notion (web)', domains: ['notion.so'] });
const expense = entry('expense-helper', { name: 'Expense helper', domains: ['expense-helper.vercel.app'] });
const oldBot = entry('old-bot', { name: 'Old bot', status: 'retired', identities: [{ provider: 'entra', app_id: '11111111-2222-3333-4444-555555555555' }] });
const newBot = entry('new-bot', { name: 'New bot', identities: [{ provider: 'entra', app_id: '11111111-2222-3333-4444-555555555555' }] });
const entries = [notionWeb, expense, notionApp, oldBot, newBot];

describe('matchRegistry', () => {
  it('matches an identity by provider and case-insensitive app_id', () => {
    expect(matchRegistry(entries, { provider: 'okta', app_id: '0OA1NOTIONSYNC' })).toEqual({ entry: notionApp, by: 'identity' });
  });

  it('prefers the identity over a domain that names another entry', () => {
    expect(matchRegistry(entries, { provider: 'okta', app_id: '0oa1notionsync', domain: 'www.notion.so' })).toEqual({ entry: notionApp, by: 'identity' });
  });

  it('falls back to the domain when the identity is unknown, comparing registrable domains', () => {
    expect(matchRegistry(entries, { provider: 'okta', app_id: '0oa-unknown', domain: 'API.Notion.so' })).toEqual({ entry: notionWeb, by: 'domain' });
  });

  it('never matches the same app_id under another provider', () => {
    expect(matchRegistry(entries, { provider: 'google', app_id: '0oa1NotionSync' })).toBeUndefined();
  });

  it('matches a platform app by its own host only, not its neighbours on the platform', () => {
    expect(matchRegistry(entries, { domain: 'expense-helper.vercel.app' })).toEqual({ entry: expense, by: 'domain' });
    expect(matchRegistry(entries, { domain: 'other-app.vercel.app' })).toBeUndefined();
  });

  it('prefers the live entry when a retired one claimed the same identity', () => {
    expect(matchRegistry(entries, { provider: 'entra', app_id: '11111111-2222-3333-4444-555555555555' })).toEqual({ entry: newBot, by: 'identity' });
  });

  it('turns a name-only resemblance into suggestions, never a match', () => {
    const result = matchRegistry(entries, { provider: 'okta', app_id: '0oa-someone-else', name: 'Notion-to-Sheets Sync' });
    expect(result).toEqual({ suggestions: [notionApp] });
    expect(result && 'entry' in result).toBe(false);
  });

  it('returns undefined when nothing matches or resembles', () => {
    expect(matchRegistry(entries, { provider: 'okta', app_id: '0oa-x', domain: 'example.org', name: 'Quarterly Payroll Exporter' })).toBeUndefined();
  });
});

describe('name similarity', () => {
  it('scores identical names (ignoring case, punctuation and filler words) as 1', () => {
    expect(nameSimilarity('Notion to Sheets Sync', 'notion-to-sheets-sync app')).toBe(1);
  });

  it('scores unrelated names low', () => {
    expect(nameSimilarity('Zoom', 'Salesforce')).toBeLessThan(0.6);
  });

  it('suggests every entry whose name contains the other name\'s words (ties by id), and only those', () => {
    expect(suggestByName(entries, 'Notion').map((e) => e.id)).toEqual(['notion-sync', 'notion-web']);
    expect(suggestByName(entries, 'Expense Helper v2').map((e) => e.id)).toEqual(['expense-helper']);
  });
});
