// The unregistered-egress rule counts people, not spellings: one person logged by the proxy as
// `jdoe`, `ACME\jdoe`, `jdoe@…`, `JDoe@…` and once without a user (inferred from an Okta sign-in
// from that IP), plus one other person, is two users. Real CLI: import squid + okta, `rules run`.
// rules.window_days is wide because the synthetic data is dated 2026-01-05. All data is synthetic.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, tempDir } from '../helpers/cli.js';
import { cli, oktaUser, proxyLine, signin, writeConfig, writeLines } from './helpers.js';

const tmp = tempDir('shadowscan-attr-rule-');
const cwd = tmp.dir;
const JOHN = 'john.doe@acme-corp.example';
const ANN = 'ann.lee@acme-corp.example';

beforeAll(async () => {
  writeConfig(cwd, 'shadowscan.yaml', { attribution: { ip_window_minutes: 10 }, rules: { window_days: 3650, thresholds: { egress_min_users: 3 } } });
  writeLines(cwd, 'access.log', [
    proxyLine({ minute: 1, ip: '10.2.0.1', host: 'api.openai.com', user: 'jdoe' }),
    proxyLine({ minute: 2, ip: '10.2.0.2', host: 'api.openai.com', user: 'ACME\\jdoe' }),
    proxyLine({ minute: 3, ip: '10.2.0.3', host: 'api.openai.com', user: 'jdoe@acme-corp.example' }),
    proxyLine({ minute: 4, ip: '10.2.0.4', host: 'api.openai.com', user: 'JDoe@Acme-Corp.Example' }),
    proxyLine({ minute: 30, ip: '10.2.0.5', host: 'api.openai.com' }),
    proxyLine({ minute: 5, ip: '10.2.0.6', host: 'api.openai.com', user: 'ACME\\ann.lee' }),
  ]);
  writeFileSync(join(cwd, 'okta-log.jsonl'), JSON.stringify(signin({ minute: 28, ip: '10.2.0.5', user: 'jdoe@acme-corp.example' })));
  writeFileSync(
    join(cwd, 'okta-users.json'),
    JSON.stringify([
      oktaUser({ id: '00u1', login: 'jdoe@acme-corp.example', email: JOHN, first: 'John', last: 'Doe' }),
      oktaUser({ id: '00u2', login: ANN, email: ANN, first: 'Ann', last: 'Lee' }),
    ]),
  );
  await cli(cwd, ['import', 'squid', 'access.log', '--json']);
  await cli(cwd, ['import', 'okta', 'okta-log.jsonl', '--json']);
  await cli(cwd, ['import', 'okta', 'okta-users.json', '--complete', '--json']);
  // A second Okta org that knows John by his short address only: the same person.
  writeFileSync(join(cwd, 'okta-dev-users.json'), JSON.stringify([oktaUser({ id: '00uX', login: 'jdoe', email: 'jdoe@acme-corp.example', first: 'John', last: 'Doe', status: 'SUSPENDED' })]));
  await cli(cwd, ['import', 'okta', 'okta-dev-users.json', '--instance', 'okta-dev', '--complete', '--json']);
});
afterAll(tmp.cleanup);

interface RunOutput {
  results: { instance: string; resource: string; status: string; evidence: { users: number; user_sample: string[] } }[];
}

describe('norm.people over two Okta orgs', () => {
  it('is one row for John (shared email), with every login, and active because one account is', async () => {
    const rows = json<{ person_id: string; logins: string[]; status: string }[]>(
      await cli(cwd, ['query', 'select person_id, logins, status from norm.people order by person_id', '--json']),
    );
    expect(rows).toEqual([
      { person_id: ANN, logins: [ANN], status: 'active' },
      { person_id: 'jdoe@acme-corp.example', logins: ['jdoe', 'jdoe@acme-corp.example', JOHN], status: 'active' },
    ]);
  });
});

describe('unregistered-egress over attributed, resolved egress', () => {
  it('counts five spellings and an inferred user of one person as one user (2 people in all: below egress_min_users = 3)', async () => {
    const out = json<RunOutput>(await cli(cwd, ['rules', 'run', 'unregistered-egress', '--json']));
    const openai = out.results.find((r) => r.resource === 'openai.com');
    expect(openai).toMatchObject({ instance: 'squid', status: 'info', evidence: { users: 2, user_sample: [ANN, 'jdoe@acme-corp.example'] } });
  });
});
