// Entra sign-in and audit logs in the Azure Monitor diagnostic-settings shape (storage account,
// Event Hub `{"records": […]}`, SIEM copies such as Panther's): `{time, category, operationName,
// callerIpAddress, correlationId, resultType, properties: {…Graph object…}}`, top-level keys
// sometimes lowercased. `properties` is the Graph signIn / directoryAudit object; the envelope
// fills what it lacks (time, IP, status, correlation id), and the category says which sign-in
// type it was (the beta `signInEventTypes`).
import { pick } from '../transform.js';
import type { EntraKind } from './graph.js';

const signInCategories: Record<string, { type: string; interactive: boolean }> = {
  signinlogs: { type: 'interactiveUser', interactive: true },
  noninteractiveusersigninlogs: { type: 'nonInteractiveUser', interactive: false },
  serviceprincipalsigninlogs: { type: 'servicePrincipal', interactive: false },
  managedidentitysigninlogs: { type: 'managedIdentity', interactive: false },
};

/** Does the record look like an Azure Monitor diagnostic record (envelope + properties)? */
export function isDiagnosticRecord(r: unknown): boolean {
  const props = pick(r, 'properties');
  return !!props && typeof props === 'object' && !Array.isArray(props) && (pick(r, 'category') !== undefined || pick(r, 'operationName') !== undefined);
}

const present = (v: unknown) => v !== undefined && v !== null && v !== '';

/** Sets `key` on `o` unless `o` already has it (in any letter case). */
function fill(o: Record<string, unknown>, key: string, value: unknown): void {
  if (!present(value) || present(pick(o, key))) return;
  o[key] = value;
}

export type Converted = { kind: EntraKind; value: Record<string, unknown> } | { error: string };

/** The Graph-shaped sign-in or audit event inside a diagnostic record. */
export function fromDiagnostic(r: unknown): Converted {
  const category = String(pick(r, 'category') ?? '');
  const props = { ...(pick(r, 'properties') as Record<string, unknown>) };
  const signIn = signInCategories[category.toLowerCase()];
  const looksAudit = present(pick(props, 'activityDateTime')) || present(pick(props, 'activityDisplayName'));
  if (signIn || (!looksAudit && present(pick(props, 'createdDateTime')) && present(pick(props, 'userPrincipalName') ?? pick(props, 'appId')))) {
    fill(props, 'createdDateTime', pick(r, 'time'));
    fill(props, 'ipAddress', pick(r, 'callerIpAddress'));
    fill(props, 'correlationId', pick(r, 'correlationId'));
    if (signIn) {
      fill(props, 'signInEventTypes', [signIn.type]);
      fill(props, 'isInteractive', signIn.interactive);
    }
    const code = pick(r, 'resultType');
    if (!present(pick(props, 'status')) && present(code) && /^-?\d+$/.test(String(code).trim())) {
      props.status = { errorCode: Number(code), ...(present(pick(r, 'resultDescription')) ? { failureReason: pick(r, 'resultDescription') } : {}) };
    }
    return { kind: 'sign_ins', value: props };
  }
  // AuditLogs, and SIEM copies that put the audit's own category (ApplicationManagement, Policy…) in the envelope.
  if (category.toLowerCase() === 'auditlogs' || looksAudit) {
    fill(props, 'activityDateTime', pick(r, 'time'));
    fill(props, 'activityDisplayName', pick(r, 'operationName'));
    if (category.toLowerCase() !== 'auditlogs') fill(props, 'category', category);
    fill(props, 'correlationId', pick(r, 'correlationId'));
    fill(props, 'result', pick(props, 'resultType') ?? pick(r, 'resultType') ?? pick(r, 'result'));
    return { kind: 'directory_audits', value: props };
  }
  return { error: `Azure Monitor category ${JSON.stringify(category)} is not an Entra sign-in or audit log (expected SignInLogs, NonInteractiveUserSignInLogs, ServicePrincipalSignInLogs, ManagedIdentitySignInLogs or AuditLogs)` };
}
