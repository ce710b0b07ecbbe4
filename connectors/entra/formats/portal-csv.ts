// The Entra admin center's "Download → CSV" of sign-in and audit logs. Sign-in downloads (one file
// per tab: interactive, non-interactive, service principal "ApplicationSignIns", managed identity
// "MSISignIns") share `Date (UTC), Request ID, …, Application, Application ID , …`; audit downloads
// have `Date (UTC), CorrelationId, Service, Category, Activity, Result, …, ActorType, …,
// Target1Type, Target1ModifiedProperty1Name …, AdditionalDetail1Key …`. Headers are matched
// trimmed and case-insensitively (the portal writes "Application ID " with a trailing space).
// The audit download has no event id: a content hash of the row stands in.
import type { Converted } from './azure-monitor.js';

export type CsvLayout = 'sign_ins' | 'directory_audits';

const norm = (h: string) => h.replace(/^\uFEFF/, '').trim().replace(/\s+/g, ' ').toLowerCase();

/** Which download a header row is, or undefined. */
export function csvLayout(header: string[]): CsvLayout | undefined {
  const h = new Set(header.map(norm));
  if (!h.has('date (utc)')) return undefined;
  if (h.has('request id')) return 'sign_ins';
  if (h.has('activity') && (h.has('actortype') || h.has('actoruserprincipalname') || h.has('service') || h.has('category'))) return 'directory_audits';
  return undefined;
}

export const csvFormatHint = 'an Entra admin center CSV download of sign-ins (columns Date (UTC), Request ID, …) or audit logs (Date (UTC), Activity, ActorType, …)';

/** A row as a lookup by normalised header name ('' and absent are both undefined). */
function rowLookup(header: string[], fields: string[]) {
  const map = new Map<string, string>();
  header.forEach((h, i) => {
    const v = fields[i];
    if (v !== undefined && v.trim() !== '') map.set(norm(h), v.trim());
  });
  return (name: string) => map.get(norm(name));
}

/** The sign-in tab a download came from, by the portal's file names; undefined = interactive. */
export function signInTypeFromFileName(path: string): string | undefined {
  const base = path.split(/[\\/]/).pop()!.toLowerCase();
  if (base.includes('noninteractive')) return 'nonInteractiveUser';
  if (base.includes('applicationsignins') || base.includes('serviceprincipal')) return 'servicePrincipal';
  if (base.includes('msisignins') || base.includes('managedidentity')) return 'managedIdentity';
  return undefined;
}

export function fromSignInRow(header: string[], fields: string[], fileSignInType: string | undefined): Converted {
  const get = rowLookup(header, fields);
  const code = get('Sign-in error code');
  const status = get('Status');
  const location = get('Location')?.split(',').map((s) => s.trim());
  const type = get('Service principal ID') ? 'servicePrincipal' : get('Managed Identity type') ? 'managedIdentity' : fileSignInType;
  return {
    kind: 'sign_ins',
    value: {
      id: get('Request ID'),
      createdDateTime: get('Date (UTC)'),
      userId: get('User ID'),
      userDisplayName: get('User'),
      userPrincipalName: get('Username'),
      userAgent: get('User agent'),
      correlationId: get('Correlation ID'),
      appDisplayName: get('Application'),
      appId: get('Application ID'),
      resourceDisplayName: get('Resource'),
      resourceId: get('Resource ID'),
      ipAddress: get('IP address'),
      clientAppUsed: get('Client app'),
      conditionalAccessStatus: get('Conditional Access'),
      servicePrincipalId: get('Service principal ID'),
      servicePrincipalName: get('Service principal name'),
      location: location ? { city: location.length > 1 ? location[0] : undefined, state: location.length > 2 ? location[1] : undefined, countryOrRegion: location.at(-1) } : undefined,
      status: {
        errorCode: code !== undefined && /^-?\d+$/.test(code) ? Number(code) : status && /^success$/i.test(status) ? 0 : null,
        failureReason: get('Failure reason'),
      },
      ...(type ? { signInEventTypes: [type], isInteractive: false } : {}),
    },
  };
}

export function fromAuditRow(header: string[], fields: string[]): Converted {
  const get = rowLookup(header, fields);
  const actorType = get('ActorType');
  const isUser = actorType === undefined ? get('ActorUserPrincipalName') !== undefined : /^user$/i.test(actorType);
  const targets: Record<string, unknown>[] = [];
  for (let t = 1; ; t++) {
    const p = `Target${t}`;
    if (!header.some((h) => norm(h).startsWith(p.toLowerCase()))) break;
    const modifiedProperties: Record<string, unknown>[] = [];
    for (let m = 1; ; m++) {
      const name = get(`${p}ModifiedProperty${m}Name`);
      if (name === undefined) {
        if (!header.some((h) => norm(h) === `${p}modifiedproperty${m + 1}name`.toLowerCase())) break;
        continue;
      }
      modifiedProperties.push({ displayName: name, oldValue: get(`${p}ModifiedProperty${m}OldValue`) ?? null, newValue: get(`${p}ModifiedProperty${m}NewValue`) ?? null });
    }
    const target = { type: get(`${p}Type`), displayName: get(`${p}DisplayName`), id: get(`${p}ObjectId`) ?? get(`${p}Id`), userPrincipalName: get(`${p}UserPrincipalName`), modifiedProperties };
    if (target.type || target.displayName || target.id || modifiedProperties.length) targets.push(target);
  }
  const additionalDetails: Record<string, unknown>[] = [];
  for (let d = 1; header.some((h) => norm(h) === `additionaldetail${d}key`); d++) {
    const key = get(`AdditionalDetail${d}Key`);
    if (key !== undefined) additionalDetails.push({ key, value: get(`AdditionalDetail${d}Value`) ?? null });
  }
  return {
    kind: 'directory_audits',
    value: {
      id: get('Id') ?? get('Activity ID'),
      activityDateTime: get('Date (UTC)'),
      correlationId: get('CorrelationId') ?? get('Correlation ID'),
      loggedByService: get('Service'),
      category: get('Category'),
      activityDisplayName: get('Activity'),
      result: get('Result')?.toLowerCase(),
      resultReason: get('ResultReason'),
      initiatedBy: isUser
        ? { user: { id: get('ActorObjectId'), displayName: get('ActorDisplayName'), userPrincipalName: get('ActorUserPrincipalName'), ipAddress: get('IPAddress') } }
        : { app: { displayName: get('ActorServicePrincipalName') ?? get('ActorDisplayName'), servicePrincipalId: get('ActorServicePrincipalId') ?? get('ActorObjectId') } },
      targetResources: targets,
      additionalDetails,
    },
  };
}
