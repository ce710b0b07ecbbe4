// Entra export files → Graph v1.0-shaped objects, each with its line and the stream it belongs
// to. A file is JSON (JSON lines, an array, a Graph page `{"@odata.context", "value": […]}` or an
// Event Hub batch `{"records": […]}`; UTF-8 or UTF-16; plain or .gz) or the admin center's CSV.
// In JSON, each record is recognised by its shape: an Azure Monitor diagnostic record, an Office
// 365 Management Activity record, or a Graph object (REST or PowerShell). `--format` forces one.
import { UserError } from '../../../src/errors.js';
import { csvRecords } from '../../../src/ingest/csv.js';
import { contentId, jsonRecords, openText, textLines, type OpenedText } from '../../../src/ingest/records.js';
import { fromDiagnostic, isDiagnosticRecord, type Converted } from './azure-monitor.js';
import { pick } from '../transform.js';
import { classifyGraphObject, entraKindLabels, kindFromContext, missingFields, normalizeGraphObject, type EntraKind } from './graph.js';
import { fromManagementActivity, isManagementActivityRecord } from './m365.js';
import { csvFormatHint, csvLayout, fromAuditRow, fromSignInRow, signInTypeFromFileName } from './portal-csv.js';

export const entraFormats = ['graph-json', 'powershell', 'azure-monitor', 'm365-audit', 'portal-csv'] as const;
export type EntraFormat = (typeof entraFormats)[number];
export const entraFormatsTried = entraFormats.join(', ');

export const entraFormatHelp: Record<EntraFormat, string> = {
  'graph-json': 'Microsoft Graph REST JSON (pages with @odata.context and value, arrays or JSON lines of objects)',
  powershell: 'Graph PowerShell dumps (ConvertTo-Json of Get-Mg* objects; UTF-16 with BOM, PascalCase keys, /Date(ms)/)',
  'azure-monitor': 'sign-in and audit logs from Azure Monitor diagnostic settings (storage, Event Hub records, SIEM copies)',
  'm365-audit': 'Office 365 Management Activity (unified audit log) records of the AzureActiveDirectory workload',
  'portal-csv': 'the Entra admin center CSV download of sign-ins or audit logs',
};

export interface EntraRecord {
  line: number;
  kind?: EntraKind;
  value?: Record<string, unknown>;
  format?: EntraFormat;
  error?: string;
}

export type PlannedFile = { path: string; opened: OpenedText; family: 'json' | 'csv'; delimiter?: string } | { path: string; empty: true };

export function parseEntraFormat(format: string | undefined): EntraFormat | undefined {
  if (format === undefined) return undefined;
  const f = format.toLowerCase() as EntraFormat;
  if (!entraFormats.includes(f)) throw new UserError(`unknown --format ${JSON.stringify(format)} for entra`, { hint: `use one of: ${entraFormatsTried}` });
  return f;
}

/** Reads a file's head and decides JSON or CSV; a file that is neither is a problem naming the formats tried. */
export async function planEntraFile(path: string, forced?: EntraFormat): Promise<PlannedFile | { path: string; problem: string }> {
  let opened: OpenedText;
  try {
    opened = await openText(path);
  } catch (e) {
    if (e instanceof UserError) return { path, problem: e.message };
    return { path, problem: `${path}: cannot read: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}` };
  }
  if (opened.empty) return { path, empty: true };
  const head = opened.head.trimStart();
  const looksJson = head.startsWith('{') || head.startsWith('[');
  if (forced === 'portal-csv' || (!forced && !looksJson)) {
    for (const delimiter of [',', '\t']) {
      const header = firstCsvRow(head, delimiter);
      if (header && csvLayout(header)) return { path, opened, family: 'csv', delimiter };
    }
    return { path, problem: forced ? `${path}: not ${csvFormatHint} (--format portal-csv)` : `${path}: not a known Entra export (tried ${entraFormatsTried})` };
  }
  if (!looksJson) return { path, problem: `${path}: not JSON, so not ${entraFormatHelp[forced!]} (--format ${forced})` };
  return { path, opened, family: 'json' };
}

function firstCsvRow(head: string, delimiter: string): string[] | undefined {
  const lines = head.split(/\r?\n/).filter((l) => l.trim() !== '' && !l.startsWith('#TYPE'));
  const first = lines[0];
  if (first === undefined) return undefined;
  // A header never spans lines; a simple split on commas outside quotes is enough to recognise it.
  if (delimiter === '\t') return first.split('\t').map((c) => c.replace(/^"|"$/g, ''));
  return first.match(/("([^"]|"")*"|[^,]*)(,|$)/g)?.map((c) => c.replace(/,$/, '').replace(/^"|"$/g, '').replace(/""/g, '"')) ?? undefined;
}

const isObject = (v: unknown): v is Record<string, unknown> => !!v && typeof v === 'object' && !Array.isArray(v);

/** PowerShell or REST? Only a label: both are read the same way (keys case-insensitively). */
function graphLabel(file: OpenedText, value: Record<string, unknown>): EntraFormat {
  if (file.encoding !== 'utf-8') return 'powershell';
  const keys = Object.keys(value).filter((k) => !k.startsWith('@'));
  const pascal = keys.filter((k) => /^[A-Z]/.test(k)).length;
  return keys.length > 0 && pascal > keys.length / 2 ? 'powershell' : 'graph-json';
}

