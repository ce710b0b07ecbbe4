// `shadowscan scan` against the Okta emulator serving the demo tenant fills the norm views with
// the rows the answer key says a correct scan must have (issue 4, acceptance 1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { byStream, expectedCounts, query, rawCounts, scan, startWorld, STREAMS, writeOktaConfig, type OktaWorld, type StreamResult } from '../helpers/okta.js';
import type { OktaLogEvent } from '../../fixtures/tenant/index.js';

let world: OktaWorld;
const tmp = tempDir();
let first: Awaited<ReturnType<typeof scan>>;

beforeAll(async () => {
  world = await startWorld();
  writeOktaConfig(tmp.dir, world.emu.url);
  first = await scan(tmp.dir, world.env);
});
afterAll(async () => {
  await world.emu.close();
  tmp.cleanup();
});

const planted = (id: string) => {
  const entry = world.tenant.answerKey.find((a) => a.id === id);
  if (!entry?.app_id) throw new Error(`no planted app ${id}`);
  return entry as typeof entry & { app_id: string };
};

describe('a clean scan of the demo tenant', () => {
  it('exits 0 with every stream ok, each with the tenant’s row count and the requests it made', () => {
    expect(first.code, first.stderr).toBe(0);
    const results = byStream(first.results);
    const expected = expectedCounts(world.tenant);
    expect(Object.keys(results).sort()).toEqual([...STREAMS].sort());
    for (const s of STREAMS) {
      const r = results[s] as StreamResult;
      expect([s, r.status, r.rowsWritten]).toEqual([s, 'ok', expected[s]]);
      expect(r.requests).toBeGreaterThan(0);
    }
    // One request per app / per usable (not DEPROVISIONED) user for the grant fan-outs (every list fits one page).
    expect(results.app_grants!.requests).toBe(expected.apps);
    expect(results.user_grants!.requests).toBe([...world.tenant.okta.users].filter((u) => u.status !== 'DEPROVISIONED').length);
    // Users: the plain listing, then the DEPROVISIONED ones Okta leaves out of it.
    expect(results.users!.requests).toBe(2);
    expect(world.emu.stats.rateLimited).toBe(0);
  });

  it('lands every raw row once: the views hold exactly the tenant’s users (DEPROVISIONED too), apps, grants and events', async () => {
    expect(await rawCounts(tmp.dir, world.env)).toEqual(expectedCounts(world.tenant));
  });

  it('norm.apps and norm.grants show the planted identity apps with their principals and scopes; built-ins are first-party', async () => {
    const notion = planted('notion-sheets-sync');
    const hr = planted('hr-directory-sync-overscoped');
    const minutes = planted('minutesbot-ai');
    const firstParty = world.tenant.firstPartyApps.filter((a) => a.provider === 'okta').map((a) => a.app_id).sort();
    const [row] = await query<{ apps: { app_id: string; name: string; first_party: boolean; publisher: string | null }[]; grants: { app_id: string; principal: string; scopes: string[]; consent_type: string }[]; fp: string[] }>(
      tmp.dir,
      `select
         (select list({'app_id': app_id, 'name': name, 'first_party': first_party, 'publisher': publisher} order by app_id) from norm.apps
           where instance = 'okta-prod' and provider = 'okta' and app_id in ('${notion.app_id}', '${hr.app_id}', '${minutes.app_id}')) as apps,
         (select list({'app_id': app_id, 'principal': principal, 'scopes': scopes, 'consent_type': consent_type} order by app_id, principal) from norm.grants
           where app_id in ('${notion.app_id}', '${hr.app_id}', '${minutes.app_id}')) as grants,
         (select list(app_id order by app_id) from norm.apps where first_party) as fp`,
      world.env,
    );
    expect(row!.apps).toEqual(
      [
        { app_id: notion.app_id, name: 'Notion-to-Sheets sync', first_party: false, publisher: null },
        { app_id: hr.app_id, name: 'HR Directory Sync', first_party: false, publisher: null },
        { app_id: minutes.app_id, name: 'MinutesBot AI', first_party: false, publisher: null },
      ].sort((a, b) => a.app_id.localeCompare(b.app_id)),
    );
    // End-user consents: one grant row per person, with the scopes they consented to.
    const consent = ['email', 'offline_access', 'openid', 'profile'];
    const grantsOf = (appId: string) => row!.grants.filter((g) => g.app_id === appId);
    expect(grantsOf(notion.app_id)).toEqual([...notion.people].sort().map((p) => ({ app_id: notion.app_id, principal: p, scopes: consent, consent_type: 'user' })));
    expect(grantsOf(minutes.app_id).map((g) => g.principal)).toEqual([...minutes.people].sort());
    expect(grantsOf(minutes.app_id).every((g) => g.consent_type === 'user' && g.scopes.includes('openid'))).toBe(true);
    // The over-scoped service app: an org-wide admin grant holding okta.users.manage.
    expect(grantsOf(hr.app_id)).toEqual([{ app_id: hr.app_id, principal: '*', scopes: ['okta.groups.read', 'okta.users.manage', 'okta.users.read'], consent_type: 'admin' }]);
    expect(row!.fp).toEqual(firstParty);
    expect(firstParty).toHaveLength(4);
  });

  it('norm.people has every person of the tenant with the right status; sign-ins and admin events come from the System Log', async () => {
    const people = [...world.tenant.people];
    const statusCount = (s: string) => people.filter((p) => p.status === s).length;
    const departed = people.find((p) => p.status === 'departed')!;
    const disabled = people.find((p) => p.status === 'disabled')!;
    const events = [...world.tenant.okta.systemLog] as OktaLogEvent[];
    const signinTypes = new Set(['user.authentication.sso', 'app.auth.sso', 'user.session.start']);
    const isSignin = (e: OktaLogEvent) => signinTypes.has(e.eventType) || /^app\.oauth2\..*token\.grant/.test(e.eventType);
    const isAdmin = (e: OktaLogEvent) => /^(app\.oauth2\..*consent|application\.lifecycle\.|app\.oauth2\.client\.|user\.account\.privilege\.|application\.user_membership\.)/.test(e.eventType);
    const notion = planted('notion-sheets-sync');
    const notionConsents = events.filter((e) => e.eventType === 'app.oauth2.as.consent.grant' && e.debugContext.debugData.clientId === notion.app_id);
    const minutes = planted('minutesbot-ai');
    const [row] = await query<Record<string, unknown>>(
      tmp.dir,
      `select
         (select count(*) from norm.people) as people,
         (select list(distinct status order by status) from norm.people) as statuses,
         (select count(*) from norm.people where status = 'active') as active,
         (select count(*) from norm.people where status = 'disabled') as disabled,
         (select count(*) from norm.people where status = 'departed') as departed,
         (select status from norm.people where person_id = '${departed.email}') as departed_status,
         (select {'status': status, 'department': department, 'name': display_name} from norm.people where email = '${disabled.email}') as disabled_person,
         (select count(*) from norm.signins where provider = 'okta' and instance = 'okta-prod') as signins,
         (select count(distinct "user") from norm.signins where app_id = '${minutes.app_id}') as minutes_users,
         (select count(*) from norm.admin_events) as admin_events,
         (select list(actor order by actor) from norm.admin_events where action = 'app.oauth2.as.consent.grant' and app_id = '${notion.app_id}') as notion_consents`,
      world.env,
    );
    expect(row).toEqual({
      people: people.length,
      statuses: ['active', 'departed', 'disabled'],
      active: statusCount('active'),
      disabled: statusCount('disabled'),
      departed: statusCount('departed'),
      departed_status: 'departed',
      disabled_person: { status: 'disabled', department: disabled.department, name: disabled.display_name },
      signins: events.filter(isSignin).length,
      minutes_users: expect.any(Number),
      admin_events: events.filter(isAdmin).length,
      notion_consents: notionConsents.map((e) => e.actor.alternateId).sort(),
    });
    expect(row!.minutes_users).toBeGreaterThan(0);
    expect(row!.minutes_users).toBeLessThanOrEqual(minutes.people.length);
    expect(notionConsents.map((e) => e.actor.alternateId).sort()).toEqual([...notion.people].sort());
  });
});

