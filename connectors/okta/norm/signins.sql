-- norm.signins from the Okta System Log: SSO into apps, sessions and OAuth token grants.
select published as ts, _instance as instance, 'okta' as provider, actor_alternate_id as "user",
       coalesce(target_app_id, client_id) as app_id, target_app_name as app_name, client_ip as ip, user_agent,
       outcome_result as result, uuid as event_id
  from raw.okta_system_log
 where event_type in ('user.authentication.sso', 'app.auth.sso', 'user.session.start')
    or event_type like 'app.oauth2.%token.grant%'
