// Pure mapping of Microsoft Graph v1.0 (and beta sign-in) objects to raw Entra stream rows, one
// function per stream. Exports differ in key case (Graph PowerShell dumps use PascalCase:
// AppId, AppOwnerOrganizationId…) and may be partial, so every field is read case-insensitively
// (`pick`) and missing parts become null. Secrets (secretText, key) are never copied.
import { pick, str, time } from '../../src/connectors/json.js';

export { pick };

type Row = Record<string, unknown>;

const lower = (v: unknown): string | null => str(v)?.toLowerCase() ?? null;
const bool = (v: unknown): boolean | null => (typeof v === 'boolean' ? v : v === 'true' || v === 'True' ? true : v === 'false' || v === 'False' ? false : null);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const strList = (v: unknown): string[] | null => (Array.isArray(v) ? v.filter((x) => x !== null && x !== undefined).map((x) => String(x)) : null);
const int = (v: unknown): number | null => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  return Number.isInteger(n) ? n : null;
};

/**
 * The permissions of a delegated grant's `scope`: a space-separated string in which Graph leaves
 * stray (leading, trailing, doubled) spaces. Split on any whitespace, empty parts dropped,
 * duplicates dropped (first occurrence kept).
 */
export function splitScopes(scope: unknown): string[] {
  const s = str(scope);
  if (!s) return [];
  return [...new Set(s.split(/\s+/).filter((x) => x !== ''))];
}

export function userRow(u: unknown) {
  return {
    id: lower(pick(u, 'id')),
    user_principal_name: lower(pick(u, 'userPrincipalName')),
    mail: lower(pick(u, 'mail')),
    display_name: str(pick(u, 'displayName')),
    given_name: str(pick(u, 'givenName')),
    surname: str(pick(u, 'surname')),
    department: str(pick(u, 'department')),
    job_title: str(pick(u, 'jobTitle')),
    account_enabled: bool(pick(u, 'accountEnabled')),
    user_type: str(pick(u, 'userType')),
    created: time(pick(u, 'createdDateTime')),
    deleted: time(pick(u, 'deletedDateTime')),
    other_mails: strList(pick(u, 'otherMails'))?.map((m) => m.toLowerCase()) ?? null,
    proxy_addresses: strList(pick(u, 'proxyAddresses')),
    on_premises_sam_account_name: lower(pick(u, 'onPremisesSamAccountName')),
  };
}

function appRoles(v: unknown) {
  return list(v).map((r) => ({
    id: lower(pick(r, 'id')),
    value: str(pick(r, 'value')),
    display_name: str(pick(r, 'displayName')),
    allowed_member_types: strList(pick(r, 'allowedMemberTypes')),
    is_enabled: bool(pick(r, 'isEnabled')),
  }));
}

export function servicePrincipalRow(sp: unknown) {
  return {
    id: lower(pick(sp, 'id')),
    app_id: lower(pick(sp, 'appId')),
    display_name: str(pick(sp, 'displayName')),
    app_display_name: str(pick(sp, 'appDisplayName')),
    app_owner_organization_id: lower(pick(sp, 'appOwnerOrganizationId')),
    publisher_name: str(pick(sp, 'publisherName')),
    verified_publisher_id: str(pick(sp, 'verifiedPublisher', 'verifiedPublisherId')),
    verified_publisher_name: str(pick(sp, 'verifiedPublisher', 'displayName')),
    service_principal_type: str(pick(sp, 'servicePrincipalType')),
    account_enabled: bool(pick(sp, 'accountEnabled')),
    sign_in_audience: str(pick(sp, 'signInAudience')),
    tags: strList(pick(sp, 'tags')),
    homepage: str(pick(sp, 'homepage')),
    reply_urls: strList(pick(sp, 'replyUrls')),
    app_roles: appRoles(pick(sp, 'appRoles')),
    created: time(pick(sp, 'createdDateTime')),
    disabled_by_microsoft_status: str(pick(sp, 'disabledByMicrosoftStatus')),
  };
}

