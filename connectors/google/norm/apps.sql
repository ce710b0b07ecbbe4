-- norm.apps from Google: every OAuth client that holds a token (tokens.list) or appears in the
-- token audit log, named by its displayText / app_name. Google says nothing about publishers or
-- verification here; first-party clients are judged from catalog.first_party_apps (clientId).
with seen as (
  select _instance, client_id, min(time) as first_seen, max(time) as last_seen, any_value(app_name) as app_name
    from raw.google_token_activity where client_id is not null group by _instance, client_id
), held as (
  select _instance, client_id, any_value(display_text) as display_text from raw.google_tokens where client_id is not null group by _instance, client_id
)
select coalesce(h._instance, s._instance) as instance, 'google' as provider, coalesce(h.client_id, s.client_id) as app_id,
       coalesce(h.display_text, s.app_name) as name, cast(null as varchar) as publisher, cast(null as varchar) as publisher_id,
       cast(null as boolean) as verified_publisher, cast(null as boolean) as first_party, cast(null as timestamp) as created_at,
       cast(null as varchar) as owner, s.first_seen, s.last_seen
  from held h full outer join seen s on s._instance = h._instance and s.client_id = h.client_id
