// Versioned migrations of the state DB. Append new versions; never edit an applied one.
import type { Duck } from './duck.js';

export const migrations: { version: number; name: string; sql: string }[] = [
  {
    version: 1,
    name: 'syncs, commits, cursors',
    sql: `
      create table syncs (
        sync_id varchar primary key,
        instance varchar not null,
        stream varchar not null,
        connector varchar not null,
        mode varchar not null,              -- snapshot | events
        origin varchar not null,            -- scan | import
        status varchar not null,            -- running | ok | partial | failed | interrupted
        complete boolean not null default false,
        started_at timestamp not null,
        finished_at timestamp,
        rows_written bigint not null default 0,
        lines_read bigint not null default 0,
        rejects bigint not null default 0,
        reject_examples varchar not null default '[]',
        requests bigint not null default 0,
        waits bigint not null default 0,
        wait_ms bigint not null default 0,
        retries bigint not null default 0,
        bytes_read bigint not null default 0,
        error varchar,
        hint varchar,
        detail varchar not null default '{}'
      );
      create table commits (
        sync_id varchar not null,
        chunk integer not null,
        instance varchar not null,
        stream varchar not null,
        files varchar not null,             -- JSON array of lake-relative paths
        rows_written bigint not null,
        final boolean not null,
        committed_at timestamp not null,
        primary key (sync_id, chunk)
      );
      create table cursors (
        instance varchar not null,
        stream varchar not null,
        cursor varchar not null,            -- JSON, connector-specific
        sync_id varchar,
        updated_at timestamp not null,
        primary key (instance, stream)
      );
      create table file_cursors (
        instance varchar not null,
        stream varchar not null,
        file_key varchar not null,          -- sha256 of the first head_len bytes (decompressed)
        head_len integer not null,
        path varchar not null,              -- last path this file was seen at
        offset_bytes bigint not null,       -- decompressed bytes consumed (whole lines only)
        size_bytes bigint not null,
        lines bigint not null,
        updated_at timestamp not null,
        primary key (instance, stream, file_key)
      );`,
  },
  {
    version: 2,
    name: 'findings, history, scans, decisions',
    sql: `
      create table scans (
        scan_id varchar primary key,
        started_at timestamp not null,
        finished_at timestamp,
        status varchar not null,            -- running | ok | partial | failed
        summary varchar not null default '{}'
      );
      create table findings (
        fingerprint varchar primary key,    -- sha256(rule_id, instance, resource)
        rule_id varchar not null,
        instance varchar not null,
        resource varchar not null,
        resource_type varchar,
        severity varchar not null,
        status varchar not null,            -- open | resolved | suppressed
        reason varchar,
        evidence varchar not null default '{}',
        first_seen timestamp not null,
        last_seen timestamp not null,
        resolved_at timestamp,
        reopened integer not null default 0,
        opened_in_scan varchar,             -- scan in which it was first seen or last reopened ("new")
        last_scan_id varchar,
        suppressed_until timestamp,
        suppressed_reason varchar,
        suppressed_by varchar
      );
      create table finding_history (
        fingerprint varchar not null,
        changed_at timestamp not null,
        scan_id varchar,
        from_status varchar,
        to_status varchar not null,
        note varchar
      );
      create table decisions (
        decision_id varchar primary key,    -- from decisions.jsonl, applied once
        fingerprint varchar not null,
        action varchar not null,            -- suppress | unsuppress
        reason varchar not null,
        by_user varchar not null,
        until timestamp,
        decided_at timestamp not null
      );`,
  },
];

export async function migrate(db: Duck): Promise<void> {
  await db.run('create table if not exists schema_migrations (version integer primary key, name varchar, applied_at timestamp)');
  const applied = new Set((await db.all<{ version: number }>('select version from schema_migrations')).map((r) => r.version));
  for (const m of migrations) {
    if (applied.has(m.version)) continue;
    await db.run('begin transaction');
    try {
      await db.run(m.sql);
      await db.run('insert into schema_migrations values (?, ?, now()::timestamp)', [m.version, m.name]);
      await db.run('commit');
    } catch (e) {
      await db.run('rollback');
      throw e;
    }
  }
}
