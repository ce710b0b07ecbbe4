// `shadowscan scan` through the real @googleapis/admin + google-auth-library (service account,
// domain-wide delegation) against the Google emulator serving the demo tenant: every stream
// complete with the tenant's rows, Google rows in every norm view it feeds, the planted apps
// found by the rules and no Google first-party client flagged (issue 7, acceptance 1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, runCli, tempDir } from '../helpers/cli.js';
import { byStream, expectedCounts, GOOGLE_STREAMS, query, scan, startGoogleWorld, writeGoogleConfig, type GoogleWorld } from './world.js';

let world: GoogleWorld;
const tmp = tempDir();
let first: Awaited<ReturnType<typeof scan>>;

beforeAll(async () => {
  world = await startGoogleWorld();
  writeGoogleConfig(tmp.dir, world);
  first = await scan(tmp.dir, world.env);
}, 120_000);
afterAll(async () => {
  await world.emu.close();
  tmp.cleanup();
});

const planted = (id: string) => {
  const e = world.tenant.answerKey.find((a) => a.id === id);
  if (!e?.app_id) throw new Error(`no planted app ${id}`);
  return e as typeof e & { app_id: string };
};

describe('a clean scan of the demo domain', () => {
  it('completes every stream with the tenant’s rows; tokens.list is called once per user, by id', () => {
    expect(first.results.length, first.stderr).toBe(4);
    const results = byStream(first.results);
    const expected = expectedCounts(world.tenant);
    for (const s of GOOGLE_STREAMS) expect([s, results[s]?.status, results[s]?.rowsWritten]).toEqual([s, 'ok', expected[s]]);
    const users = [...world.tenant.google.users];
    // One tokens.list per user, plus the stream's own token request (its scope's JWT).
    expect(results.tokens!.requests).toBe(users.length + 1);
    expect(Object.keys(world.emu.stats.tokensByUser).sort()).toEqual(users.map((u) => u.id).sort());
    expect(Object.values(world.emu.stats.tokensByUser).every((n) => n === 1)).toBe(true);
    // One token per stream scope (directory user, user security, reports), and no throttling.
    expect(Object.keys(world.emu.stats.tokenRequestsByScope).sort()).toEqual([
      'https://www.googleapis.com/auth/admin.directory.user.readonly',
      'https://www.googleapis.com/auth/admin.directory.user.security',
      'https://www.googleapis.com/auth/admin.reports.audit.readonly',
    ]);
    expect(world.emu.stats.throttled).toBe(0);
  });

  it('norm.grants holds the planted apps with their principals and full scope strings; norm.apps names them', async () => {
    const script = planted('google-mail-merge-script');
    const departed = planted('google-departed-user-tool');
    const [row] = await query<{ grants: { app_id: string; principal: string; scopes: string[]; consent_type: string; granted: boolean; used: boolean }[]; apps: { app_id: string; name: string }[] }>(
      tmp.dir,
      `select (select list({'app_id': app_id, 'principal': principal, 'scopes': scopes, 'consent_type': consent_type,
                             'granted': granted_at is not null, 'used': last_used_at is not null} order by app_id, principal)
                 from norm.grants where provider = 'google' and app_id in ('${script.app_id}', '${departed.app_id}')) as grants,
              (select list({'app_id': app_id, 'name': name} order by app_id) from norm.apps where provider = 'google' and app_id in ('${script.app_id}', '${departed.app_id}')) as apps`,
      world.env,
    );
    const scriptScopes = world.tenant.google.clients.find((c) => c.clientId === script.app_id)!.scopes.slice().sort();
    expect(row!.grants.filter((g) => g.app_id === script.app_id)).toEqual(
      [...script.people].sort().map((p) => ({ app_id: script.app_id, principal: p, scopes: scriptScopes, consent_type: 'user', granted: true, used: true })),
    );
    expect(scriptScopes).toContain('https://www.googleapis.com/auth/drive');
    expect(scriptScopes).toContain('https://mail.google.com/');
    expect(row!.grants.filter((g) => g.app_id === departed.app_id).map((g) => [g.principal, g.scopes.includes('https://www.googleapis.com/auth/gmail.readonly')])).toEqual([[departed.people[0], true]]);
    expect(row!.apps.map((a) => a.name).sort()).toEqual(['Mail Merge Helper', 'PDF Export Pro']);
  });

  it('norm.people, signins and admin_events have Google rows; the departed user is a suspended (disabled) account', async () => {
    const departed = planted('google-departed-user-tool').people[0]!;
    const g = world.tenant.google;
    const logins = g.activities.login.filter((a) => ['login_success', 'login_failure'].includes(a.events[0]!.name)).length;
    const usage = g.activities.token.filter((a) => a.events[0]!.name === 'activity').length;
    const authorizations = g.activities.token.filter((a) => a.events[0]!.name === 'authorize').length;
    const [row] = await query<Record<string, unknown>>(
      tmp.dir,
      `select (select count(*) from norm.people where 'google' in providers) as people,
              (select status from norm.people where person_id = '${departed}') as departed_status,
              (select count(*) from norm.signins where provider = 'google' and app_id is null) as logins,
              (select count(*) from norm.signins where provider = 'google' and app_id is not null) as usage,
              (select count(*) from norm.admin_events where provider = 'google' and action = 'token.authorize') as authorizations`,
      world.env,
    );
    expect(row).toEqual({ people: g.users.length, departed_status: 'disabled', logins, usage, authorizations });
  });

  it('the rules flag both planted Google apps (unregistered, and each grant as risky) and no Google first-party client', async () => {
    const r = await runCli(['findings', 'list', '--status', 'all', '--json'], { cwd: tmp.dir, env: world.env });
    expect(r.code, r.stderr).toBe(0);
    const findings = json<{ rule_id: string; instance: string; resource: string; status: string }[]>(r);
    const unregistered = findings.filter((f) => f.rule_id === 'unregistered-app' && f.instance === 'google-prod').map((f) => f.resource).sort();
    expect(unregistered).toEqual([planted('google-mail-merge-script').app_id, planted('google-departed-user-tool').app_id].sort());
    const firstParty = world.tenant.firstPartyApps.filter((a) => a.provider === 'google').map((a) => a.app_id);
    expect(firstParty).toHaveLength(3);
    expect(findings.filter((f) => firstParty.some((id) => f.resource.startsWith(id)))).toEqual([]);
    // risky-scope-grant (catalog.risky_scopes): one finding per planted grant (app:principal),
    // nothing for registered apps whose approved scopes cover what they hold.
    const risky = findings.filter((f) => f.rule_id === 'risky-scope-grant' && f.instance === 'google-prod').map((f) => f.resource).sort();
    const expectedRisky = world.tenant.answerKey.filter((a) => a.provider === 'google').flatMap((a) => a.people.map((p) => `${a.app_id}:${p}`)).sort();
    expect(risky).toEqual(expectedRisky);
  });
});
