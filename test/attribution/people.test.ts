// norm.people merged across providers and norm.person_aliases (src/norm/people.ts), run as the
// lake runs them, over people rows shaped as the Okta, Entra and Google mappings emit them
// (contracts: person_id = lower-case primary email, logins = every alias the provider knows).
// Then the resolution egress uses: every spelling a proxy logs → one person. Synthetic data.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type Duck } from '../../src/db/duck.js';
import { normalLoginSql, peopleSql, resolvePersonSql } from '../../src/norm/people.js';
import { tempDir } from '../helpers/cli.js';

const tmp = tempDir('shadowscan-people-');
let engine: Duck;

type Src = [person_id: string | null, email: string | null, logins: string[], display: string, status: string, provider: string];
const SOURCE: Src[] = [
  // One person in three providers: Okta knows john.doe; Entra knows the UPN, the mail, and the
  // on-prem short name; Google's primary is jdoe@ with john.doe@ as an alias.
  ['john.doe@acme.example', 'john.doe@acme.example', ['John.Doe@acme.example'], 'John Doe', 'active', 'okta'],
  ['jdoe@acme.example', 'jdoe@acme.example', ['jdoe@acme.example', 'john.doe@acme.example', 'ACME\\jdoe'], 'John Doe', 'disabled', 'entra'],
  ['jdoe@acme.example', 'jdoe@acme.example', ['jdoe@acme.example', 'john.doe@acme.example'], 'John Doe', 'active', 'google'],
  // Two different people whose email local parts are the same (`sam`): the short name is ambiguous.
  ['sam@acme.example', 'sam@acme.example', ['sam@acme.example'], 'Sam A', 'active', 'okta'],
  ['sam@acme-labs.example', 'sam@acme-labs.example', ['sam@acme-labs.example'], 'Sam B', 'departed', 'google'],
  // Chained: A lists x, B lists x and y, C lists y → one person.
  ['a@acme.example', 'a@acme.example', ['x@acme.example'], 'Chain', 'departed', 'okta'],
  ['b@acme.example', 'b@acme.example', ['x@acme.example', 'y@acme.example'], 'Chain', 'departed', 'entra'],
  ['c@acme.example', 'c@acme.example', ['y@acme.example'], 'Chain', 'disabled', 'google'],
  // Upper-case person_id from a sloppy mapping still lands lower case.
  ['Zoe@Acme.example', null, ['zoe'], 'Zoe', 'active', 'okta'],
  // A directory account without any email (login only) is still a person.
  ['svc-build', null, ['svc-build'], 'Build bot', 'active', 'okta'],
  // A shared mailbox listed as an alias under 9 people's accounts merges none of them.
  ...Array.from({ length: 9 }, (_, i): Src => [`staff${i}@acme.example`, `staff${i}@acme.example`, ['helpdesk@acme.example'], `Staff ${i}`, 'active', 'google']),
];

beforeAll(async () => {
  engine = await openEngine({ memoryLimit: '256MB', threads: 1, tempDirectory: tmp.dir });
  await engine.run(`create table src (person_id varchar, email varchar, logins varchar[], display_name varchar, department varchar, status varchar, providers varchar[])`);
  for (const [pid, email, logins, display, status, provider] of SOURCE) {
    await engine.run(`insert into src values ($1, $2, $3::varchar[], $4, 'Eng', $5, [$6])`, [pid, email, `[${logins.map((l) => JSON.stringify(l).replace(/^"|"$/g, "'")).join(', ')}]`, display, status, provider] as never);
  }
  const sql = peopleSql('select * from src');
  await engine.run('create schema norm');
  await engine.run(`create view norm.people as ${sql.people}`);
  await engine.run(`create view norm.person_aliases as ${sql.aliases}`);
});
afterAll(() => {
  engine?.close();
  tmp.cleanup();
});

async function resolve(logins: string[]): Promise<Record<string, string | null>> {
  await engine.run('create or replace temp table logged (login varchar)');
  for (const login of logins) await engine.run('insert into logged values ($1)', [login]);
  const r = resolvePersonSql('l.login_key', 't');
  const rows = await engine.all<{ login: string; person_id: string | null }>(
    `with l as (select login, ${normalLoginSql('login')} as login_key from logged), ${r.cte}
     select l.login, ${r.personId} as person_id from l ${r.joins}`,
  );
  return Object.fromEntries(rows.map((x) => [x.login, x.person_id]));
}

describe('norm.people across providers', () => {
  it('merges one person known to Okta, Entra and Google under different primary emails into one row', async () => {
    const rows = await engine.all<{ person_id: string; logins: string[]; providers: string[]; status: string }>(
      `select person_id, logins, providers, status from norm.people where list_contains(logins, 'john.doe@acme.example')`,
    );
    expect(rows).toEqual([
      {
        person_id: 'jdoe@acme.example',
        logins: ['acme\\jdoe', 'jdoe@acme.example', 'john.doe@acme.example'],
        providers: ['entra', 'google', 'okta'],
        status: 'active',
      },
    ]);
  });

  it('merges through chains of shared emails; keeps apart people who share only a short name or a mailbox listed under many people; keeps email-less accounts', async () => {
    const rows = await engine.all<{ person_id: string; providers: string[]; status: string }>(`select person_id, providers, status from norm.people order by person_id`);
    expect(rows).toEqual([
      { person_id: 'a@acme.example', providers: ['entra', 'google', 'okta'], status: 'disabled' },
      { person_id: 'jdoe@acme.example', providers: ['entra', 'google', 'okta'], status: 'active' },
      { person_id: 'sam@acme-labs.example', providers: ['google'], status: 'departed' },
      { person_id: 'sam@acme.example', providers: ['okta'], status: 'active' },
      ...Array.from({ length: 9 }, (_, i) => ({ person_id: `staff${i}@acme.example`, providers: ['google'], status: 'active' })),
      { person_id: 'svc-build', providers: ['okta'], status: 'active' },
      { person_id: 'zoe@acme.example', providers: ['okta'], status: 'active' },
    ]);
  });
});

describe('resolving a logged user to a person', () => {
  it('resolves every spelling of one person — short name, DOMAIN\\name (also URL-encoded), email, mixed-case email — to the same person', async () => {
    const got = await resolve(['jdoe', 'ACME\\jdoe', 'acme%5cjdoe', 'ACME%5Cjdoe', 'jdoe@acme.example', 'JDoe@Acme.Example', ' John.Doe@ACME.example ', 'OTHERDOM\\john.doe']);
    expect(new Set(Object.values(got))).toEqual(new Set(['jdoe@acme.example']));
  });

  it('leaves ambiguous short names, unknown users and empty strings unresolved, and resolves exact emails of both ambiguous people', async () => {
    expect(await resolve(['sam', 'ACME\\sam', 'nobody@acme.example', 'nobody', '', 'sam@acme.example', 'sam@acme-labs.example', 'zoe', 'x@acme.example', 'svc-build', 'helpdesk@acme.example'])).toEqual({
      sam: null,
      'ACME\\sam': null,
      'nobody@acme.example': null,
      nobody: null,
      '': null,
      'sam@acme.example': 'sam@acme.example',
      'sam@acme-labs.example': 'sam@acme-labs.example',
      zoe: 'zoe@acme.example',
      'svc-build': 'svc-build',
      'helpdesk@acme.example': null,
      'x@acme.example': 'a@acme.example',
    });
  });
});
