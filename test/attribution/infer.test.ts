// Egress user attribution end to end (docs/attribution.md): a Squid log whose lines carry no
// user, an Okta System Log export and an Okta users export, imported with the real CLI; then
// norm.egress read with `shadowscan query` under attribution.ip_window_minutes = 10 and with the
// default (off). Each source IP below is one case. All data is synthetic.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/cli.js';
import { cli, oktaUser, proxyLine, query, signin, writeConfig, writeLines } from './helpers.js';

const tmp = tempDir('shadowscan-attr-');
const cwd = tmp.dir;

const ANN = 'ann.lee@acme-corp.example';
const BO = 'bo.chen@acme-corp.example';
const CY = 'cy.diaz@acme-corp.example';

beforeAll(async () => {
  writeConfig(cwd, 'shadowscan.yaml', { attribution: { ip_window_minutes: 10 } });
  writeConfig(cwd, 'default.yaml');
  writeLines(cwd, 'access.log', [
    // 10.1.0.1: sign-in 3 minutes before the line → inferred
    proxyLine({ minute: 30, ip: '10.1.0.1', host: 'api.openai.com' }),
    // 10.1.0.2: sign-in 20 minutes before → outside the window
    proxyLine({ minute: 30, ip: '10.1.0.2', host: 'api.openai.com' }),
    // 10.1.0.3: the line names its user (as ACME\cy.diaz); another person's sign-in a minute before changes nothing
    proxyLine({ minute: 30, ip: '10.1.0.3', host: 'api.openai.com', user: 'ACME\\cy.diaz' }),
    // 10.1.0.4: several sign-ins, the nearest (4 min after) wins over 5 and 8 min before
    proxyLine({ minute: 30, ip: '10.1.0.4', host: 'api.openai.com' }),
    // 10.1.0.5: the only sign-in a minute before is from another address
    proxyLine({ minute: 30, ip: '10.1.0.5', host: 'api.openai.com' }),
    // 10.1.0.6: a failed sign-in 1 min before is ignored; the successful one 9 min before counts
    proxyLine({ minute: 30, ip: '10.1.0.6', host: 'api.openai.com' }),
    // 10.1.0.7: an hourly row spanning 10:05–10:50; a sign-in at 10:40 falls inside the span
    proxyLine({ minute: 5, ip: '10.1.0.7', host: 'hooks.zapier.com' }),
    proxyLine({ minute: 50, ip: '10.1.0.7', host: 'hooks.zapier.com' }),
    // 10.1.0.8: the sign-in is 3 minutes AFTER the line → inferred too (nearest, before or after)
    proxyLine({ minute: 30, ip: '10.1.0.8', host: 'api.openai.com' }),
    // 10.1.0.9: 5 minutes before and 5 minutes after → the one before wins the tie
    proxyLine({ minute: 30, ip: '10.1.0.9', host: 'api.openai.com' }),
    // 10.1.0.10: exactly 10 minutes before → inside (the window is inclusive)
    proxyLine({ minute: 30, ip: '10.1.0.10', host: 'api.openai.com' }),
    // 10.1.0.11: only an OAuth client's own token grant (client_credentials: the actor is the
    // client, not a person) 2 minutes before → not a user
    proxyLine({ minute: 30, ip: '10.1.0.11', host: 'api.openai.com' }),
    // 10.1.0.12: the IdP logged the address IPv4-mapped (::ffff:10.1.0.12) → same address
    proxyLine({ minute: 30, ip: '10.1.0.12', host: 'api.openai.com' }),
  ]);
  const events = [
    signin({ minute: 27, ip: '10.1.0.1', user: 'Ann.Lee@Acme-Corp.example' }),
    signin({ minute: 10, ip: '10.1.0.2', user: BO }),
    signin({ minute: 29, ip: '10.1.0.3', user: ANN }),
    signin({ minute: 22, ip: '10.1.0.4', user: 'eve@acme-corp.example' }),
    signin({ minute: 25, ip: '10.1.0.4', user: 'gus@acme-corp.example' }),
    signin({ minute: 34, ip: '10.1.0.4', user: 'fay@acme-corp.example' }),
    signin({ minute: 29, ip: '10.1.0.55', user: BO }),
    signin({ minute: 29, ip: '10.1.0.6', user: 'hal@acme-corp.example', result: 'FAILURE' }),
    signin({ minute: 21, ip: '10.1.0.6', user: 'ian@acme-corp.example' }),
    signin({ minute: 40, ip: '10.1.0.7', user: BO }),
    signin({ minute: 33, ip: '10.1.0.8', user: CY }),
    signin({ minute: 35, ip: '10.1.0.9', user: 'after@acme-corp.example' }),
    signin({ minute: 25, ip: '10.1.0.9', user: 'before@acme-corp.example' }),
    signin({ minute: 20, ip: '10.1.0.10', user: BO }),
    signin({ minute: 26, ip: '::FFFF:10.1.0.12', user: ANN }),
    { ...signin({ minute: 28, ip: '10.1.0.11', user: '0oaReportScript' }), eventType: 'app.oauth2.as.token.grant.access_token',
      actor: { id: '0oaReportScript', type: 'PublicClientApp', alternateId: '0oaReportScript', displayName: 'report-script' } },
  ];
  writeFileSync(join(cwd, 'okta-log.jsonl'), events.map((e) => JSON.stringify(e)).join('\n'));
  writeFileSync(
    join(cwd, 'okta-users.json'),
    JSON.stringify([
      oktaUser({ id: '00u1', login: ANN, email: ANN, first: 'Ann', last: 'Lee' }),
      oktaUser({ id: '00u2', login: BO, email: BO, first: 'Bo', last: 'Chen' }),
      oktaUser({ id: '00u3', login: CY, email: CY, first: 'Cy', last: 'Diaz' }),
    ]),
  );
  await cli(cwd, ['import', 'squid', 'access.log', '--instance', 'proxy-hq', '--json']);
  await cli(cwd, ['import', 'okta', 'okta-log.jsonl', '--json']);
  await cli(cwd, ['import', 'okta', 'okta-users.json', '--complete', '--json']);
});
afterAll(tmp.cleanup);

