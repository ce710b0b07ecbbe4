// The rules over a scan of the Entra emulator find exactly the planted Entra apps of the answer
// key (unregistered: a user-consented unverified multi-tenant mail app, a tenant-wide consent to
// an unverified publisher, an app-only Mail.ReadWrite permission; over-scoped: a registered app
// holding Mail.Send beyond its approval) and flag no Microsoft first-party app, although some
// hold powerful grants (issue 6, acceptance 1).
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, runCli, tempDir } from '../helpers/cli.js';
import { query, scan, startEntraWorld, writeEntraConfig, type EntraWorld } from '../helpers/entra.js';

let world: EntraWorld;
const tmp = tempDir();
let findings: { rule_id: string; instance: string; resource: string; status: string; reason: string; severity: string; evidence: Record<string, unknown> }[];

beforeAll(async () => {
  world = await startEntraWorld();
  mkdirSync(join(tmp.dir, 'registry'));
  for (const entry of world.tenant.entra.registry) writeFileSync(join(tmp.dir, 'registry', `${entry.id}.yaml`), stringify(entry));
  writeEntraConfig(tmp.dir, world.emu, {}, { registry: { dir: 'registry' }, rules: { window_days: 30 } });
  const r = await scan(tmp.dir, world.env);
  expect(r.code, r.stderr).toBe(0);
  const list = await runCli(['findings', 'list', '--status', 'open', '--json'], { cwd: tmp.dir, env: world.env });
  expect(list.code, list.stderr).toBe(0);
  findings = json(list);
}, 120_000);
afterAll(async () => {
  await world.emu.close();
  tmp.cleanup();
});


describe('rules over the Entra scan', () => {
  it('open exactly the planted apps under unregistered-app and over-scoped-grant', () => {
    const expected = world.tenant.entra.answerKey.flatMap((a) =>
      [a.expected_rule, ...(a.also_expected ?? [])]
        .filter((rule) => rule === 'unregistered-app' || rule === 'over-scoped-grant')
        .map((rule) => `${rule} entra-prod ${rule === 'over-scoped-grant' ? `${a.app_id}:*` : a.app_id}`),
    );
    expect(expected).toHaveLength(4);
    const got = findings.filter((f) => f.rule_id === 'unregistered-app' || f.rule_id === 'over-scoped-grant').map((f) => `${f.rule_id} ${f.instance} ${f.resource}`);
    expect(got.sort()).toEqual(expected.sort());
  });

  it('open risky-scope-grant for each planted grant, with capability classes and severity; nothing else', () => {
    const expected = world.tenant.entra.answerKey
      .filter((a) => [a.expected_rule, ...(a.also_expected ?? [])].includes('risky-scope-grant'))
      .map((a) => `risky-scope-grant entra-prod ${a.app_id}:${a.id === 'entra-inboxpilot-ai' ? a.people[0] : '*'}`);
    expect(expected).toHaveLength(4);
    const got = findings.filter((f) => f.rule_id === 'risky-scope-grant').map((f) => `${f.rule_id} ${f.instance} ${f.resource}`);
    expect(got.sort()).toEqual(expected.sort());
    // Capability classes and severity per planted grant, from the risky-scope catalog.
    const judged = Object.fromEntries(
      findings.filter((f) => f.rule_id === 'risky-scope-grant').map((f) => {
        const e = f.evidence as { capabilities: string[]; risky_scopes: string[] };
        const id = world.tenant.entra.answerKey.find((a) => f.resource.startsWith(`${a.app_id}:`))!.id;
        return [id, [f.severity, e.capabilities, e.risky_scopes]];
      }),
    );
    expect(judged).toEqual({
      'entra-mailbox-archiver': ['critical', ['mail_read'], ['Mail.ReadWrite']],
      'entra-inboxpilot-ai': ['high', ['mail_read', 'offline_access'], ['Mail.ReadWrite', 'offline_access']],
      'entra-crm-contact-sync-overscoped': ['high', ['mail_send'], ['Mail.Send']],
      'entra-contract-scanner': ['medium', ['files_read', 'offline_access'], ['Files.Read.All', 'Sites.Read.All', 'offline_access']],
    });
  });

  it('flag no Microsoft first-party app, although Graph CLI and Graph Explorer hold Mail/Directory scopes', async () => {
    const fp = new Set(world.tenant.entra.firstPartyApps.map((a) => a.app_id));
    expect(findings.filter((f) => fp.has(f.resource.split(':')[0] as string))).toEqual([]);
    const [row] = await query<{ trap: string[] }>(
      tmp.dir,
      `select list(distinct app_id order by app_id) as trap from norm.grants where app_id in ('14d82eec-204b-4c2f-b7e8-296a70dab67e', 'de8bc8b5-d9f9-48b1-a8ad-b748da725064')
          and (list_contains(scopes, 'Mail.ReadWrite') or list_contains(scopes, 'Mail.Read'))`,
      world.env,
    );
    expect(row!.trap).toEqual(['14d82eec-204b-4c2f-b7e8-296a70dab67e', 'de8bc8b5-d9f9-48b1-a8ad-b748da725064']);
  });

  it('say why: the over-scoped grant names Mail.Send and the registry entry; the tenant-wide consent says so', () => {
    const crm = world.tenant.entra.answerKey.find((a) => a.id === 'entra-crm-contact-sync-overscoped')!;
    const contract = world.tenant.entra.answerKey.find((a) => a.id === 'entra-contract-scanner')!;
    expect(findings.find((f) => f.resource === `${crm.app_id}:*`)!.reason).toMatch(/Mail\.Send/);
    expect(findings.find((f) => f.rule_id === 'unregistered-app' && f.resource === contract.app_id)!.reason).toMatch(/PDF Contract Scanner.*tenant-wide/);
  });
});
