// Builds the views rules and queries read, in an in-memory engine, from the list of committed
// files in the state DB (never from globs, so uncommitted files are never visible):
//   raw.<connector>_<stream>  snapshot streams: the latest COMPLETE sync per instance;
//                             event streams: every committed file
//   norm.<view>               union of the connectors' mappings, events limited to the window;
//                             people merged across providers and egress users attributed and
//                             resolved to people (src/norm/), plus norm.person_aliases
import { sqlIdent, sqlString, type Duck } from '../db/duck.js';
import { connectorTypes, loadConnector } from '../connectors/catalog.js';
import type { ConnectorDefinition, StreamDef } from '../connectors/types.js';
import { normViews, type NormView, type NormViewDef } from '../norm/schema.js';
import { ATTRIBUTION_OFF, attributedEgressSql, EGRESS_DERIVED_COLUMNS, type AttributionSettings } from '../norm/attribution.js';
import { peopleSql } from '../norm/people.js';
import { join } from 'node:path';
import type { DataPaths } from './paths.js';
import { committedFiles, readState, type CommittedFile } from './state.js';

export const STAMP_COLUMNS = { _instance: 'VARCHAR', _sync_id: 'VARCHAR', _ingested_at: 'TIMESTAMP' } as const;

export interface LakeViewOptions {
  /** Start of the rules window (event norm views show rows at or after it); undefined = no window. */
  windowStart?: Date;
  /** Egress user inference from sign-ins (config `attribution`); off when undefined. */
  attribution?: AttributionSettings;
}

export interface AttachedLake {
  rawViews: string[];
  normViews: NormView[];
  files: number;
}

export async function attachLake(engine: Duck, paths: DataPaths, opts: LakeViewOptions = {}): Promise<AttachedLake> {
  const commits = await readState(paths, committedFiles, [] as CommittedFile[]);
  const connectors = (await Promise.all(connectorTypes.map(loadConnector))).filter((c): c is ConnectorDefinition => !!c);
  await engine.run('create schema if not exists raw');
  await engine.run('create schema if not exists norm');
  const rawViews: string[] = [];
  let fileCount = 0;
  for (const connector of connectors) {
    for (const stream of connector.streams) {
      const files = visibleFiles(commits.filter((c) => c.connector === connector.type && c.stream === stream.name), stream);
      fileCount += files.length;
      const name = `raw.${sqlIdent(`${connector.type}_${stream.name}`)}`;
      await engine.run(`create or replace view ${name} as ${rawSelect(stream, files.map((f) => join(paths.lake, f)))}`);
      rawViews.push(`raw.${connector.type}_${stream.name}`);
    }
  }
  const unions = {} as Record<NormView, { body: string; windowed: string; mapped: boolean }>;
  for (const [view, def] of Object.entries(normViews) as [NormView, NormViewDef][]) {
    const derived: readonly string[] = view === 'egress' ? EGRESS_DERIVED_COLUMNS : [];
    const cols = Object.entries(def.columns).filter(([col]) => !derived.includes(col));
    const parts = connectors.flatMap((c) => (c.norm[view] ? [c.norm[view]!] : []));
    const select = cols.map(([col, type]) => `cast(${sqlIdent(col)} as ${type}) as ${sqlIdent(col)}`).join(', ');
    const body = parts.length
      ? `select ${select} from (${parts.map((p) => `(${p})`).join(' union all by name ')})`
      : `select ${cols.map(([col, type]) => `cast(null as ${type}) as ${sqlIdent(col)}`).join(', ')} where false`;
    const windowed = def.timeColumn && opts.windowStart && parts.length
      ? `select * from (${body}) where ${sqlIdent(def.timeColumn)} >= ${sqlString(opts.windowStart.toISOString().replace('T', ' ').replace('Z', ''))}::timestamp`
      : body;
    unions[view] = { body, windowed, mapped: parts.length > 0 };
  }
  // people first: egress resolves its users through norm.person_aliases (src/norm/people.ts).
  const people = peopleSql(unions.people.windowed);
  const byColumns = (view: NormView, sql: string) =>
    `select ${Object.entries(normViews[view].columns).map(([col, type]) => `cast(${sqlIdent(col)} as ${type}) as ${sqlIdent(col)}`).join(', ')} from (${sql})`;
  for (const view of Object.keys(normViews) as NormView[]) {
    if (view === 'egress') continue;
    await engine.run(`create or replace view norm.${sqlIdent(view)} as ${view === 'people' ? byColumns(view, people.people) : unions[view].windowed}`);
  }
  await engine.run(`create or replace view norm.person_aliases as ${people.aliases}`);
  const egress = attributedEgressSql({
    egress: unions.egress.windowed,
    signins: unions.signins.mapped ? unions.signins.body : undefined,
    signinsSince: opts.windowStart,
    settings: opts.attribution ?? ATTRIBUTION_OFF,
  });
  await engine.run(`create or replace view norm.egress as ${byColumns('egress', egress)}`);
  return { rawViews, normViews: Object.keys(normViews) as NormView[], files: fileCount };
}

/** Snapshot streams: files of the latest complete sync of each instance. Events: all files. */
export function visibleFiles(commits: CommittedFile[], stream: StreamDef): string[] {
  if (stream.mode === 'events') return commits.flatMap((c) => c.files);
  const latest = new Map<string, { started: number; syncId: string }>();
  for (const c of commits) {
    if (!c.complete) continue;
    const t = new Date(c.started_at).getTime();
    const cur = latest.get(c.instance);
    if (!cur || t > cur.started || (t === cur.started && c.sync_id > cur.syncId)) latest.set(c.instance, { started: t, syncId: c.sync_id });
  }
  return commits.filter((c) => latest.get(c.instance)?.syncId === c.sync_id).flatMap((c) => c.files);
}

function rawSelect(stream: StreamDef, absFiles: string[]): string {
  const columns = { ...stream.columns, ...STAMP_COLUMNS };
  if (absFiles.length === 0) {
    return `select ${Object.entries(columns).map(([c, t]) => `cast(null as ${t}) as ${sqlIdent(c)}`).join(', ')} where false`;
  }
  const list = `[${absFiles.map(sqlString).join(', ')}]`;
  if (!stream.eventId) return `select * from read_parquet(${list}, hive_partitioning = false, union_by_name = true)`;
  // Overlapping windows and retried pages may land an event twice: keep one row per event id —
  // deterministically the first one written (ingest time, then file, then row in the file).
  const read = `read_parquet(${list}, hive_partitioning = false, union_by_name = true, filename = true, file_row_number = true)`;
  return `select * exclude (filename, file_row_number) from ${read}
    qualify row_number() over (partition by _instance, ${sqlIdent(stream.eventId)} order by _ingested_at, filename, file_row_number) = 1`;
}
