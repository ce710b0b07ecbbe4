// Corpus suite: the real public Okta System Log sample (Panther fixtures: some records with
// lowercased keys, some partial) imports without rejects, and its values land in norm views.
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { json, REPO, runCli, tempDir } from '../helpers/cli.js';

const CORPUS = resolve(process.env.SHADOWSCAN_CORPUS ?? join(REPO, '../shared/corpus'));
const FILE = join(CORPUS, 'okta/panther_okta_systemlog.jsonl');

describe('okta corpus', () => {
  const tmp = tempDir();
  afterAll(tmp.cleanup);
  const dataDir = join(tmp.dir, 'data');
  const q = async <T>(sql: string) => {
    const r = await runCli(['query', sql, '--json', '--data-dir', dataDir], { cwd: tmp.dir });
    expect(r.code, r.stderr).toBe(0);
    return json<T[]>(r);
  };

  it('imports all 80 records (lowercase keys and partial records included) with no rejects', async () => {
    const r = await runCli(['import', 'okta', FILE, '--json', '--data-dir', dataDir], { cwd: tmp.dir });
    expect(r.code, r.stderr).toBe(0);
    expect(json<{ results: { stream: string; rowsWritten: number; rejects: number }[] }>(r).results).toEqual([
      expect.objectContaining({ stream: 'system_log', rowsWritten: 80, rejects: 0 }),
    ]);
  });

  it('reads lowercased keys (eventtype, displaymessage) like the API shape', async () => {
    const rows = await q<{ n: number }>(
      "select count(*) as n from raw.okta_system_log where event_type = 'user.mfa.factor.deactivate' and display_message = 'Reset factor for user' and actor_alternate_id = 'homer@springfield.gov' and client_ip = '1.1.1.1' and outcome_result = 'SUCCESS'",
    );
    expect(rows[0]!.n).toBeGreaterThanOrEqual(1);
  });

  it('keeps records without uuid under a derived id and dedupes the sample\'s reused placeholder uuids', async () => {
    const [c] = await q<{ total: number; derived: number; placeholder: number }>(
      "select count(*) as total, count(*) filter (where uuid like 'derived:%') as derived, count(*) filter (where uuid = 'AbC-123-XyZ') as placeholder from raw.okta_system_log",
    );
    // 20 distinct real uuids (one placeholder reused 18 times collapses to 1) + 17 derived.
    expect(c).toEqual({ total: 37, derived: 17, placeholder: 1 });
  });

  it('maps sessions and SSO into norm.signins, and privilege grants into norm.admin_events', async () => {
    const s = await q<{ n: number }>("select count(*) as n from norm.signins where \"user\" = 'homer@springfield.gov'");
    expect(s[0]!.n).toBeGreaterThan(0);
    const a = await q<{ action: string }>("select distinct action from norm.admin_events order by 1");
    expect(a.map((x) => x.action)).toEqual(expect.arrayContaining(['user.account.privilege.grant', 'application.user_membership.show_password']));
  });
});
