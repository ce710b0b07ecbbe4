// `shadowscan import google <file…>`: Reports API exports — the API's own JSON
// ({kind: admin#reports#activities, items[]} pages, arrays or JSON lines of activities with
// events[].parameters[]) and the flattened one-event-per-record shape SIEM tools write (name,
// type and a parameters {name: value} map at the top) — plus tokens.list and users.list dumps.
// Each record is recognised by its fields and routed to its stream; `token` and `login`
// activities are kept, other applications and unrecognised records are rejects with file:line.
// Events dedupe on event_id (id.time + id.uniqueQualifier + event), so overlapping exports are harmless.
import { createReadStream, readFileSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import { ExternalError, UserError } from '../../src/errors.js';
import { isGzipFile, readHead } from '../../src/ingest/filesource.js';
import type { ImportOptions, RunContext, StreamRunResult } from '../../src/connectors/types.js';
import { ApiStreamWriter } from '../../src/connectors/runtime/writer.js';
import { syncResult } from '../../src/connectors/runtime/result.js';
import { safeExample } from '../../src/redact.js';
import { MAX_REJECT_EXAMPLES, SyncWriter } from '../../src/store/sync.js';
import { expandFiles } from '../../src/ingest/fileimport.js';
import { googleStreams } from './streams.js';
import { activityRows, pick, tokenRow, userRow } from './transform.js';

const MAX_JSON_BYTES = 1024 * 1024 * 1024;

type Kind = keyof typeof googleStreams;
type Classified = { kind: Kind; value: unknown } | { error: string };

/** What one record is: an activity (by applicationName), a token, a user, or a wrapper of them. */
export function classifyGoogleRecord(r: unknown): Classified[] {
  if (!r || typeof r !== 'object' || Array.isArray(r)) return [{ error: 'not a JSON object' }];
  const kind = pick(r, 'kind');
  const items = pick(r, 'items');
  const users = pick(r, 'users');
  if (kind === 'admin#reports#activities' || kind === 'admin#directory#tokenList' || (Array.isArray(items) && kind === undefined)) {
    return Array.isArray(items) ? items.flatMap(classifyGoogleRecord) : []; // an empty page has no items key
  }
  if (kind === 'admin#directory#users' || (Array.isArray(users) && kind === undefined)) return Array.isArray(users) ? users.flatMap(classifyGoogleRecord) : [];
  const app = pick(r, 'id', 'applicationName');
  if (kind === 'admin#reports#activity' || app !== undefined) {
    if (app === 'token') return [{ kind: 'token_activity', value: r }];
    if (app === 'login') return [{ kind: 'login_activity', value: r }];
    return [{ error: `applicationName ${safeExample(String(app ?? 'missing'), 40)}: not collected (shadowscan reads the token and login audit)` }];
  }
  if (kind === 'admin#directory#token' || (pick(r, 'clientId') !== undefined && pick(r, 'scopes') !== undefined)) return [{ kind: 'tokens', value: r }];
  if (kind === 'admin#directory#user' || pick(r, 'primaryEmail') !== undefined) return [{ kind: 'users', value: r }];
  return [{ error: 'not a Google Reports activity, token or user (no id.applicationName, clientId+scopes or primaryEmail)' }];
}

async function* records(path: string): AsyncGenerator<{ line: number; value?: unknown; error?: string }> {
  const gzip = isGzipFile(path);
  const head = (await readHead(path, 4096, gzip)).toString('utf8').replace(/^\uFEFF/, '').trimStart();
  const whole = head.startsWith('[') || (head.startsWith('{') && !gzip && statSync(path).size <= 64 * 1024 * 1024 && isSingleDocument(readFileSync(path, 'utf8')));
  if (whole) {
    if (statSync(path).size > MAX_JSON_BYTES) throw new UserError(`${path}: JSON documents over 1 GB are not supported`, { hint: 'export as JSON lines (one activity per line)' });
    const text = (gzip ? await gunzipText(path) : readFileSync(path, 'utf8')).replace(/^\uFEFF/, '');
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch (e) {
      yield { line: 1, error: `not valid JSON (${(e as Error).message.slice(0, 120)}); the file may be truncated` };
      return;
    }
    const list = Array.isArray(parsed) ? parsed : [parsed];
    for (const [i, value] of list.entries()) yield { line: i + 1, value };
    return;
  }
  const input = gzip ? createReadStream(path).pipe(createGunzip()) : createReadStream(path);
  const rl = createInterface({ input, crlfDelay: Infinity });
  let line = 0;
  try {
    for await (const text of rl) {
      line++;
      const t = text.replace(/^\uFEFF/, '').trim();
      if (!t) continue;
      try {
        yield { line, value: JSON.parse(t) };
      } catch {
        yield { line, error: `not a JSON object: ${safeExample(t, 80)}` };
      }
    }
  } catch (e) {
    yield { line: line + 1, error: `read stopped: ${(e as Error).message} (truncated .gz?)` };
  }
}

/** One pretty-printed JSON document (not JSON lines): it parses as a whole. */
function isSingleDocument(text: string): boolean {
  try {
    JSON.parse(text.replace(/^\uFEFF/, ''));
    return true;
  } catch {
    return false;
  }
}

async function gunzipText(path: string): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of createReadStream(path).pipe(createGunzip())) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export async function importGoogleFiles(ctx: RunContext, opts: ImportOptions): Promise<StreamRunResult[]> {
  const files = await expandFiles(opts.files);
  const writers = new Map<Kind, ApiStreamWriter>();
  const seen = new Set<string>();
  const rejects: string[] = [];
  let rejectCount = 0;
  const reject = (msg: string) => {
    rejectCount++;
    if (rejects.length < MAX_REJECT_EXAMPLES) rejects.push(safeExample(msg, 300));
  };
  const writerFor = async (kind: Kind) => {
    let w = writers.get(kind);
    if (!w) {
      const def = googleStreams[kind];
      const sync = await SyncWriter.begin(ctx.paths, ctx.clock, { instance: ctx.instance, stream: def.name, connector: 'google', mode: def.mode, origin: 'import' });
      w = new ApiStreamWriter(ctx, sync, def);
      writers.set(kind, w);
    }
    return w;
  };
  for (const file of files) {
    let recognised = 0;
    let total = 0;
    for await (const rec of records(file)) {
      if (rec.error) {
        total++;
        reject(`${file}:${rec.line}: ${rec.error}`);
        continue;
      }
      for (const c of classifyGoogleRecord(rec.value)) {
        total++;
        if ('error' in c) {
          reject(`${file}:${rec.line}: ${c.error}`);
          continue;
        }
        if (c.kind === 'users') {
          const row = userRow(c.value);
          if (!row.id) {
            reject(`${file}:${rec.line}: user without id`);
            continue;
          }
          (await writerFor('users')).add(row);
        } else if (c.kind === 'tokens') {
          const key = String(pick(c.value, 'userKey') ?? '');
          const row = tokenRow(c.value, { email: key.includes('@') ? key : null });
          if (!row.token_id) {
            reject(`${file}:${rec.line}: token without userKey or clientId`);
            continue;
          }
          (await writerFor('tokens')).add(row);
        } else {
          for (const row of activityRows(c.value)) {
            if (seen.has(row.event_id)) continue; // the same event twice in this import
            seen.add(row.event_id);
            (await writerFor(c.kind)).add(row);
          }
        }
        recognised++;
      }
    }
    if (recognised === 0 && total > 0) {
      throw new UserError(`${file}: no Google token/login activities, tokens or users found`, {
        details: rejects.slice(0, 5),
        hint: 'expected Reports API activities (applicationName token or login; API JSON or flattened JSON lines), a tokens.list or a users.list dump',
      });
    }
  }
  const results: StreamRunResult[] = [];
  for (const [kind, w] of writers) {
    const complete = googleStreams[kind].mode === 'events' || (opts.complete ?? false);
    w.sync.addRejectExamples(rejects);
    await w.commit(undefined, { final: true });
    w.sync.counters.rejects += rejectCount;
    w.sync.counters.lines_read += rejectCount;
    await w.sync.finish('ok', { complete });
    results.push(syncResult(w.sync, 'ok', { rejects: rejectCount, rejectExamples: rejects, files: files.length }));
  }
  if (results.length === 0) throw new ExternalError('google', 'nothing to import', { hint: 'the files held no Google records' });
  return results;
}