export function applicationRow(a: unknown) {
  const access = list(pick(a, 'requiredResourceAccess')).flatMap((r) => {
    const resource = lower(pick(r, 'resourceAppId'));
    return list(pick(r, 'resourceAccess')).map((p) => ({ resource_app_id: resource, id: lower(pick(p, 'id')), type: str(pick(p, 'type')) }));
  });
  return {
    id: lower(pick(a, 'id')),
    app_id: lower(pick(a, 'appId')),
    display_name: str(pick(a, 'displayName')),
    created: time(pick(a, 'createdDateTime')),
    sign_in_audience: str(pick(a, 'signInAudience')),
    publisher_domain: lower(pick(a, 'publisherDomain')),
    verified_publisher_id: str(pick(a, 'verifiedPublisher', 'verifiedPublisherId')),
    verified_publisher_name: str(pick(a, 'verifiedPublisher', 'displayName')),
    required_resource_access: access,
    tags: strList(pick(a, 'tags')),
    notes: str(pick(a, 'notes')),
  };
}

/**
 * The password and key credentials of an application or service principal: dates and ids only.
 * `secretText`, `hint` and `key` are deliberately not read.
 */
export function credentialRows(owner: unknown, ownerType: 'application' | 'service_principal'): Row[] {
  const base = { owner_type: ownerType, owner_id: lower(pick(owner, 'id')), app_id: lower(pick(owner, 'appId')) };
  const one = (c: unknown, kind: 'password' | 'certificate' | 'key') => ({
    ...base,
    key_id: lower(pick(c, 'keyId')),
    kind,
    display_name: str(pick(c, 'displayName')),
    usage: str(pick(c, 'usage')),
    start_date_time: time(pick(c, 'startDateTime')),
    end_date_time: time(pick(c, 'endDateTime')),
  });
  return [
    ...list(pick(owner, 'passwordCredentials')).map((c) => one(c, 'password')),
    ...list(pick(owner, 'keyCredentials')).map((c) => one(c, /x509|asymmetric/i.test(String(pick(c, 'type') ?? 'AsymmetricX509Cert')) ? 'certificate' : 'key')),
  ];
}

export function oauth2PermissionGrantRow(g: unknown) {
  const scope = pick(g, 'scope');
  return {
    id: str(pick(g, 'id')),
    client_id: lower(pick(g, 'clientId')),
    consent_type: str(pick(g, 'consentType')),
    principal_id: lower(pick(g, 'principalId')),
    resource_id: lower(pick(g, 'resourceId')),
    scope: str(scope),
    scopes: splitScopes(scope),
    start_time: time(pick(g, 'startTime')),
    expiry_time: time(pick(g, 'expiryTime')),
  };
}

export function appRoleAssignmentRow(a: unknown) {
  return {
    id: str(pick(a, 'id')),
    app_role_id: lower(pick(a, 'appRoleId')),
    principal_id: lower(pick(a, 'principalId')),
    principal_type: str(pick(a, 'principalType')),
    principal_display_name: str(pick(a, 'principalDisplayName')),
    resource_id: lower(pick(a, 'resourceId')),
    resource_display_name: str(pick(a, 'resourceDisplayName')),
    created: time(pick(a, 'createdDateTime')),
  };
}

/** A modifiedProperties value: Graph JSON-encodes them ("\"true\"", "[\"…\"]"); unwrap one level. */
function propValue(v: unknown): string | null {
  const s = str(v);
  if (s === null) return null;
  try {
    const parsed: unknown = JSON.parse(s);
    if (typeof parsed === 'string') return parsed;
    if (Array.isArray(parsed)) return parsed.map((x) => (typeof x === 'string' ? x : JSON.stringify(x))).join(' ');
    return String(parsed);
  } catch {
    return s;
  }
}

const GUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