function convertJson(value: unknown, container: Record<string, unknown> | undefined, file: OpenedText, forced: EntraFormat | undefined): (Converted & { format: EntraFormat }) {
  if (!isObject(value)) return { error: `not a JSON object (${Array.isArray(value) ? 'an array' : typeof value})`, format: forced ?? 'graph-json' };
  const format = forced ?? (isDiagnosticRecord(value) ? 'azure-monitor' : isManagementActivityRecord(value) ? 'm365-audit' : graphLabel(file, value));
  if (format === 'azure-monitor') {
    if (!isDiagnosticRecord(value)) return { error: 'not an Azure Monitor diagnostic record (no category/operationName with properties)', format };
    return { ...fromDiagnostic(value), format };
  }
  if (format === 'm365-audit') {
    if (!isManagementActivityRecord(value)) return { error: 'not an Office 365 Management Activity record (no CreationTime, Operation, Workload/RecordType)', format };
    return { ...fromManagementActivity(value), format };
  }
  if (format === 'portal-csv') return { error: 'not CSV', format };
  if (pick(value, '@removed') !== undefined) {
    return { error: 'an object a delta page reports as removed (@removed): not part of the tenant any more', format };
  }
  const copy = { ...value };
  // A page's context names its collection; a single `GET …/{id}` result carries its own (`#servicePrincipals/$entity`).
  const kind = kindFromContext(container?.['@odata.context'] ?? pick(copy, '@odata.context')) ?? classifyGraphObject(copy);
  if (!kind) {
    return {
      error: 'not a recognised Entra record (no Graph service principal, application, grant, app role assignment, sign-in, audit event or user; no Azure Monitor or Office 365 audit envelope)',
      format,
    };
  }
  if (kind === 'sign_ins' || kind === 'directory_audits') fromLogAnalytics(copy);
  return { kind, value: copy, format };
}

/** Members Log Analytics (SigninLogs / AuditLogs tables, as Sentinel exports them) holds as JSON text. */
const DYNAMIC = new Set(['status', 'location', 'devicedetail', 'initiatedby', 'targetresources', 'additionaldetails', 'signineventtypes']);

/**
 * Rows exported from Log Analytics are Graph objects with PascalCase columns, but their dynamic
 * columns (Status, InitiatedBy, TargetResources…) may arrive as JSON text, and a sign-in's error
 * code may only be in ResultType. Mutates `o`.
 */
function fromLogAnalytics(o: Record<string, unknown>): void {
  for (const [k, v] of Object.entries(o)) {
    if (typeof v === 'string' && DYNAMIC.has(k.toLowerCase()) && /^\s*[[{]/.test(v)) {
      try {
        o[k] = JSON.parse(v);
      } catch {
        // not JSON after all: keep the text
      }
    }
  }
  const code = pick(o, 'ResultType');
  if (pick(o, 'status') === undefined && typeof code === 'string' && /^-?\d+$/.test(code.trim())) o.status = { errorCode: Number(code), failureReason: pick(o, 'ResultDescription') };
  if (pick(o, 'createdDateTime') === undefined && pick(o, 'activityDateTime') === undefined && pick(o, 'TimeGenerated') !== undefined) {
    o[pick(o, 'activityDisplayName') !== undefined ? 'activityDateTime' : 'createdDateTime'] = pick(o, 'TimeGenerated');
  }
}

const eventKinds = new Set<EntraKind>(['sign_ins', 'directory_audits']);

/** Final shape checks common to every format: times made ISO, ids derived for events, required fields present. */
function finish(line: number, c: Converted & { format: EntraFormat }, original: unknown): EntraRecord {
  if ('error' in c) return { line, error: c.error, format: c.format };
  const value = normalizeGraphObject(c.value);
  const id = pick(value, 'id');
  if (eventKinds.has(c.kind) && (id === undefined || id === null || id === '')) value.id = contentId(original);
  const missing = missingFields(c.kind, value);
  if (missing.length) return { line, kind: c.kind, format: c.format, error: `${entraKindLabels[c.kind]} without ${missing.join(', ')}` };
  return { line, kind: c.kind, value, format: c.format };
}

export async function* entraRecords(plan: Extract<PlannedFile, { family: string }>, forced?: EntraFormat): AsyncGenerator<EntraRecord> {
  if (plan.family === 'json') {
    for await (const rec of jsonRecords(plan.opened, { unwrap: ['value', 'records'] })) {
      if (rec.error !== undefined) {
        yield { line: rec.line, error: rec.error };
        continue;
      }
      yield finish(rec.line, convertJson(rec.value, rec.container, plan.opened, forced), rec.value);
    }
    return;
  }
  let header: string[] | undefined;
  let layout: ReturnType<typeof csvLayout>;
  const fileType = signInTypeFromFileName(plan.path);
  for await (const rec of csvRecords(textLines(plan.opened), plan.delimiter ?? ',')) {
    if (rec.error !== undefined) {
      yield { line: rec.line, error: rec.error, format: 'portal-csv' };
      continue;
    }
    const fields = rec.fields!;
    if (!header) {
      if (fields[0]?.startsWith('#TYPE')) continue; // Windows PowerShell Export-Csv type line
      header = fields;
      layout = csvLayout(header);
      if (!layout) {
        yield { line: rec.line, error: `header is not ${csvFormatHint}`, format: 'portal-csv' };
        return;
      }
      continue;
    }
    if (fields.length !== header.length) {
      yield { line: rec.line, error: `${fields.length} fields where the header has ${header.length}`, format: 'portal-csv' };
      continue;
    }
    const c = layout === 'sign_ins' ? fromSignInRow(header, fields, fileType) : fromAuditRow(header, fields);
    yield finish(rec.line, { ...c, format: 'portal-csv' }, fields);
  }
}