interface EgressRow {
  src_ip: string;
  user: string | null;
  user_inferred: boolean;
  person_id: string | null;
}

const SQL = `select src_ip, "user", user_inferred, person_id from norm.egress order by src_ip`;

describe('egress attribution from IdP sign-ins (ip_window_minutes: 10)', () => {
  let rows: Record<string, EgressRow>;
  beforeAll(async () => {
    rows = Object.fromEntries((await query<EgressRow>(cwd, SQL)).map((r) => [r.src_ip, r]));
  });

  it('fills the user from a successful sign-in 3 minutes earlier from the same IP, marked inferred, resolved to the person', () => {
    expect(rows['10.1.0.1']).toEqual({ src_ip: '10.1.0.1', user: ANN, user_inferred: true, person_id: ANN });
  });

  it('leaves the user null when the only sign-in is outside the window', () => {
    expect(rows['10.1.0.2']).toEqual({ src_ip: '10.1.0.2', user: null, user_inferred: false, person_id: null });
  });

  it('keeps the user the log line names (not inferred) and resolves ACME\\cy.diaz to the person', () => {
    expect(rows['10.1.0.3']).toEqual({ src_ip: '10.1.0.3', user: 'acme\\cy.diaz', user_inferred: false, person_id: CY });
  });

  it('takes the nearest of several sign-ins, before or after', () => {
    expect(rows['10.1.0.4']).toMatchObject({ user: 'fay@acme-corp.example', user_inferred: true, person_id: null });
    expect(rows['10.1.0.8']).toMatchObject({ user: CY, user_inferred: true, person_id: CY });
  });

  it('breaks a tie between a sign-in before and one after in favour of the one before', () => {
    expect(rows['10.1.0.9']).toMatchObject({ user: 'before@acme-corp.example', user_inferred: true });
  });

  it('includes a sign-in exactly ip_window_minutes away', () => {
    expect(rows['10.1.0.10']).toMatchObject({ user: BO, user_inferred: true, person_id: BO });
  });

  it('does not take an OAuth client signing in as itself for a user', () => {
    expect(rows['10.1.0.11']).toMatchObject({ user: null, user_inferred: false });
  });

  it('compares addresses IPv4-mapped or not as one', () => {
    expect(rows['10.1.0.12']).toMatchObject({ user: ANN, user_inferred: true, person_id: ANN });
  });

  it('never matches a sign-in from a different IP', () => {
    expect(rows['10.1.0.5']).toMatchObject({ user: null, user_inferred: false });
  });

  it('ignores failed sign-ins', () => {
    expect(rows['10.1.0.6']).toMatchObject({ user: 'ian@acme-corp.example', user_inferred: true });
  });

  it('matches a sign-in inside the hourly row span [first_ts, last_ts] even when first_ts is further away than the window', () => {
    expect(rows['10.1.0.7']).toMatchObject({ user: BO, user_inferred: true, person_id: BO });
  });
});

describe('attribution off (the default)', () => {
  it('infers nothing, but still resolves the users the lines name', async () => {
    const rows = await query<EgressRow>(cwd, SQL, 'default.yaml');
    expect(rows.filter((r) => r.user !== null)).toEqual([{ src_ip: '10.1.0.3', user: 'acme\\cy.diaz', user_inferred: false, person_id: CY }]);
    expect(rows).toHaveLength(12);
  });
});
