// The raw streams the Entra ID connector lands (one table per Graph v1.0 collection), with their
// columns. Live scans and file imports (Graph JSON, PowerShell dumps, Azure Monitor exports)
// land the same rows through connectors/entra/transform.ts.
import type { StreamDef } from '../../src/connectors/types.js';

/** An app role of a resource service principal: resolves app role assignments to permission names. */
export const APP_ROLE_TYPE = 'STRUCT(id VARCHAR, "value" VARCHAR, display_name VARCHAR, allowed_member_types VARCHAR[], is_enabled BOOLEAN)[]';
/** One permission an application registration asks for (requiredResourceAccess, flattened). */
export const REQUIRED_ACCESS_TYPE = 'STRUCT(resource_app_id VARCHAR, id VARCHAR, "type" VARCHAR)[]';

const readDirectory = ['Application.Read.All', 'Directory.Read.All'];

export const entraStreams = {
  users: {
    name: 'users',
    mode: 'snapshot',
    columns: {
      id: 'VARCHAR', user_principal_name: 'VARCHAR', mail: 'VARCHAR', display_name: 'VARCHAR', given_name: 'VARCHAR',
      surname: 'VARCHAR', department: 'VARCHAR', job_title: 'VARCHAR', account_enabled: 'BOOLEAN', user_type: 'VARCHAR',
      created: 'TIMESTAMP', deleted: 'TIMESTAMP', other_mails: 'VARCHAR[]', proxy_addresses: 'VARCHAR[]',
      on_premises_sam_account_name: 'VARCHAR',
    },
    eventId: 'id',
    permissions: ['User.Read.All'],
  },
  service_principals: {
    name: 'service_principals',
    mode: 'snapshot',
    columns: {
      id: 'VARCHAR', app_id: 'VARCHAR', display_name: 'VARCHAR', app_display_name: 'VARCHAR',
      app_owner_organization_id: 'VARCHAR', publisher_name: 'VARCHAR', verified_publisher_id: 'VARCHAR',
      verified_publisher_name: 'VARCHAR', service_principal_type: 'VARCHAR', account_enabled: 'BOOLEAN',
      sign_in_audience: 'VARCHAR', tags: 'VARCHAR[]', homepage: 'VARCHAR', reply_urls: 'VARCHAR[]',
      app_roles: APP_ROLE_TYPE, created: 'TIMESTAMP', disabled_by_microsoft_status: 'VARCHAR',
    },
    eventId: 'id',
    permissions: readDirectory,
  },
  applications: {
    name: 'applications',
    mode: 'snapshot',
    columns: {
      id: 'VARCHAR', app_id: 'VARCHAR', display_name: 'VARCHAR', created: 'TIMESTAMP', sign_in_audience: 'VARCHAR',
      publisher_domain: 'VARCHAR', verified_publisher_id: 'VARCHAR', verified_publisher_name: 'VARCHAR',
      required_resource_access: REQUIRED_ACCESS_TYPE, tags: 'VARCHAR[]', notes: 'VARCHAR',
    },
    eventId: 'id',
    permissions: readDirectory,
  },
  /** Password and key credentials of applications and service principals (never the secret or key). */
  app_credentials: {
    name: 'app_credentials',
    mode: 'snapshot',
    columns: {
      owner_type: 'VARCHAR', owner_id: 'VARCHAR', app_id: 'VARCHAR', key_id: 'VARCHAR', kind: 'VARCHAR',
      display_name: 'VARCHAR', usage: 'VARCHAR', start_date_time: 'TIMESTAMP', end_date_time: 'TIMESTAMP',
    },
    permissions: readDirectory,
  },
  /** Delegated grants. client_id / resource_id are service principal object ids, not appIds. */
  oauth2_permission_grants: {
    name: 'oauth2_permission_grants',
    mode: 'snapshot',
    columns: {
      id: 'VARCHAR', client_id: 'VARCHAR', consent_type: 'VARCHAR', principal_id: 'VARCHAR', resource_id: 'VARCHAR',
      scope: 'VARCHAR', scopes: 'VARCHAR[]', start_time: 'TIMESTAMP', expiry_time: 'TIMESTAMP',
    },
    eventId: 'id',
    permissions: ['Directory.Read.All'],
  },
  /** Application permissions: assignments of a resource SP's app roles (principal_id/resource_id are object ids). */
  app_role_assignments: {
    name: 'app_role_assignments',
    mode: 'snapshot',
    columns: {
      id: 'VARCHAR', app_role_id: 'VARCHAR', principal_id: 'VARCHAR', principal_type: 'VARCHAR',
      principal_display_name: 'VARCHAR', resource_id: 'VARCHAR', resource_display_name: 'VARCHAR', created: 'TIMESTAMP',
    },
    eventId: 'id',
    permissions: readDirectory,
  },
  directory_audits: {
    name: 'directory_audits',
    mode: 'events',
    columns: {
      id: 'VARCHAR', activity_date_time: 'TIMESTAMP', activity_display_name: 'VARCHAR', category: 'VARCHAR',
      logged_by_service: 'VARCHAR', operation_type: 'VARCHAR', result: 'VARCHAR', result_reason: 'VARCHAR',
      correlation_id: 'VARCHAR', initiated_by_user: 'VARCHAR', initiated_by_user_id: 'VARCHAR',
      initiated_by_app_id: 'VARCHAR', initiated_by_app_name: 'VARCHAR', initiated_by_ip: 'VARCHAR',
      target_id: 'VARCHAR', target_type: 'VARCHAR', target_display_name: 'VARCHAR', target_app_id: 'VARCHAR',
      is_admin_consent: 'BOOLEAN', on_behalf_of_all: 'BOOLEAN', permissions: 'VARCHAR',
      target_resources: 'VARCHAR', additional_details: 'VARCHAR',
    },
    eventId: 'id',
    timeColumn: 'activity_date_time',
    permissions: ['AuditLog.Read.All'],
  },
  sign_ins: {
    name: 'sign_ins',
    mode: 'events',
    columns: {
      id: 'VARCHAR', created_date_time: 'TIMESTAMP', user_id: 'VARCHAR', user_principal_name: 'VARCHAR',
      user_display_name: 'VARCHAR', app_id: 'VARCHAR', app_display_name: 'VARCHAR', resource_id: 'VARCHAR',
      resource_display_name: 'VARCHAR', ip_address: 'VARCHAR', client_app_used: 'VARCHAR', user_agent: 'VARCHAR',
      is_interactive: 'BOOLEAN', sign_in_event_type: 'VARCHAR', error_code: 'INTEGER', failure_reason: 'VARCHAR',
      conditional_access_status: 'VARCHAR', risk_level: 'VARCHAR', correlation_id: 'VARCHAR',
      service_principal_id: 'VARCHAR', service_principal_name: 'VARCHAR', country: 'VARCHAR', city: 'VARCHAR',
    },
    eventId: 'id',
    timeColumn: 'created_date_time',
    permissions: ['AuditLog.Read.All', 'Directory.Read.All'],
  },
} as const satisfies Record<string, StreamDef>;

export type EntraStreamName = keyof typeof entraStreams;
export const entraStreamNames = Object.keys(entraStreams) as EntraStreamName[];
