// The pure pieces of the Entra import: timestamps as each export writes them, the collection an
// `@odata.context` names, and the collection a bare Graph object belongs to by its fields.
import { describe, expect, it } from 'vitest';
import { isoTime, normalizeTimes } from '../../connectors/entra/formats/time.js';
import { classifyGraphObject, kindFromContext } from '../../connectors/entra/formats/graph.js';

describe('isoTime', () => {
  it.each([
    ['2025-01-15T09:30:25.1234567Z', '2025-01-15T09:30:25.123456Z'], // Graph: 7 fraction digits
    ['2023-07-26 22:58:30.983201900', '2023-07-26T22:58:30.983201Z'], // Azure Monitor / Panther: no zone = UTC
    ['2025-01-15 14:20:35.456', '2025-01-15T14:20:35.456Z'],
    ['2024-11-27T03:31:26.7088498+00:00', '2024-11-27T03:31:26.708849+00:00'],
    ['2022-12-12 15:57:57', '2022-12-12T15:57:57Z'], // Office 365 CreationTime
    ['2025-06-04T10:00:00+0200', '2025-06-04T10:00:00+02:00'],
    ['/Date(1733343742000)/', '2024-12-04T20:22:22.000Z'], // PowerShell ConvertTo-Json
    ['\\/Date(4102444800000)\\/', '2100-01-01T00:00:00.000Z'], // double-escaped (ScubaGear mocks)
    ['1/5/2025 9:30:25 PM', '2025-01-05T21:30:25Z'], // US order (portal), UTC
    ['12/31/2024 12:00:00 AM', '2024-12-31T00:00:00Z'],
  ])('%s → %s', (input, out) => expect(isoTime(input)).toBe(out));

  it('leaves anything else alone', () => {
    expect(isoTime('yesterday')).toBeUndefined();
    expect(isoTime(1733343742000)).toBeUndefined();
    const o = { StartDateTime: '\\/Date(1733343742000)\\/', note: 'due 2025-01-01 maybe', list: ['/Date(0)/'], nested: { endTime: '2025-02-03 04:05:06' } };
    expect(normalizeTimes(o)).toEqual({ StartDateTime: '2024-12-04T20:22:22.000Z', note: 'due 2025-01-01 maybe', list: ['1970-01-01T00:00:00.000Z'], nested: { endTime: '2025-02-03T04:05:06Z' } });
  });
});

describe('kindFromContext', () => {
  it.each([
    ['https://graph.microsoft.com/v1.0/$metadata#servicePrincipals', 'service_principals'],
    ["https://graph.microsoft.com/v1.0/$metadata#servicePrincipals('9a1f')/appRoleAssignedTo", 'app_role_assignments'],
    ['https://graph.microsoft.com/v1.0/$metadata#users(\'x\')/appRoleAssignments', 'app_role_assignments'],
    ['https://graph.microsoft.com/beta/$metadata#auditLogs/signIns', 'sign_ins'],
    ['https://graph.microsoft.com/v1.0/$metadata#auditLogs/directoryAudits', 'directory_audits'],
    ['https://graph.microsoft.com/v1.0/$metadata#servicePrincipals/$entity', 'service_principals'],
    ['https://graph.microsoft.com/v1.0/$metadata#servicePrincipals/delta', 'service_principals'],
    ['https://graph.microsoft.com/v1.0/$metadata#Collection(microsoft.graph.oAuth2PermissionGrant)', 'oauth2_permission_grants'],
    ['https://graph.microsoft.com/v1.0/$metadata#groups', undefined],
  ])('%s → %s', (ctx, kind) => expect(kindFromContext(ctx)).toBe(kind));
});

describe('classifyGraphObject', () => {
  it('tells the collections apart by their fields (any letter case)', () => {
    expect(classifyGraphObject({ id: '1', appRoleId: 'r', principalId: 'p', resourceId: 'x' })).toBe('app_role_assignments');
    expect(classifyGraphObject({ id: '1', clientId: 'c', consentType: 'Principal', scope: 'User.Read' })).toBe('oauth2_permission_grants');
    expect(classifyGraphObject({ id: '1', activityDateTime: 't', activityDisplayName: 'Consent to application' })).toBe('directory_audits');
    expect(classifyGraphObject({ id: '1', createdDateTime: 't', appId: 'a', ipAddress: '192.0.2.1' })).toBe('sign_ins');
    expect(classifyGraphObject({ Id: '1', AppId: 'a', AppOwnerOrganizationId: 'o' })).toBe('service_principals');
    expect(classifyGraphObject({ Id: '1', AppId: 'a', RequiredResourceAccess: [], createdDateTime: 't' })).toBe('applications');
    expect(classifyGraphObject({ id: '1', userPrincipalName: 'a@b', mail: 'a@b' })).toBe('users');
    expect(classifyGraphObject({ '@odata.type': '#microsoft.graph.servicePrincipal', id: '1' })).toBe('service_principals');
    expect(classifyGraphObject({ uuid: 'x', eventType: 'user.session.start' })).toBeUndefined();
    expect(classifyGraphObject({ id: '1', appId: 'a' })).toBeUndefined(); // ambiguous: not guessed
  });
});
