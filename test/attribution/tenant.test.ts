// Attribution on the synthetic demo tenant (fixtures/tenant): every person browses from their own
// office IP, ~15 % of proxy lines carry no user, and the Okta System Log has their sign-ins from
// the same IP. So the truth is known: an inferred row is right when its person is the owner of
// the source IP. Imported with the real CLI (`import squid|okta`, the files `writeTenant` writes).
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeTenant } from '../../fixtures/tenant/cli.js';
import { generateTenant } from '../../fixtures/tenant/index.js';
import { tempDir } from '../helpers/cli.js';
import { cli, query, writeConfig } from './helpers.js';

const tmp = tempDir('shadowscan-attr-tenant-');
const cwd = tmp.dir;
const tenant = generateTenant({ seed: 42, size: 'demo', now: Date.parse('2025-06-15T12:00:00.000Z') });

beforeAll(async () => {
  await writeTenant(tenant, join(cwd, 't'));
  writeConfig(cwd, 'shadowscan.yaml', { attribution: { ip_window_minutes: 10 } });
  await cli(cwd, ['import', 'squid', 't/squid/access.log', '--json']);
  await cli(cwd, ['import', 'okta', 't/okta/system-log.jsonl', '--json']);
  await cli(cwd, ['import', 'okta', 't/okta/users.json', '--complete', '--json']);
});
afterAll(tmp.cleanup);

interface Tally {
  anonymous: number;
  inferred: number;
  inferred_right: number;
  inferred_wrong: number;
  logged: number;
  logged_resolved_right: number;
}

describe('attribution on the demo tenant (10-minute window)', () => {
  it('infers users for anonymous rows, every one the owner of the source IP; every logged user resolves to its person', async () => {
    const truth = [...tenant.people].map((p) => `('${p.office_ip}', '${p.email}')`).join(', ');
    const [t] = await query<Tally>(
      cwd,
      `with truth(ip, email) as (values ${truth})
       select count(*) filter (where not user_inferred and e."user" is null) as anonymous,
              count(*) filter (where user_inferred) as inferred,
              count(*) filter (where user_inferred and e.person_id = t.email) as inferred_right,
              count(*) filter (where user_inferred and e.person_id is distinct from t.email) as inferred_wrong,
              count(*) filter (where not user_inferred and e."user" is not null) as logged,
              count(*) filter (where not user_inferred and e."user" is not null and e.person_id = t.email) as logged_resolved_right
         from norm.egress e left join truth t on t.ip = e.src_ip`,
    );
    expect(t!.inferred).toBeGreaterThan(50);
    expect(t!.inferred_wrong).toBe(0);
    expect(t!.inferred_right).toBe(t!.inferred);
    expect(t!.anonymous).toBeGreaterThan(0);
    expect(t!.logged).toBeGreaterThan(1000);
    expect(t!.logged_resolved_right).toBe(t!.logged);
  });
});
