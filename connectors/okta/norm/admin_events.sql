-- norm.admin_events from the Okta System Log: consents, app and OAuth client lifecycle,
-- secret changes, privilege grants.
select published as ts, _instance as instance, 'okta' as provider, actor_alternate_id as actor, event_type as action,
       coalesce(client_id, target_app_id) as app_id, coalesce(target_app_name, target_user) as target,
       concat_ws(' ', display_message, case when scopes is not null then 'scopes: ' || scopes end) as detail, uuid as event_id
  from raw.okta_system_log
 where event_type like 'app.oauth2.%consent%' or event_type like 'application.lifecycle.%'
    or event_type like 'app.oauth2.client.%' or event_type like 'user.account.privilege.%'
    or event_type like 'application.user_membership.%'
