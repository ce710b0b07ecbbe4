// `shadowscan import entra <file…>`: Graph JSON exports (service principals, applications,
// oauth2PermissionGrants, appRoleAssignedTo, directoryAudits, signIns, users), Graph PowerShell
// dumps, sign-in and audit logs from Azure Monitor diagnostic settings or the Office 365 audit log,
// and the admin center's CSV downloads (formats/). Each record is recognised by its shape and
// routed to its stream through the same transforms as a live scan; records that fit nowhere are
// rejects with file:line. Events dedupe on id, so overlapping exports are harmless; directory
// objects form a snapshot that counts as complete only with --complete (and never when a file was
// truncated).
import { UserError } from '../../src/errors.js';
import type { ImportOptions, RunContext, StreamRunResult } from '../../src/connectors/types.js';
import { ApiStreamWriter } from '../../src/connectors/runtime/writer.js';
import { syncResult } from '../../src/connectors/runtime/result.js';
import { expandFiles } from '../../src/ingest/fileimport.js';
import { safeExample } from '../../src/redact.js';
import { MAX_REJECT_EXAMPLES, SyncWriter } from '../../src/store/sync.js';
import { entraStreams, type EntraStreamName } from './streams.js';
import { credentialRows, entraRowOf } from './transform.js';
import { entraFormatsTried, entraRecords, parseEntraFormat, planEntraFile, type EntraFormat, type PlannedFile } from './formats/index.js';

/** Reject reasons that mean the file itself is damaged (so it cannot be a complete snapshot). */
const DAMAGED = /cut off|ends before|ends inside|read stopped/;

