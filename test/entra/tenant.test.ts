// The synthetic tenant's Entra part agrees with its own answer key and registry: the same people
// as Okta, Microsoft first-party apps owned by Microsoft's tenants with their real appIds, every
// other non-planted app registered with the scopes it holds, the planted grants exactly as the
// key describes them, sign-ins ascending with every event type, audits under old and new names.
import { describe, expect, it } from 'vitest';
import { splitScopes } from '../../connectors/entra/transform.js';
import { MICROSOFT_CORP_TENANT, MICROSOFT_SERVICES_TENANT, type GraphObject } from '../../fixtures/tenant/entra.js';
import { demoTenant } from '../helpers/entra.js';

const t = demoTenant();
const e = t.entra;
const sps = [...e.servicePrincipals];
const byId = new Map(sps.map((s) => [String(s.id), s]));
const users = new Map([...e.users].map((u) => [String(u.id), u]));
const grants = [...e.grants];
const scopesOf = (appId: string) => {
  const sp = sps.find((s) => s.appId === appId)!;
  const delegated = grants.filter((g) => g.clientId === sp.id).flatMap((g) => splitScopes(g.scope));
  const graph = sps.find((s) => s.appId === '00000003-0000-0000-c000-000000000000')!;
  const roles = e.appRoleAssignedTo(String(graph.id)).filter((a) => a.principalId === sp.id)
    .map((a) => (graph.appRoles as { id: string; value: string }[]).find((r) => r.id === a.appRoleId)!.value);
  return new Set([...delegated, ...roles]);
};

describe('Entra synthetic tenant (demo)', () => {
  it('has the Okta people (departed ones deleted), same emails; disabled ones accountEnabled false', () => {
    const people = [...t.people].filter((p) => p.status !== 'departed');
    expect([...e.users].map((u) => u.mail)).toEqual(people.map((p) => p.email));
    expect([...e.users].filter((u) => u.accountEnabled === false).map((u) => u.mail)).toEqual(people.filter((p) => p.status === 'disabled').map((p) => p.email));
  });

  it('Microsoft first-party apps: real appIds, owned by Microsoft tenants, some holding powerful grants (the trap)', () => {
    expect(e.firstPartyApps.length).toBe(e.counts.firstParty);
    expect(e.firstPartyApps.length).toBeGreaterThanOrEqual(50);
    for (const fp of e.firstPartyApps) expect([MICROSOFT_SERVICES_TENANT, MICROSOFT_CORP_TENANT]).toContain(fp.publisher_id);
    const names = new Map(e.firstPartyApps.map((a) => [a.app_id, a.name]));
    expect(names.get('00000003-0000-0000-c000-000000000000')).toBe('Microsoft Graph');
    expect(names.get('1fec8e78-bce4-4aaf-ab1b-5451cc387264')).toBe('Microsoft Teams');
    expect(names.get('14d82eec-204b-4c2f-b7e8-296a70dab67e')).toBe('Microsoft Graph Command Line Tools');
    expect(scopesOf('14d82eec-204b-4c2f-b7e8-296a70dab67e')).toContain('Mail.ReadWrite');
    // No other app claims a Microsoft owner tenant.
    const fpIds = new Set(names.keys());
    for (const s of sps) expect(fpIds.has(String(s.appId))).toBe([MICROSOFT_SERVICES_TENANT, MICROSOFT_CORP_TENANT].includes(String(s.appOwnerOrganizationId)));
  });

  it('every app that is neither first-party nor planted is registered, approving every scope it holds', () => {
    const planted = new Set(e.answerKey.map((a) => a.app_id));
    const fp = new Set(e.firstPartyApps.map((a) => a.app_id));
    const registry = new Map(e.registry.flatMap((r) => r.identities.map((i) => [i.app_id, r] as const)));
    for (const s of sps) {
      const appId = String(s.appId);
      if (fp.has(appId)) {
        expect(registry.has(appId)).toBe(false);
        continue;
      }
      if (planted.has(appId) && appId !== e.answerKey.find((a) => a.id === 'entra-crm-contact-sync-overscoped')!.app_id) {
        expect([appId, registry.has(appId)]).toEqual([appId, false]);
        continue;
      }
      const reg = registry.get(appId);
      expect(reg, `${s.displayName} is not registered`).toBeDefined();
      const extra = [...scopesOf(appId)].filter((x) => !reg!.approved_scopes.includes(x));
      if (planted.has(appId)) expect(extra).toEqual(['Mail.Send']);
      else expect([s.displayName, extra]).toEqual([s.displayName, []]);
    }
  });

  it('the planted grants are what the key says: one user’s mail consent with stray spaces, a tenant-wide consent, an app-only Mail.ReadWrite', () => {
    const key = (id: string) => e.answerKey.find((a) => a.id === id)!;
    const spOf = (id: string) => sps.find((s) => s.appId === key(id).app_id)!;
    const inbox = grants.filter((g) => g.clientId === spOf('entra-inboxpilot-ai').id);
    expect(inbox.map((g) => [g.consentType, users.get(String(g.principalId))?.mail, g.scope])).toEqual([['Principal', key('entra-inboxpilot-ai').people[0], ' openid profile offline_access  Mail.ReadWrite ']]);
    expect(spOf('entra-inboxpilot-ai')).toMatchObject({ signInAudience: 'AzureADandPersonalMicrosoftAccount', verifiedPublisher: { verifiedPublisherId: null } });
    const contract = grants.filter((g) => g.clientId === spOf('entra-contract-scanner').id);
    expect(contract.map((g) => [g.consentType, g.principalId])).toEqual([['AllPrincipals', null]]);
    expect(scopesOf(key('entra-mailbox-archiver').app_id!)).toEqual(new Set(['Mail.ReadWrite']));
    expect(grants.some((g) => g.clientId === spOf('entra-mailbox-archiver').id)).toBe(false);
    expect(grants.filter((g) => /^\s|\s\s|\s$/.test(String(g.scope))).length).toBeGreaterThan(5); // background stray spaces too
  });

  it('sign-ins ascending with every event type; audits carry both activity names of a delegated grant', () => {
    const signIns = [...e.signIns] as GraphObject[];
    const times = signIns.map((s) => Date.parse(String(s.createdDateTime)));
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(new Set(signIns.map((s) => (s.signInEventTypes as string[])[0]))).toEqual(new Set(['interactiveUser', 'nonInteractiveUser', 'servicePrincipal']));
    expect(new Set(signIns.map((s) => s.id)).size).toBe(signIns.length);
    const activities = new Set([...e.directoryAudits].map((a) => a.activityDisplayName));
    for (const name of ['Add delegated permission grant', 'Add OAuth2PermissionGrant', 'Consent to application', 'Add service principal', 'Add app role assignment to service principal']) expect(activities).toContain(name);
  });
});
