// `shadowscan import okta <file…>`: Okta System Log exports (JSON array or JSONL, including
// SIEM copies with lowercased keys and partial records), apps and users JSON. Each record is
// recognised by its fields and routed to its stream; unknown or id-less records are rejects
// with file:line. Events dedupe on uuid, so overlapping exports are harmless.
import { ExternalError, UserError } from '../../src/errors.js';
import { contentId, jsonRecords, openText, type JsonRecord } from '../../src/ingest/records.js';
import type { ImportOptions, RunContext, StreamRunResult } from '../../src/connectors/types.js';
import { ApiStreamWriter } from '../../src/connectors/runtime/writer.js';
import { syncResult } from '../../src/connectors/runtime/result.js';
import { safeExample } from '../../src/redact.js';
import { MAX_REJECT_EXAMPLES, SyncWriter } from '../../src/store/sync.js';
import { expandFiles } from '../../src/ingest/fileimport.js';
import { oktaStreams, type OktaStreamName } from './streams.js';
import { appRow, logEventRow, pick, userRow } from './transform.js';

type Kind = 'system_log' | 'apps' | 'users';

/** Which stream a record belongs to, by the fields it carries. */
export function classifyOktaRecord(r: unknown): Kind | undefined {
  if (!r || typeof r !== 'object' || Array.isArray(r)) return undefined;
  if (pick(r, 'uuid') !== undefined || pick(r, 'eventType') !== undefined) return 'system_log';
  if (pick(r, 'signOnMode') !== undefined || (pick(r, 'label') !== undefined && pick(r, 'name') !== undefined && pick(r, 'id') !== undefined)) return 'apps';
  if (pick(r, 'profile', 'login') !== undefined) return 'users';
  return undefined;
}

/**
 * An exported event: SIEM copies may lack `uuid` (then a content hash stands in, so re-imports
 * still dedupe) or `published` (then the collector's event time, when present).
 */
function exportedEventRow(value: unknown) {
  const row = logEventRow(value);
  row.uuid ??= contentId(value);
  row.published ??= (pick(value, 'p_event_time') as string | undefined) ?? null;
  return row;
}

async function* records(path: string): AsyncGenerator<JsonRecord> {
  yield* jsonRecords(await openText(path));
}

export async function importOktaFiles(ctx: RunContext, opts: ImportOptions): Promise<StreamRunResult[]> {
  const files = await expandFiles(opts.files);
  const writers = new Map<Kind, ApiStreamWriter>();
  const rejects: string[] = [];
  let rejectCount = 0;
  let total = 0;
  const reject = (msg: string) => {
    rejectCount++;
    if (rejects.length < MAX_REJECT_EXAMPLES) rejects.push(safeExample(msg, 300));
  };
  const writerFor = async (kind: Kind) => {
    let w = writers.get(kind);
    if (!w) {
      const def = oktaStreams[kind as OktaStreamName];
      const sync = await SyncWriter.begin(ctx.paths, ctx.clock, { instance: ctx.instance, stream: def.name, connector: 'okta', mode: def.mode, origin: 'import' });
      w = new ApiStreamWriter(ctx, sync, def);
      writers.set(kind, w);
    }
    return w;
  };
  for (const file of files) {
    let recognised = 0;
    for await (const rec of records(file)) {
      total++;
      if (rec.error) {
        reject(`${file}:${rec.line}: ${rec.error}`);
        continue;
      }
      const kind = classifyOktaRecord(rec.value);
      if (!kind) {
        reject(`${file}:${rec.line}: not an Okta System Log event, app or user (no uuid/eventType, signOnMode or profile.login)`);
        continue;
      }
      const row = kind === 'system_log' ? exportedEventRow(rec.value) : kind === 'apps' ? appRow(rec.value) : userRow(rec.value);
      const id = 'uuid' in row ? row.uuid : row.id;
      if (!id) {
        reject(`${file}:${rec.line}: ${kind} record without ${kind === 'system_log' ? 'uuid' : 'id'}`);
        continue;
      }
      (await writerFor(kind)).add(row);
      recognised++;
    }
    if (recognised === 0 && total > 0 && rejectCount >= total) {
      throw new UserError(`${file}: no Okta records found`, { details: rejects.slice(0, 5), hint: 'expected Okta System Log JSON/JSONL (e.g. from /api/v1/logs), or apps/users JSON arrays' });
    }
  }
  const results: StreamRunResult[] = [];
  for (const [kind, w] of writers) {
    const complete = kind === 'system_log' || (opts.complete ?? false);
    w.sync.addRejectExamples(rejects);
    await w.commit(undefined, { final: complete }); // final marks the sync complete: only with --complete for snapshots
    w.sync.counters.rejects += rejectCount;
    w.sync.counters.lines_read += rejectCount;
    await w.sync.finish('ok', { complete });
    results.push(syncResult(w.sync, 'ok', { rejects: rejectCount, rejectExamples: rejects, files: files.length }));
  }
  if (results.length === 0) throw new ExternalError('okta', 'nothing to import', { hint: 'the files held no Okta records' });
  return results;
}
