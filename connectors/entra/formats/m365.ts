// Office 365 Management Activity API records (the unified audit log, as Purview exports and SIEMs
// such as Panther keep them) of the Entra workload: `Workload: AzureActiveDirectory`, RecordType
// 15 (AzureActiveDirectoryStsLogon: UserLoggedIn / UserLoginFailed), 9 (AccountLogon) and 8
// (directory changes such as "Consent to application.", "Add service principal."). Sign-ins
// become Graph signIn objects, the rest directoryAudit objects; other workloads are rejected.
import { pick } from '../transform.js';
import type { Converted } from './azure-monitor.js';

const AAD_RECORD_TYPES = new Set([8, 9, 15]);
const SIGN_IN_OPERATIONS = new Set(['userloggedin', 'userloginfailed']);

/** Does the record look like a Management Activity API record (any workload)? */
export function isManagementActivityRecord(r: unknown): boolean {
  return pick(r, 'CreationTime') !== undefined && pick(r, 'Operation') !== undefined && (pick(r, 'Workload') !== undefined || pick(r, 'RecordType') !== undefined);
}

const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const text = (v: unknown): string | undefined => (v === undefined || v === null || v === '' ? undefined : String(v));

/** `ExtendedProperties` / `ModifiedProperties` are `[{Name, Value}]` lists. */
function nameValue(v: unknown, name: string): string | undefined {
  const hit = list(v).find((p) => String(pick(p, 'Name') ?? '').toLowerCase() === name.toLowerCase());
  return text(pick(hit, 'Value'));
}

export function fromManagementActivity(r: unknown): Converted {
  const workload = text(pick(r, 'Workload'));
  const recordType = Number(pick(r, 'RecordType'));
  if (workload !== undefined ? workload.toLowerCase() !== 'azureactivedirectory' : !AAD_RECORD_TYPES.has(recordType)) {
    return { error: `Office 365 audit record of workload ${JSON.stringify(workload ?? `RecordType ${recordType}`)} is not Entra (only AzureActiveDirectory records are read)` };
  }
  const operation = text(pick(r, 'Operation')) ?? '';
  const extended = pick(r, 'ExtendedProperties');
  const user = text(pick(r, 'UserId'));
  if (recordType === 15 || recordType === 9 || SIGN_IN_OPERATIONS.has(operation.toLowerCase())) {
    const failed = /failed/i.test(operation);
    const errorNumber = text(pick(r, 'ErrorNumber'));
    return {
      kind: 'sign_ins',
      value: {
        id: text(pick(r, 'Id')),
        createdDateTime: text(pick(r, 'CreationTime')),
        userPrincipalName: user,
        userId: text(pick(r, 'UserKey')),
        appId: text(pick(r, 'ApplicationId')),
        ipAddress: text(pick(r, 'ClientIP')) ?? text(pick(r, 'ActorIpAddress')),
        userAgent: nameValue(extended, 'UserAgent'),
        status: {
          errorCode: errorNumber !== undefined && /^\d+$/.test(errorNumber) ? Number(errorNumber) : failed ? null : 0,
          failureReason: failed ? (text(pick(r, 'LogonError')) ?? operation) : undefined,
        },
        signInEventTypes: ['interactiveUser'],
      },
    };
  }
  // A directory change. Actor: a UPN (Type 5) or the UserId; service principals act as "ServicePrincipal_<id>".
  const actors = list(pick(r, 'Actor'));
  const actorUpn = text(pick(actors.find((a) => Number(pick(a, 'Type')) === 5), 'ID'));
  const spActor = user && /^ServicePrincipal_/i.test(user) ? user.replace(/^ServicePrincipal_/i, '') : undefined;
  const targets = list(pick(r, 'Target'));
  const targetUpn = text(pick(targets.find((t) => Number(pick(t, 'Type')) === 5), 'ID'));
  const targetType = text(pick(targets.find((t) => Number(pick(t, 'Type')) === 2 && /^[A-Za-z]+$/.test(String(pick(t, 'ID')))), 'ID'));
  const modified = list(pick(r, 'ModifiedProperties')).map((p) => ({
    displayName: text(pick(p, 'Name')),
    oldValue: text(pick(p, 'OldValue')) ?? null,
    newValue: text(pick(p, 'NewValue')) ?? null,
  }));
  return {
    kind: 'directory_audits',
    value: {
      id: text(pick(r, 'Id')),
      activityDateTime: text(pick(r, 'CreationTime')),
      activityDisplayName: operation.replace(/\.$/, ''),
      result: text(pick(r, 'ResultStatus'))?.toLowerCase(),
      initiatedBy: spActor ? { app: { servicePrincipalId: spActor, displayName: text(pick(actors[0], 'ID')) } } : { user: { userPrincipalName: actorUpn ?? user, id: text(pick(r, 'UserKey')), ipAddress: text(pick(r, 'ClientIP')) ?? text(pick(r, 'ActorIpAddress')) } },
      targetResources: [{ id: text(pick(r, 'ObjectId')), type: targetType, userPrincipalName: targetUpn, displayName: targetUpn ?? text(pick(r, 'ObjectId')), modifiedProperties: modified }],
      additionalDetails: list(extended).map((p) => ({ key: text(pick(p, 'Name')), value: text(pick(p, 'Value')) })),
    },
  };
}
