-- norm.grants from Google tokens.list: one grant per (user, OAuth client), principal = the
-- user's primary email, scopes = the full scope strings Google returns. granted_at is the
-- user's first `authorize` of the client in the token audit log, last_used_at its last `activity`.
with audit as (
  select _instance, client_id, actor_email,
         min(time) filter (where event_name = 'authorize') as granted_at,
         max(time) filter (where event_name = 'activity') as last_used_at
    from raw.google_token_activity where client_id is not null group by _instance, client_id, actor_email
)
select t._instance as instance, 'google' as provider, t.client_id as app_id,
       lower(coalesce(t.user_email, u.primary_email, t.user_id)) as principal, cast(null as varchar) as resource,
       list_sort(list_distinct(coalesce(t.scopes, []))) as scopes, 'user' as consent_type, a.granted_at, a.last_used_at
  from raw.google_tokens t
  left join raw.google_users u on u._instance = t._instance and u.id = t.user_id
  left join audit a on a._instance = t._instance and a.client_id = t.client_id and a.actor_email = lower(coalesce(t.user_email, u.primary_email))
 where t.client_id is not null
