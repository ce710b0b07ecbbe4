-- norm.admin_events from the Google token audit log: a user authorizing an OAuth client (consent)
-- or revoking it, with the scopes.
select time as ts, _instance as instance, 'google' as provider, actor_email as actor, 'token.' || event_name as action,
       client_id as app_id, app_name as target,
       case when scopes is not null then 'scopes: ' || array_to_string(scopes, ' ') end as detail, event_id
  from raw.google_token_activity
 where event_name in ('authorize', 'revoke')
