// One person across providers (docs/attribution.md): merges the connectors' norm.people rows —
// each keyed by its provider's lower-case primary email — into one row per person, and builds
// the alias table (every login, email and short name → person) that egress users and sign-in
// users are resolved through. Pure SQL text over the connectors' union; the lake assembles it.

/**
 * An identifier listed under more distinct person_ids than this is not evidence that they are
 * one person (a shared mailbox or a service alias); it is ignored for merging. One person has a
 * primary email per provider instance, so a handful is the most a real identifier has.
 */
export const MAX_ROWS_PER_IDENTIFIER = 8;

/** SQL: a login as people spell it — trimmed, lower case; '' → NULL. */
export function normalLoginSql(expr: string): string {
  return `nullif(lower(trim(${expr})), '')`;
}

/**
 * SQL: the short name of a login: the part after a Windows domain prefix (`ACME\jdoe` → `jdoe`),
 * or NULL when there is none. Squid writes the backslash URL-encoded (`ACME%5Cjdoe`).
 */
export function domainStrippedSql(login: string): string {
  return `(case when contains(${login}, '\\') or contains(${login}, '%5c')
             then nullif(string_split(replace(${login}, '%5c', '\\'), '\\')[-1], '') end)`;
}

/**
 * The merged people and the alias table, given the connectors' people rows (`source`: a SELECT
 * with person_id, email, logins, display_name, department, status, providers).
 *
 * Rows are one person when they share an email-shaped identifier (person_id, email or a login
 * containing '@'), transitively. Short names (`jdoe`, `ACME\jdoe`) never merge rows: two
 * directories may reuse one. The merged person_id is the smallest member person_id, so it is
 * stable across runs; status is the most active of the member accounts (a person with any
 * active account can still act).
 */
export function peopleSql(source: string): { people: string; aliases: string } {
  const members = `
    with recursive src as (
      select ${normalLoginSql('person_id')} as pid, ${normalLoginSql('email')} as email,
             list_filter(list_transform(coalesce(logins, []), l -> ${normalLoginSql('l')}), l -> l is not null) as logins,
             display_name, department, lower(status) as status, coalesce(providers, []) as providers
        from (${source})
       where ${normalLoginSql('coalesce(person_id, email)')} is not null
    ),
    rows as (select coalesce(pid, email) as pid, * exclude (pid) from src),
    idents as (
      select distinct pid, ident
        from (select pid, unnest(list_distinct([pid, email] || logins)) as ident from rows)
       where contains(ident, '@')
    ),
    shared as (
      select ident from idents group by ident having count(*) <= ${MAX_ROWS_PER_IDENTIFIER}
    ),
    edges as (
      select distinct a.pid as a, b.pid as b
        from idents a join idents b on a.ident = b.ident
       where a.ident in (select ident from shared)
      union
      -- every row reaches itself, also one without any email-shaped identifier
      select pid, pid from rows
    ),
    reach(a, b) as (
      select a, b from edges
      union
      select r.a, e.b from reach r join edges e on e.a = r.b
    ),
    canonical as (select a as pid, min(b) as person_id from reach group by a)
    select c.person_id, r.* from rows r join canonical c on c.pid = r.pid`;

  const people = `
    with m as (${members})
    select person_id, person_id as email,
           list_sort(list_distinct(flatten(list([pid, email] || logins)))) as logins,
           coalesce(max(display_name) filter (where pid = person_id), max(display_name)) as display_name,
           coalesce(max(department) filter (where pid = person_id), max(department)) as department,
           case when bool_or(status = 'active') then 'active'
                when bool_or(status = 'disabled') then 'disabled'
                when bool_or(status = 'departed') then 'departed'
                else min(status) end as status,
           list_sort(list_distinct(flatten(list(providers)))) as providers
      from m
     group by person_id`;

  // Aliases: exact identifiers first (rank 1), then short names derived from them (rank 2):
  // `ACME\jdoe` → `jdoe`, `jdoe@acme.example` → `jdoe`. An alias that names two people at its
  // best rank is ambiguous and left out: attribution never guesses between two people.
  const aliases = `
    with p as (select person_id, logins from norm.people),
    exact as (select distinct unnest(logins) as alias, person_id, 1 as rank from p),
    short as (
      select distinct coalesce(${domainStrippedSql('alias')}, case when contains(alias, '@') then split_part(alias, '@', 1) end) as alias,
             person_id, 2 as rank
        from exact
    ),
    candidates as (
      select * from exact
      union all
      select * from short where alias is not null and alias <> ''
    ),
    best as (
      select alias, min(rank) as rank from candidates group by alias
    )
    select c.alias, min(c.person_id) as person_id, c.rank = 1 as exact
      from candidates c join best b on b.alias = c.alias and b.rank = c.rank
     group by c.alias, c.rank
    having count(distinct c.person_id) = 1`;
  return { people, aliases };
}

/**
 * SQL resolving a login column to a person (NULL when none or ambiguous): the login as written
 * first, then its short name. `login` must already be normalised (normalLoginSql). Returns the
 * CTE to add (the alias table read once per query, not once per join), the LEFT JOIN clauses
 * and the person_id expression. Hash joins: the rows stream through, the aliases are held.
 */
export function resolvePersonSql(login: string, name: string): { cte: string; aliases: string; joins: string; personId: string } {
  const aliases = `${name}_aliases`;
  const exact = `${name}_exact`;
  const short = `${name}_short`;
  return {
    cte: `${aliases} as materialized (select alias, person_id from norm.person_aliases)`,
    aliases,
    joins: `left join ${aliases} ${exact} on ${exact}.alias = ${login}
            left join ${aliases} ${short} on ${short}.alias = (case when ${exact}.person_id is null then ${domainStrippedSql(login)} end)`,
    personId: `coalesce(${exact}.person_id, ${short}.person_id)`,
  };
}
