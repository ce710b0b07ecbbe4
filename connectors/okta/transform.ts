// Pure mapping of Okta API objects (live or exported) to raw stream rows. Exports differ in
// key case (Panther/SIEM copies lowercase them: eventtype, debugcontext…) and may be partial,
// so every field is read case-insensitively and missing parts become null.

import { pick, str, time } from '../../src/connectors/json.js';

export { pick };

const strList = (v: unknown): string[] | null => (Array.isArray(v) ? v.map((x) => String(x)) : null);

export function userRow(u: unknown) {
  return {
    id: str(pick(u, 'id')),
    status: str(pick(u, 'status')),
    login: str(pick(u, 'profile', 'login'))?.toLowerCase() ?? null,
    email: str(pick(u, 'profile', 'email'))?.toLowerCase() ?? null,
    first_name: str(pick(u, 'profile', 'firstName')),
    last_name: str(pick(u, 'profile', 'lastName')),
    department: str(pick(u, 'profile', 'department')),
    created: time(pick(u, 'created')),
    last_login: time(pick(u, 'lastLogin')),
    status_changed: time(pick(u, 'statusChanged')),
  };
}

export function appRow(a: unknown) {
  return {
    id: str(pick(a, 'id')),
    name: str(pick(a, 'name')),
    label: str(pick(a, 'label')),
    status: str(pick(a, 'status')),
    sign_on_mode: str(pick(a, 'signOnMode')),
    created: time(pick(a, 'created')),
    last_updated: time(pick(a, 'lastUpdated')),
    client_id: str(pick(a, 'credentials', 'oauthClient', 'client_id')),
    application_type: str(pick(a, 'settings', 'oauthClient', 'application_type')),
    grant_types: strList(pick(a, 'settings', 'oauthClient', 'grant_types')),
    redirect_uris: strList(pick(a, 'settings', 'oauthClient', 'redirect_uris')),
    token_endpoint_auth_method: str(pick(a, 'credentials', 'oauthClient', 'token_endpoint_auth_method')),
    consent_method: str(pick(a, 'settings', 'oauthClient', 'consent_method')),
  };
}

function scopeId(g: unknown): string | null {
  return str(pick(g, 'scopeId')) ?? str(pick(g, '_embedded', 'scope', 'name'));
}

export function appGrantRow(g: unknown, appId: string) {
  return {
    id: str(pick(g, 'id')),
    app_id: appId,
    client_id: str(pick(g, 'clientId')) ?? appId,
    scope_id: scopeId(g),
    status: str(pick(g, 'status')),
    source: str(pick(g, 'source')),
    issuer: str(pick(g, 'issuer')),
    user_id: str(pick(g, 'userId')),
    created: time(pick(g, 'created')),
    created_by: str(pick(g, 'createdBy', 'id')),
  };
}

export function userGrantRow(g: unknown, userId: string) {
  return {
    id: str(pick(g, 'id')),
    user_id: str(pick(g, 'userId')) ?? userId,
    client_id: str(pick(g, 'clientId')),
    scope_id: scopeId(g),
    status: str(pick(g, 'status')),
    source: str(pick(g, 'source')),
    issuer: str(pick(g, 'issuer')),
    created: time(pick(g, 'created')),
  };
}

export function logEventRow(e: unknown) {
  const targets = pick(e, 'target');
  const list = Array.isArray(targets) ? targets : [];
  const app = list.find((t) => ['AppInstance', 'PublicClientApp', 'Application'].includes(String(pick(t, 'type'))));
  const user = list.find((t) => String(pick(t, 'type')) === 'User');
  const debugData = pick(e, 'debugContext', 'debugData');
  return {
    uuid: str(pick(e, 'uuid')),
    published: time(pick(e, 'published')),
    event_type: str(pick(e, 'eventType')),
    display_message: str(pick(e, 'displayMessage')),
    severity: str(pick(e, 'severity')),
    actor_id: str(pick(e, 'actor', 'id')),
    actor_type: str(pick(e, 'actor', 'type')),
    actor_alternate_id: str(pick(e, 'actor', 'alternateId'))?.toLowerCase() ?? null,
    actor_display_name: str(pick(e, 'actor', 'displayName')),
    client_ip: str(pick(e, 'client', 'ipAddress')),
    user_agent: str(pick(e, 'client', 'userAgent', 'rawUserAgent')),
    outcome_result: str(pick(e, 'outcome', 'result')),
    outcome_reason: str(pick(e, 'outcome', 'reason')),
    target_app_id: str(pick(app, 'id')),
    target_app_name: str(pick(app, 'displayName')),
    target_user: str(pick(user, 'alternateId'))?.toLowerCase() ?? null,
    client_id: str(pick(debugData, 'clientId')),
    scopes: str(pick(debugData, 'scopes')) ?? str(pick(debugData, 'grantedScopes')),
    session_id: str(pick(e, 'authenticationContext', 'externalSessionId')),
    targets: list.length ? JSON.stringify(list) : null,
    debug_data: debugData === undefined ? null : JSON.stringify(debugData),
  };
}