export function directoryAuditRow(e: unknown) {
  const targets = list(pick(e, 'targetResources'));
  const target = targets.find((t) => /serviceprincipal|application/i.test(String(pick(t, 'type') ?? ''))) ?? targets[0];
  const props = targets.flatMap((t) => list(pick(t, 'modifiedProperties')));
  const prop = (name: string) => {
    const p = props.find((x) => String(pick(x, 'displayName') ?? '').toLowerCase() === name.toLowerCase());
    return p === undefined ? null : propValue(pick(p, 'newValue'));
  };
  const details = list(pick(e, 'additionalDetails'));
  const detail = (name: string) => str(pick(details.find((d) => String(pick(d, 'key') ?? '').toLowerCase() === name.toLowerCase()), 'value'));
  // The target's appId: "AppId" in additionalDetails or modifiedProperties, or the first GUID of
  // "TargetId.ServicePrincipalNames" (Graph lists the appId among the SP's names).
  const spNames = prop('TargetId.ServicePrincipalNames');
  const appId = detail('AppId') ?? prop('AppId') ?? (spNames ? GUID.exec(spNames)?.[0] ?? null : null);
  const flag = (name: string) => {
    const v = prop(name);
    return v === null ? null : /^true$/i.test(v.trim());
  };
  return {
    id: str(pick(e, 'id')),
    activity_date_time: time(pick(e, 'activityDateTime')),
    activity_display_name: str(pick(e, 'activityDisplayName')),
    category: str(pick(e, 'category')),
    logged_by_service: str(pick(e, 'loggedByService')),
    operation_type: str(pick(e, 'operationType')),
    result: lower(pick(e, 'result')),
    result_reason: str(pick(e, 'resultReason')),
    correlation_id: lower(pick(e, 'correlationId')),
    initiated_by_user: lower(pick(e, 'initiatedBy', 'user', 'userPrincipalName')),
    initiated_by_user_id: lower(pick(e, 'initiatedBy', 'user', 'id')),
    initiated_by_app_id: lower(pick(e, 'initiatedBy', 'app', 'appId')),
    initiated_by_app_name: str(pick(e, 'initiatedBy', 'app', 'displayName')),
    initiated_by_ip: str(pick(e, 'initiatedBy', 'user', 'ipAddress')),
    target_id: lower(pick(target, 'id')),
    target_type: str(pick(target, 'type')),
    target_display_name: str(pick(target, 'displayName')),
    target_app_id: appId?.toLowerCase() ?? null,
    is_admin_consent: flag('ConsentContext.IsAdminConsent'),
    on_behalf_of_all: flag('ConsentContext.OnBehalfOfAll'),
    permissions: prop('ConsentAction.Permissions') ?? prop('DelegatedPermissionGrant.Scope') ?? prop('AppRole.Value'),
    target_resources: targets.length ? JSON.stringify(targets) : null,
    additional_details: details.length ? JSON.stringify(details) : null,
  };
}

/** A v1.0 (interactive) or beta sign-in (signInEventTypes: non-interactive, service principal, managed identity). */
export function signInRow(s: unknown) {
  const types = strList(pick(s, 'signInEventTypes'));
  const interactive = bool(pick(s, 'isInteractive'));
  return {
    id: str(pick(s, 'id')),
    created_date_time: time(pick(s, 'createdDateTime')),
    user_id: lower(pick(s, 'userId')),
    user_principal_name: lower(pick(s, 'userPrincipalName')),
    user_display_name: str(pick(s, 'userDisplayName')),
    app_id: lower(pick(s, 'appId')),
    app_display_name: str(pick(s, 'appDisplayName')),
    resource_id: lower(pick(s, 'resourceId')),
    resource_display_name: str(pick(s, 'resourceDisplayName')),
    ip_address: str(pick(s, 'ipAddress')),
    client_app_used: str(pick(s, 'clientAppUsed')),
    user_agent: str(pick(s, 'userAgent')),
    is_interactive: interactive,
    sign_in_event_type: types?.[0] ?? (interactive === false ? 'nonInteractiveUser' : 'interactiveUser'),
    error_code: int(pick(s, 'status', 'errorCode')),
    failure_reason: str(pick(s, 'status', 'failureReason')),
    conditional_access_status: str(pick(s, 'conditionalAccessStatus')),
    risk_level: str(pick(s, 'riskLevelDuringSignIn')),
    correlation_id: lower(pick(s, 'correlationId')),
    service_principal_id: lower(pick(s, 'servicePrincipalId')),
    service_principal_name: str(pick(s, 'servicePrincipalName')),
    country: str(pick(s, 'location', 'countryOrRegion')),
    city: str(pick(s, 'location', 'city')),
  };
}

/** Row builders by stream, for importers that map one object per stream. */
export const entraRowOf = {
  users: userRow,
  service_principals: servicePrincipalRow,
  applications: applicationRow,
  oauth2_permission_grants: oauth2PermissionGrantRow,
  app_role_assignments: appRoleAssignmentRow,
  directory_audits: directoryAuditRow,
  sign_ins: signInRow,
} as const;
