// The raw streams the Okta connector lands (one table per API stream), with their columns.
import type { StreamDef } from '../../src/connectors/types.js';

export const oktaStreams = {
  users: {
    name: 'users',
    mode: 'snapshot',
    columns: {
      id: 'VARCHAR', status: 'VARCHAR', login: 'VARCHAR', email: 'VARCHAR', first_name: 'VARCHAR', last_name: 'VARCHAR',
      department: 'VARCHAR', created: 'TIMESTAMP', last_login: 'TIMESTAMP', status_changed: 'TIMESTAMP',
    },
    eventId: 'id',
    permissions: ['okta.users.read'],
  },
  apps: {
    name: 'apps',
    mode: 'snapshot',
    columns: {
      id: 'VARCHAR', name: 'VARCHAR', label: 'VARCHAR', status: 'VARCHAR', sign_on_mode: 'VARCHAR', created: 'TIMESTAMP',
      last_updated: 'TIMESTAMP', client_id: 'VARCHAR', application_type: 'VARCHAR', grant_types: 'VARCHAR[]',
      redirect_uris: 'VARCHAR[]', token_endpoint_auth_method: 'VARCHAR', consent_method: 'VARCHAR',
    },
    eventId: 'id',
    permissions: ['okta.apps.read'],
  },
  app_grants: {
    name: 'app_grants',
    mode: 'snapshot',
    columns: {
      id: 'VARCHAR', app_id: 'VARCHAR', client_id: 'VARCHAR', scope_id: 'VARCHAR', status: 'VARCHAR', source: 'VARCHAR',
      issuer: 'VARCHAR', user_id: 'VARCHAR', created: 'TIMESTAMP', created_by: 'VARCHAR',
    },
    eventId: 'id',
    permissions: ['okta.apps.read'],
  },
  user_grants: {
    name: 'user_grants',
    mode: 'snapshot',
    columns: {
      id: 'VARCHAR', user_id: 'VARCHAR', client_id: 'VARCHAR', scope_id: 'VARCHAR', status: 'VARCHAR', source: 'VARCHAR',
      issuer: 'VARCHAR', created: 'TIMESTAMP',
    },
    eventId: 'id',
    permissions: ['okta.users.read'],
  },
  system_log: {
    name: 'system_log',
    mode: 'events',
    columns: {
      uuid: 'VARCHAR', published: 'TIMESTAMP', event_type: 'VARCHAR', display_message: 'VARCHAR', severity: 'VARCHAR',
      actor_id: 'VARCHAR', actor_type: 'VARCHAR', actor_alternate_id: 'VARCHAR', actor_display_name: 'VARCHAR',
      client_ip: 'VARCHAR', user_agent: 'VARCHAR', outcome_result: 'VARCHAR', outcome_reason: 'VARCHAR',
      target_app_id: 'VARCHAR', target_app_name: 'VARCHAR', target_user: 'VARCHAR', client_id: 'VARCHAR', scopes: 'VARCHAR',
      session_id: 'VARCHAR', targets: 'VARCHAR', debug_data: 'VARCHAR',
    },
    eventId: 'uuid',
    timeColumn: 'published',
    permissions: ['okta.logs.read'],
  },
} as const satisfies Record<string, StreamDef>;

export type OktaStreamName = keyof typeof oktaStreams;
