// Microsoft Graph v1.0 objects as exported (REST JSON with `@odata.context`, or Graph PowerShell
// dumps with PascalCase keys): which collection a record belongs to — from the page's
// `@odata.context`, the object's `@odata.type`, or failing both its fields — and the clean-up
// PowerShell dumps need before the shared transform reads them.
import { pick } from '../transform.js';
import { normalizeTimes } from './time.js';

/** The raw streams an imported Graph object can land in (stream names of connectors/entra/streams.ts). */
export type EntraKind = 'service_principals' | 'applications' | 'oauth2_permission_grants' | 'app_role_assignments' | 'directory_audits' | 'sign_ins' | 'users';

export const entraKindLabels: Record<EntraKind, string> = {
  service_principals: 'service principal',
  applications: 'application',
  oauth2_permission_grants: 'delegated permission grant (oauth2PermissionGrant)',
  app_role_assignments: 'app role assignment',
  directory_audits: 'directory audit event',
  sign_ins: 'sign-in',
  users: 'user',
};

const byCollection: Record<string, EntraKind> = {
  serviceprincipals: 'service_principals',
  applications: 'applications',
  oauth2permissiongrants: 'oauth2_permission_grants',
  approleassignedto: 'app_role_assignments',
  approleassignments: 'app_role_assignments',
  directoryaudits: 'directory_audits',
  signins: 'sign_ins',
  users: 'users',
};

const byType: Record<string, EntraKind> = {
  serviceprincipal: 'service_principals',
  application: 'applications',
  oauth2permissiongrant: 'oauth2_permission_grants',
  approleassignment: 'app_role_assignments',
  directoryaudit: 'directory_audits',
  signin: 'sign_ins',
  user: 'users',
};

/**
 * The collection an `@odata.context` names: `…/$metadata#servicePrincipals`,
 * `#servicePrincipals('…')/appRoleAssignedTo`, `#auditLogs/signIns`, `#users/$entity`,
 * `#Collection(microsoft.graph.servicePrincipal)`. Undefined when it names something else.
 */
export function kindFromContext(context: unknown): EntraKind | undefined {
  if (typeof context !== 'string') return undefined;
  const hash = context.lastIndexOf('#');
  if (hash < 0) return undefined;
  const frag = context.slice(hash + 1);
  const coll = /^Collection\((?:microsoft\.graph\.)?([A-Za-z0-9]+)\)/.exec(frag);
  if (coll) return byType[coll[1]!.toLowerCase()];
  const segments = frag.split('/').filter((s) => s && !s.startsWith('$') && s !== 'delta');
  const last = segments.at(-1)?.replace(/\(.*\)$/, '').replace(/\(.*$/, '');
  return last ? byCollection[last.toLowerCase()] : undefined;
}

const has = (o: unknown, ...keys: string[]) => keys.some((k) => {
  const v = pick(o, k);
  return v !== undefined && v !== null;
});

/** The collection of one Graph object, by `@odata.type` or by the fields only it carries. */
export function classifyGraphObject(o: unknown): EntraKind | undefined {
  if (!o || typeof o !== 'object' || Array.isArray(o)) return undefined;
  const type = pick(o, '@odata.type');
  if (typeof type === 'string') {
    const k = byType[type.replace(/^#?(microsoft\.graph\.)?/i, '').toLowerCase()];
    if (k) return k;
  }
  if (has(o, 'appRoleId')) return 'app_role_assignments';
  if (has(o, 'clientId') && has(o, 'consentType', 'scope')) return 'oauth2_permission_grants';
  if (has(o, 'activityDateTime') || (has(o, 'activityDisplayName') && has(o, 'initiatedBy', 'targetResources', 'loggedByService'))) return 'directory_audits';
  if (has(o, 'createdDateTime') && has(o, 'appId', 'userPrincipalName') && has(o, 'ipAddress', 'status', 'clientAppUsed', 'isInteractive', 'signInEventTypes', 'conditionalAccessStatus')) return 'sign_ins';
  if (has(o, 'appId')) {
    if (has(o, 'servicePrincipalType', 'appOwnerOrganizationId', 'servicePrincipalNames', 'appRoleAssignmentRequired', 'appDisplayName')) return 'service_principals';
    if (has(o, 'requiredResourceAccess', 'publisherDomain', 'identifierUris', 'signInAudience', 'createdDateTime', 'web', 'api')) return 'applications';
    return undefined;
  }
  if (has(o, 'userPrincipalName') && has(o, 'id') && !has(o, 'ipAddress')) return 'users';
  return undefined;
}

/** Fields a record of each kind cannot do without (besides `id` for events, which a content hash may stand in for). */
export const requiredFields: Record<EntraKind, string[]> = {
  service_principals: ['id', 'appId'],
  applications: ['id', 'appId'],
  oauth2_permission_grants: ['id', 'clientId', 'resourceId'],
  app_role_assignments: ['id', 'appRoleId', 'principalId', 'resourceId'],
  directory_audits: ['activityDateTime'],
  sign_ins: ['createdDateTime'],
  users: ['id', 'userPrincipalName'],
};

export function missingFields(kind: EntraKind, o: unknown): string[] {
  return requiredFields[kind].filter((k) => {
    const v = pick(o, k);
    return v === undefined || v === null || v === '';
  });
}

/**
 * Graph PowerShell objects: `Get-Mg*` output keeps properties the SDK model lacks under
 * `AdditionalProperties` (merged up, the object's own values winning), and ConvertTo-Json writes
 * dates as `/Date(ms)/`. Also makes every other timestamp ISO 8601. Mutates and returns `o`.
 */
export function normalizeGraphObject(o: Record<string, unknown>): Record<string, unknown> {
  const extraKey = Object.keys(o).find((k) => k.toLowerCase() === 'additionalproperties');
  if (extraKey !== undefined) {
    const extra = o[extraKey];
    delete o[extraKey];
    if (extra && typeof extra === 'object' && !Array.isArray(extra)) {
      const own = new Set(Object.keys(o).map((k) => k.toLowerCase()));
      for (const [k, v] of Object.entries(extra)) if (!own.has(k.toLowerCase())) o[k] = v;
    }
  }
  return normalizeTimes(o);
}