export async function importEntraFiles(ctx: RunContext, opts: ImportOptions): Promise<StreamRunResult[]> {
  const forced = parseEntraFormat(opts.format);
  const files = await expandFiles(opts.files);

  // 1. Every file is checked before anything is written: a wrong file fails the command.
  const planned: Extract<PlannedFile, { family: string }>[] = [];
  const empty: string[] = [];
  const problems: string[] = [];
  for (const file of files) {
    const p = await planEntraFile(file, forced);
    if ('problem' in p) problems.push(safeExample(p.problem, 500));
    else if ('empty' in p) empty.push(file);
    else planned.push(p);
  }
  if (problems.length) {
    throw new UserError(`${problems.length} file${problems.length > 1 ? 's' : ''} cannot be imported:`, {
      details: problems,
      hint: `check that these are Entra exports, or pass --format to force one of: ${entraFormatsTried}`,
    });
  }
  if (planned.length === 0) {
    throw new UserError(`nothing to import: ${empty.map((f) => safeExample(f, 200)).join(', ')} ${empty.length > 1 ? 'are' : 'is'} empty`, {
      hint: 'export again; an export with no records has nothing to import',
    });
  }

  // 2. Records to their streams.
  const writers = new Map<EntraStreamName, ApiStreamWriter>();
  // Rejects go to the stream of their kind when it was written, the rest to the first stream, so
  // the streams' reject counts add up to the files'. Counted per kind, with the first examples.
  const rejected = new Map<EntraStreamName | '', { count: number; examples: string[] }>();
  let rejectCount = 0;
  const reject = (msg: string, kind?: EntraStreamName) => {
    rejectCount++;
    const r = rejected.get(kind ?? '') ?? { count: 0, examples: [] };
    r.count++;
    if (r.examples.length < MAX_REJECT_EXAMPLES) r.examples.push(safeExample(msg, 300));
    rejected.set(kind ?? '', r);
  };
  const writerFor = async (name: EntraStreamName) => {
    let w = writers.get(name);
    if (!w) {
      const def = entraStreams[name];
      const sync = await SyncWriter.begin(ctx.paths, ctx.clock, { instance: ctx.instance, stream: def.name, connector: 'entra', mode: def.mode, origin: 'import' });
      w = new ApiStreamWriter(ctx, sync, def);
      writers.set(name, w);
    }
    return w;
  };
  for (const file of empty) reject(`${file}: empty file, nothing to import`);
  const unusable: string[] = [];
  const damaged: string[] = [];
  for (const plan of planned) {
    let seen = 0;
    let recognised = 0;
    let known = 0; // records of a known kind, written or not
    const formats = new Map<EntraFormat, number>();
    const firstErrors: string[] = [];
    for await (const rec of entraRecords(plan, forced)) {
      seen++;
      if (rec.kind) known++;
      if (rec.error !== undefined || !rec.kind || !rec.value) {
        const msg = `${plan.path}:${rec.line}: ${rec.error ?? 'no record'}`;
        reject(msg, rec.kind);
        if (firstErrors.length < 3) firstErrors.push(safeExample(msg, 300));
        if (rec.error && DAMAGED.test(rec.error) && !damaged.includes(plan.path)) damaged.push(plan.path);
        continue;
      }
      (await writerFor(rec.kind)).add(entraRowOf[rec.kind](rec.value));
      if (rec.kind === 'service_principals' || rec.kind === 'applications') {
        const creds = credentialRows(rec.value, rec.kind === 'applications' ? 'application' : 'service_principal');
        if (creds.length) {
          const w = await writerFor('app_credentials');
          for (const c of creds) w.add(c);
        }
      }
      if (rec.format) formats.set(rec.format, (formats.get(rec.format) ?? 0) + 1);
      recognised++;
    }
    // A file with nothing Entra in it is the wrong file; Entra records missing fields are counted rejects.
    if (known === 0 && recognised === 0 && seen > 0) unusable.push(...firstErrors);
    const how = [...formats].map(([f, n]) => `${n} ${f}`).join(', ') || 'nothing';
    ctx.progress.note(`${ctx.instance}: ${safeExample(plan.path, 200)}: ${how} record(s), ${seen - recognised} rejected`);
  }
  if (unusable.length) {
    for (const w of writers.values()) await w.sync.finish('failed', { error: 'import refused: some files hold no Entra records' });
    throw new UserError('no Entra records found in some files:', {
      details: unusable,
      hint: `expected Graph JSON, Graph PowerShell dumps, Azure Monitor sign-in/audit logs, Office 365 audit records or the admin center CSV (--format: ${entraFormatsTried})`,
    });
  }

  // 3. Commit. Events are always complete; a snapshot only with --complete and undamaged files.
  const results: StreamRunResult[] = [];
  const firstStream = writers.keys().next().value;
  for (const [name, w] of writers) {
    const mine = { count: 0, examples: [] as string[] };
    for (const [kind, r] of rejected) {
      if ((kind && writers.has(kind) ? kind : firstStream) !== name) continue;
      mine.count += r.count;
      mine.examples.push(...r.examples);
    }
    const examples = mine.examples.slice(0, MAX_REJECT_EXAMPLES);
    const snapshot = entraStreams[name].mode === 'snapshot';
    const spoiled = snapshot && (opts.complete ?? false) && damaged.length > 0;
    const complete = !snapshot || ((opts.complete ?? false) && !spoiled);
    w.sync.addRejectExamples(examples);
    // `final` marks the sync complete, so it is passed only when the snapshot may count as one.
    await w.commit(undefined, { final: complete });
    w.sync.counters.rejects += mine.count;
    w.sync.counters.lines_read += mine.count;
    const error = spoiled ? `not recorded as a complete snapshot: ${damaged.map((d) => safeExample(d, 200)).join(', ')} ${damaged.length > 1 ? 'are' : 'is'} truncated` : undefined;
    const hint = spoiled ? 'export the truncated files again and re-import them with --complete' : undefined;
    const status = spoiled ? 'partial' : 'ok';
    await w.sync.finish(status, { complete, error, hint, detail: { files: planned.length, rejects_in_run: rejectCount } });
    results.push(syncResult(w.sync, status, { rejects: mine.count, rejectExamples: examples, files: planned.length, ...(error ? { error, hint } : {}) }));
  }
  const hidden = [...writers.keys()].filter((name) => entraStreams[name].mode === 'snapshot');
  if (hidden.length && !opts.complete) {
    ctx.progress.note(`${ctx.instance}: ${hidden.join(', ')} imported but not shown by queries and rules until imported as a complete snapshot (--complete: the files hold the whole tenant)`);
  }
  ctx.progress.done();
  if (results.length === 0) throw new UserError('nothing to import: the files held no usable Entra records', { details: [...rejected.values()].flatMap((r) => r.examples).slice(0, 5) });
  return results;
}
