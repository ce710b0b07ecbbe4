// The shared entities every connector maps onto (DESIGN.md "Normalized entities"). Rules read
// these views only. A view with no contributing connector still exists, empty and typed, so a
// rule can always be compiled; whether its sources ran is judged from the run records.

export interface NormViewDef {
  columns: Record<string, string>;
  /** Event views are limited to rules.window_days on this column; snapshot views are not. */
  timeColumn?: string;
}

export const normViews = {
  apps: {
    columns: {
      instance: 'VARCHAR', provider: 'VARCHAR', app_id: 'VARCHAR', name: 'VARCHAR', publisher: 'VARCHAR',
      // The publisher's stable id where the provider has one (Entra: appOwnerOrganizationId, the
      // tenant that owns the app; Microsoft's own tenants mark first-party apps). NULL elsewhere.
      publisher_id: 'VARCHAR',
      verified_publisher: 'BOOLEAN', first_party: 'BOOLEAN', created_at: 'TIMESTAMP', owner: 'VARCHAR',
      first_seen: 'TIMESTAMP', last_seen: 'TIMESTAMP',
    },
  },
  grants: {
    columns: {
      // principal: the user's login/email (lower case), or '*' for a tenant-wide or app-only grant.
      // resource: the API the scopes belong to where the provider has several (Entra: the resource
      // service principal's appId, e.g. Microsoft Graph 00000003-0000-0000-c000-000000000000); NULL
      // for Okta and Google, whose scope strings are global.
      // consent_type: 'user' (one user's delegated consent), 'admin' (tenant-wide delegated
      // consent) or 'application' (app-only permission, e.g. an Entra app role assignment).
      instance: 'VARCHAR', provider: 'VARCHAR', app_id: 'VARCHAR', principal: 'VARCHAR', resource: 'VARCHAR',
      scopes: 'VARCHAR[]', consent_type: 'VARCHAR', granted_at: 'TIMESTAMP', last_used_at: 'TIMESTAMP',
    },
  },
  app_credentials: {
    columns: { instance: 'VARCHAR', provider: 'VARCHAR', app_id: 'VARCHAR', kind: 'VARCHAR', created_at: 'TIMESTAMP', expires_at: 'TIMESTAMP' },
  },
  signins: {
    columns: {
      ts: 'TIMESTAMP', instance: 'VARCHAR', provider: 'VARCHAR', user: 'VARCHAR', app_id: 'VARCHAR', app_name: 'VARCHAR',
      ip: 'VARCHAR', user_agent: 'VARCHAR', result: 'VARCHAR', event_id: 'VARCHAR',
    },
    timeColumn: 'ts',
  },
  admin_events: {
    columns: {
      ts: 'TIMESTAMP', instance: 'VARCHAR', provider: 'VARCHAR', actor: 'VARCHAR', action: 'VARCHAR', app_id: 'VARCHAR',
      target: 'VARCHAR', detail: 'VARCHAR', event_id: 'VARCHAR',
    },
    timeColumn: 'ts',
  },
  egress: {
    columns: {
      hour: 'TIMESTAMP', first_ts: 'TIMESTAMP', last_ts: 'TIMESTAMP', instance: 'VARCHAR', user: 'VARCHAR',
      user_inferred: 'BOOLEAN', src_ip: 'VARCHAR', host: 'VARCHAR', domain: 'VARCHAR', requests: 'BIGINT',
      bytes_out: 'BIGINT', bytes_in: 'BIGINT', method: 'VARCHAR', status_class: 'VARCHAR', source: 'VARCHAR',
      // The norm.people person the user resolves to (NULL when none or ambiguous). Computed by
      // the lake (src/norm/attribution.ts), never by a connector; see docs/attribution.md.
      person_id: 'VARCHAR',
    },
    timeColumn: 'hour',
  },
  cloud_events: {
    columns: {
      ts: 'TIMESTAMP', instance: 'VARCHAR', account: 'VARCHAR', region: 'VARCHAR', principal: 'VARCHAR',
      access_key_id: 'VARCHAR', service: 'VARCHAR', action: 'VARCHAR', ip: 'VARCHAR', user_agent: 'VARCHAR',
      error: 'VARCHAR', event_id: 'VARCHAR',
    },
    timeColumn: 'ts',
  },
  people: {
    columns: {
      person_id: 'VARCHAR', email: 'VARCHAR', logins: 'VARCHAR[]', display_name: 'VARCHAR', department: 'VARCHAR',
      status: 'VARCHAR', providers: 'VARCHAR[]',
    },
  },
} as const satisfies Record<string, NormViewDef>;

export type NormView = keyof typeof normViews;
