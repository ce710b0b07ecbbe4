// Whether the sources behind each norm view were complete, per instance (DESIGN.md "Partial is
// never complete"): judged from the latest sync of every stream that feeds the view. Pure over
// rows of the state DB's `syncs` table, so it is unit-tested without a database.
import type { ConnectorDefinition } from '../connectors/types.js';
import type { NormView } from '../norm/schema.js';
import type { DataPaths } from '../store/paths.js';
import { readState, type SyncStatus } from '../store/state.js';
import type { SourceState, SourceStatus } from './model.js';

/** The columns of `syncs` (src/db/migrations.ts) this judgement needs. */
export interface SyncFact {
  sync_id: string;
  instance: string;
  stream: string;
  connector: string;
  status: SyncStatus;
  complete: boolean;
  started_at: Date | string;
}

export async function readSyncFacts(paths: DataPaths): Promise<SyncFact[]> {
  return readState(paths, (db) => db.all<SyncFact>('select sync_id, instance, stream, connector, status, complete, started_at from syncs'), [] as SyncFact[]);
}

/** Qualified norm view → the connector's streams its mapping reads (raw.<type>_<stream>). */
export function streamsFeeding(connector: ConnectorDefinition): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [view, sql] of Object.entries(connector.norm) as [NormView, string | undefined][]) {
    if (!sql) continue;
    const streams = connector.streams
      .filter((s) => new RegExp(`\\braw\\.${connector.type}_${s.name}\\b`, 'i').test(sql))
      .map((s) => s.name);
    out.set(`norm.${view}`, streams);
  }
  return out;
}

export interface SourceStatusInput {
  syncs: SyncFact[];
  connectors: ConnectorDefinition[];
  /** Configured instances: name → connector type (instances only seen in syncs are included too). */
  instances?: Record<string, string>;
}

/**
 * For each configured or seen instance and each norm view its connector feeds: complete when the
 * latest sync of every feeding stream finished ok (and, for snapshot streams, complete); partial
 * when any latest sync is partial, failed, interrupted or still running, or some streams never
 * ran; missing when none of them ever ran.
 */
export function sourceStatus({ syncs, connectors, instances = {} }: SourceStatusInput): SourceStatus[] {
  const byType = new Map(connectors.map((c) => [c.type, c]));
  const instanceType = new Map(Object.entries(instances));
  for (const s of syncs) if (!instanceType.has(s.instance)) instanceType.set(s.instance, s.connector);

  const latest = new Map<string, SyncFact>();
  for (const s of syncs) {
    const key = JSON.stringify([s.instance, s.stream]);
    const cur = latest.get(key);
    if (!cur || time(s) > time(cur) || (time(s) === time(cur) && s.sync_id > cur.sync_id)) latest.set(key, s);
  }

  const out: SourceStatus[] = [];
  for (const [instance, type] of [...instanceType].sort(([a], [b]) => a.localeCompare(b))) {
    const connector = byType.get(type);
    if (!connector) continue;
    for (const [view, streams] of streamsFeeding(connector)) {
      const judged = streams.map((name) => {
        const mode = connector.streams.find((s) => s.name === name)?.mode ?? 'events';
        return judgeStream(instance, name, mode, latest.get(JSON.stringify([instance, name])));
      });
      const states = new Set(judged.map((j) => j.state));
      const state: SourceState = states.size === 1 && states.has('complete') ? 'complete' : states.size === 1 && states.has('missing') ? 'missing' : 'partial';
      const detail = judged.filter((j) => j.state !== 'complete').map((j) => j.detail).join('; ');
      out.push(state === 'complete' ? { instance, view, state } : { instance, view, state, detail });
    }
  }
  return out;
}

function judgeStream(instance: string, stream: string, mode: 'snapshot' | 'events', sync: SyncFact | undefined): { state: SourceState; detail: string } {
  const name = `${instance}/${stream}`;
  if (!sync) return { state: 'missing', detail: `${name} was never synced` };
  const when = new Date(sync.started_at).toISOString();
  if (sync.status !== 'ok') return { state: 'partial', detail: `${name}: latest sync (${when}) is ${sync.status}` };
  if (mode === 'snapshot' && !sync.complete) {
    return { state: 'partial', detail: `${name}: latest snapshot (${when}) is not complete (an import counts as complete only with --complete)` };
  }
  return { state: 'complete', detail: '' };
}

function time(s: SyncFact): number {
  return new Date(s.started_at).getTime();
}
