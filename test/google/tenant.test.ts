// The synthetic Google domain agrees with its answer key: the same people as Okta, the planted
// apps held by the people the key names with the scopes it names, every other non-first-party
// client registered with approved scopes covering what it holds (so nothing else alarms), and
// Google's own clients in the first-party list, holding broad scopes as a trap.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateTenant } from '../../fixtures/tenant/index.js';
import { writeTenant } from '../../fixtures/tenant/cli.js';
import { json, runCli } from '../helpers/cli.js';
import { NOW } from './world.js';

const tenant = generateTenant({ seed: 42, size: 'demo', now: NOW });
const g = tenant.google;

describe('synthetic Google domain (demo)', () => {
  it('has the tenant’s people (departed ones deleted, except the planted leaver kept suspended)', () => {
    const people = [...tenant.people];
    const emails = [...g.users].map((u) => u.primaryEmail);
    const departed = tenant.answerKey.find((a) => a.id === 'google-departed-user-tool')!.people[0]!;
    expect(emails.sort()).toEqual(people.filter((p) => p.status !== 'departed' || p.email === departed).map((p) => p.email).sort());
    const leaver = g.users.at(g.users.indexOf(departed));
    expect([leaver.suspended, leaver.orgUnitPath]).toEqual([true, '/Former employees']);
    expect(people.find((p) => p.email === departed)!.status).toBe('departed');
    expect([...g.users].filter((u) => u.isAdmin)).toHaveLength(1);
    expect(g.users.indexOf(g.users.at(7).id)).toBe(7);
  });

  it('the planted apps are held by exactly the people in the key, with the scopes it names', () => {
    for (const entry of tenant.answerKey.filter((a) => a.provider === 'google')) {
      const holders = [...g.users].filter((u) => g.tokens(u.id)!.some((t) => t.clientId === entry.app_id)).map((u) => u.primaryEmail).sort();
      expect([entry.id, holders]).toEqual([entry.id, [...entry.people].sort()]);
      const token = g.tokens(entry.people[0]!)!.find((t) => t.clientId === entry.app_id)!;
      for (const scope of entry.scopes ?? []) expect(token.scopes).toContain(scope);
      expect(tenant.registry.some((r) => r.identities.some((i) => i.app_id === entry.app_id))).toBe(false);
      expect([entry.expected_rule, entry.also_expected]).toEqual(['unregistered-app', ['risky-scope-grant']]);
    }
    expect(tenant.answerKey.find((a) => a.id === 'google-mail-merge-script')!.people).toHaveLength(2);
  });

  it('nothing else would alarm: every client held is first-party, planted, or registered with its scopes approved', () => {
    const firstParty = new Set(tenant.firstPartyApps.filter((a) => a.provider === 'google').map((a) => a.app_id));
    const planted = new Set(tenant.answerKey.filter((a) => a.provider === 'google').map((a) => a.app_id));
    const approved = new Map(tenant.registry.flatMap((r) => r.identities.filter((i) => i.provider === 'google').map((i) => [i.app_id, new Set(r.approved_scopes)] as const)));
    const seen = new Set<string>();
    for (const u of g.users) {
      for (const t of g.tokens(u.id)!) {
        seen.add(t.clientId);
        if (firstParty.has(t.clientId) || planted.has(t.clientId)) continue;
        const ok = approved.get(t.clientId);
        expect([t.displayText, !!ok]).toEqual([t.displayText, true]);
        for (const s of t.scopes) expect(ok!.has(s)).toBe(true);
      }
    }
    // The trap is live: Google's own clients hold tokens, with broad scopes.
    expect([...firstParty].every((id) => seen.has(id))).toBe(true);
    expect(g.clients.find((c) => c.key === 'google-cloud-sdk')!.scopes).toContain('https://www.googleapis.com/auth/cloud-platform');
  });

  it('token and login activities are ascending, inside the window, with authorize events for the planted script', () => {
    const times = g.activities.token.map((a) => a.id.time);
    expect(times).toEqual([...times].sort());
    expect(Date.parse(times.at(-1)!)).toBeLessThanOrEqual(tenant.now);
    const script = tenant.answerKey.find((a) => a.id === 'google-mail-merge-script')!;
    const authorizers = g.activities.token
      .filter((a) => a.events[0]!.name === 'authorize' && a.events[0]!.parameters.some((p) => p.name === 'client_id' && p.value === script.app_id))
      .map((a) => a.actor.email)
      .sort();
    expect(authorizers).toEqual([...script.people].sort());
    expect(g.counts.loginEvents).toBe(1_000);
  });

  it('writeTenant writes the Google exports in the API shapes, and `import google` loads every row of them', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'shadowscan-gtenant-'));
    try {
      await writeTenant(tenant, join(dir, 't'));
      const files = ['users.json', 'tokens.jsonl', 'token-activity.json', 'login-activity.jsonl'].map((f) => join(dir, 't', 'google', f));
      const r = await runCli(['import', 'google', ...files, '--complete', '--json', '--data-dir', join(dir, 'data')], { cwd: dir });
      expect(r.code, r.stderr).toBe(0);
      const rows = Object.fromEntries(json<{ results: { stream: string; rowsWritten: number; rejects: number }[] }>(r).results.map((x) => [x.stream, [x.rowsWritten, x.rejects]]));
      expect(rows).toEqual({ users: [g.users.length, 0], tokens: [g.counts.tokens, 0], token_activity: [g.counts.tokenEvents, 0], login_activity: [g.counts.loginEvents, 0] });
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
