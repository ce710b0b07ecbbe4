// The raw streams the Google connector lands (one table per API stream), with their columns.
import type { StreamDef } from '../../src/connectors/types.js';
import { GOOGLE_SCOPES } from './config.js';

const activityColumns = {
  event_id: 'VARCHAR', time: 'TIMESTAMP', unique_qualifier: 'VARCHAR', application: 'VARCHAR', customer_id: 'VARCHAR',
  actor_email: 'VARCHAR', actor_profile_id: 'VARCHAR', caller_type: 'VARCHAR', ip_address: 'VARCHAR',
  event_type: 'VARCHAR', event_name: 'VARCHAR', client_id: 'VARCHAR', app_name: 'VARCHAR', client_type: 'VARCHAR',
  scopes: 'VARCHAR[]', api_name: 'VARCHAR', method_name: 'VARCHAR', num_response_bytes: 'BIGINT', product_bucket: 'VARCHAR',
  login_type: 'VARCHAR', is_suspicious: 'BOOLEAN', parameters: 'VARCHAR',
} as const;

export const googleStreams = {
  users: {
    name: 'users',
    mode: 'snapshot',
    columns: {
      id: 'VARCHAR', primary_email: 'VARCHAR', given_name: 'VARCHAR', family_name: 'VARCHAR', full_name: 'VARCHAR',
      is_admin: 'BOOLEAN', suspended: 'BOOLEAN', archived: 'BOOLEAN', org_unit_path: 'VARCHAR', department: 'VARCHAR',
      title: 'VARCHAR', aliases: 'VARCHAR[]', creation_time: 'TIMESTAMP', last_login_time: 'TIMESTAMP', customer_id: 'VARCHAR',
    },
    eventId: 'id',
    permissions: [`${GOOGLE_SCOPES.users} (admin privilege: Users → Read)`],
  },
  tokens: {
    name: 'tokens',
    mode: 'snapshot',
    columns: {
      token_id: 'VARCHAR', user_id: 'VARCHAR', user_email: 'VARCHAR', client_id: 'VARCHAR', display_text: 'VARCHAR',
      scopes: 'VARCHAR[]', anonymous: 'BOOLEAN', native_app: 'BOOLEAN',
    },
    eventId: 'token_id',
    permissions: [`${GOOGLE_SCOPES.tokens} (admin privilege: Users → Security settings)`],
  },
  token_activity: {
    name: 'token_activity',
    mode: 'events',
    columns: activityColumns,
    eventId: 'event_id',
    timeColumn: 'time',
    permissions: [`${GOOGLE_SCOPES.reports} (admin privilege: Reports)`],
  },
  login_activity: {
    name: 'login_activity',
    mode: 'events',
    columns: activityColumns,
    eventId: 'event_id',
    timeColumn: 'time',
    permissions: [`${GOOGLE_SCOPES.reports} (admin privilege: Reports)`],
  },
} as const satisfies Record<string, StreamDef>;
