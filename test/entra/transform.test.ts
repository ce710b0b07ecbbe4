// Pure Graph → raw row mapping (connectors/entra/transform.ts): stray spaces in scope strings,
// PascalCase keys as Graph PowerShell writes them, credentials without their secret material,
// consent audits under old and new names, and beta sign-in event types. Objects are synthetic.
import { describe, expect, it } from 'vitest';
import {
  appRoleAssignmentRow, applicationRow, credentialRows, directoryAuditRow, oauth2PermissionGrantRow, servicePrincipalRow, signInRow, splitScopes, userRow,
} from '../../connectors/entra/transform.js';

describe('splitScopes', () => {
  it('splits on any whitespace, drops empty parts and repeats, keeps the order', () => {
    expect(splitScopes(' openid  profile offline_access\tMail.ReadWrite  openid ')).toEqual(['openid', 'profile', 'offline_access', 'Mail.ReadWrite']);
    expect(splitScopes('')).toEqual([]);
    expect(splitScopes(null)).toEqual([]);
    expect(splitScopes('   ')).toEqual([]);
  });
});

describe('rows', () => {
  it('a delegated grant keeps the raw scope string and the clean list; ids lower-cased', () => {
    expect(oauth2PermissionGrantRow({ id: 'AbC_x', clientId: 'AAAA-1', consentType: 'Principal', principalId: 'BBBB-2', resourceId: 'CCCC-3', scope: ' User.Read  Mail.Send ', startTime: '2025-01-02T03:04:05Z' })).toEqual({
      id: 'AbC_x', client_id: 'aaaa-1', consent_type: 'Principal', principal_id: 'bbbb-2', resource_id: 'cccc-3', scope: ' User.Read  Mail.Send ', scopes: ['User.Read', 'Mail.Send'],
      start_time: '2025-01-02T03:04:05Z', expiry_time: null,
    });
  });

  it('reads PascalCase keys (Graph PowerShell dumps): service principal with app roles, app role assignment, user', () => {
    const sp = servicePrincipalRow({
      Id: '6D0C-AA', AppId: 'A1B2', DisplayName: 'Acme Notes', AppOwnerOrganizationId: 'F00D', ServicePrincipalType: 'Application', AccountEnabled: true,
      VerifiedPublisher: { DisplayName: null, VerifiedPublisherId: null }, Tags: ['WindowsAzureActiveDirectoryIntegratedApp'],
      AppRoles: [{ Id: 'E2A3A72E-5F79-4C64-B1B1-878B674786C9', Value: 'Mail.ReadWrite', AllowedMemberTypes: ['Application'], IsEnabled: true }],
    });
    expect(sp).toMatchObject({ id: '6d0c-aa', app_id: 'a1b2', display_name: 'Acme Notes', app_owner_organization_id: 'f00d', verified_publisher_id: null, account_enabled: true, tags: ['WindowsAzureActiveDirectoryIntegratedApp'] });
    expect(sp.app_roles).toEqual([{ id: 'e2a3a72e-5f79-4c64-b1b1-878b674786c9', value: 'Mail.ReadWrite', display_name: null, allowed_member_types: ['Application'], is_enabled: true }]);
    expect(appRoleAssignmentRow({ Id: 'x1', AppRoleId: 'E2A3A72E-5F79-4C64-B1B1-878B674786C9', PrincipalType: 'ServicePrincipal', PrincipalId: '6D0C-AA', ResourceId: '1804', CreatedDateTime: '2025-05-02T10:11:12Z' })).toMatchObject({
      app_role_id: 'e2a3a72e-5f79-4c64-b1b1-878b674786c9', principal_type: 'ServicePrincipal', principal_id: '6d0c-aa', resource_id: '1804', created: '2025-05-02T10:11:12Z',
    });
    expect(userRow({ Id: 'U1', UserPrincipalName: 'Ann@Contoso.com', Mail: 'ann@contoso.com', AccountEnabled: 'False', ProxyAddresses: ['SMTP:ann@contoso.com'] })).toMatchObject({
      id: 'u1', user_principal_name: 'ann@contoso.com', mail: 'ann@contoso.com', account_enabled: false, proxy_addresses: ['SMTP:ann@contoso.com'],
    });
  });

  it('flattens requiredResourceAccess; credentials keep ids and dates, never secretText, hint or key', () => {
    const app = {
      id: 'APP-OBJ', appId: 'APP-ID', displayName: 'Exporter',
      requiredResourceAccess: [{ resourceAppId: '00000003-0000-0000-C000-000000000000', resourceAccess: [{ id: 'E2A3A72E', type: 'Role' }, { id: '024D486E', type: 'Scope' }] }],
      passwordCredentials: [{ keyId: 'K1', displayName: 'ci', hint: 'Q~x', secretText: 'Q~xS3cretValueNeverStored', startDateTime: '2025-01-01T00:00:00Z', endDateTime: '2027-01-01T00:00:00Z' }],
      keyCredentials: [{ keyId: 'K2', type: 'AsymmetricX509Cert', usage: 'Verify', key: 'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA', endDateTime: '2026-01-01T00:00:00Z' }],
    };
    expect(applicationRow(app).required_resource_access).toEqual([
      { resource_app_id: '00000003-0000-0000-c000-000000000000', id: 'e2a3a72e', type: 'Role' },
      { resource_app_id: '00000003-0000-0000-c000-000000000000', id: '024d486e', type: 'Scope' },
    ]);
    const creds = credentialRows(app, 'application');
    expect(creds.map((c) => [c.key_id, c.kind, c.end_date_time])).toEqual([['k1', 'password', '2027-01-01T00:00:00Z'], ['k2', 'certificate', '2026-01-01T00:00:00Z']]);
    const text = JSON.stringify(creds);
    for (const secret of ['S3cretValue', 'Q~x', 'MIIBIjAN']) expect(text).not.toContain(secret);
  });

  it('consent audits: admin/all-users flags, the permissions, the target appId from the SP names; old and new activity names kept', () => {
    const audit = (activity: string, props: [string, string][]) => directoryAuditRow({
      id: 'Directory_1', activityDateTime: '2025-06-10T14:05:00Z', activityDisplayName: activity, category: 'ApplicationManagement', result: 'Success',
      initiatedBy: { user: { id: 'U', userPrincipalName: 'Admin@Acme.example', ipAddress: '10.0.0.1' } },
      targetResources: [{ id: 'SP-OBJ', displayName: 'PDF Contract Scanner', type: 'ServicePrincipal', modifiedProperties: props.map(([displayName, newValue]) => ({ displayName, oldValue: null, newValue })) }],
    });
    const consent = audit('Consent to application', [
      ['ConsentContext.IsAdminConsent', '"True"'], ['ConsentContext.OnBehalfOfAll', '"True"'],
      ['ConsentAction.Permissions', '"[] => [[Scope: User.Read Files.Read.All]]"'], ['TargetId.ServicePrincipalNames', '"7D17301C-2672-4A7A-B3D3-CC62898C3FE1;https://scan.example"'],
    ]);
    expect(consent).toMatchObject({
      activity_display_name: 'Consent to application', result: 'success', initiated_by_user: 'admin@acme.example', target_id: 'sp-obj', target_type: 'ServicePrincipal',
      target_app_id: '7d17301c-2672-4a7a-b3d3-cc62898c3fe1', is_admin_consent: true, on_behalf_of_all: true, permissions: '[] => [[Scope: User.Read Files.Read.All]]',
    });
    expect(audit('Add OAuth2PermissionGrant', [['DelegatedPermissionGrant.Scope', '" User.Read  Mail.Send"']])).toMatchObject({ activity_display_name: 'Add OAuth2PermissionGrant', permissions: ' User.Read  Mail.Send', is_admin_consent: null });
  });

  it('sign-ins: v1.0 interactive, beta service-principal (no user), error codes as numbers', () => {
    expect(signInRow({ id: 's1', createdDateTime: '2025-06-01T10:00:00Z', userPrincipalName: 'Ann@X.example', appId: 'A', isInteractive: true, status: { errorCode: 0 } })).toMatchObject({ sign_in_event_type: 'interactiveUser', user_principal_name: 'ann@x.example', error_code: 0 });
    expect(signInRow({ id: 's2', createdDateTime: '2025-06-01T10:00:00Z', userPrincipalName: null, appId: 'B', signInEventTypes: ['servicePrincipal'], servicePrincipalId: 'SP', status: { errorCode: '7000215' } })).toMatchObject({
      sign_in_event_type: 'servicePrincipal', user_principal_name: null, service_principal_id: 'sp', error_code: 7000215,
    });
  });
});