describe('grants configured without their parent streams', () => {
  it('list users and apps without storing them: the users and apps views keep the last complete snapshot', async () => {
    writeOktaConfig(tmp.dir, world.emu.url, { streams: ['app_grants', 'user_grants'] });
    world.emu.resetStats();
    const r = await scan(tmp.dir, world.env);
    writeOktaConfig(tmp.dir, world.emu.url);
    expect(r.code, r.stderr).toBe(0);
    const expected = expectedCounts(world.tenant);
    // Only the two grant streams ran (no users/apps sync was recorded), and they are complete.
    expect(r.results.map((x) => [x.stream, x.status, x.rowsWritten])).toEqual([
      ['app_grants', 'ok', expected.app_grants],
      ['user_grants', 'ok', expected.user_grants],
    ]);
    // One plain listing each (DEPROVISIONED users have no usable grants, so they are not listed).
    expect([world.emu.stats.byRoute['/api/v1/users'], world.emu.stats.byRoute['/api/v1/apps']]).toEqual([1, 1]);
    const notion = planted('notion-sheets-sync');
    const [v] = await query<Record<string, unknown>>(
      tmp.dir,
      `select (select count(*) from raw.okta_users) as users, (select count(*) from raw.okta_apps) as apps,
              (select count(distinct _sync_id) from raw.okta_user_grants) as grant_syncs,
              (select list(principal order by principal) from norm.grants where app_id = '${notion.app_id}') as principals`,
      world.env,
    );
    expect(v).toEqual({ users: expected.users, apps: expected.apps, grant_syncs: 1, principals: [...notion.people].sort() });
    expect((v!.principals as string[]).every((p) => p.includes('@'))).toBe(true);
  });
});
