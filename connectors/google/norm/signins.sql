-- norm.signins from Google: Workspace logins (Reports `login`) and OAuth clients acting for a
-- user (Reports `token` activity events: the app used its token).
select time as ts, _instance as instance, 'google' as provider, actor_email as "user", cast(null as varchar) as app_id,
       'Google Workspace' as app_name, ip_address as ip, cast(null as varchar) as user_agent,
       case event_name when 'login_success' then 'SUCCESS' when 'login_failure' then 'FAILURE' else upper(event_name) end as result,
       event_id
  from raw.google_login_activity
 where event_name in ('login_success', 'login_failure', 'login_challenge', 'login_verification', 'suspicious_login')
union all by name
select time as ts, _instance as instance, 'google' as provider, actor_email as "user", client_id as app_id, app_name,
       ip_address as ip, cast(null as varchar) as user_agent, 'SUCCESS' as result, event_id
  from raw.google_token_activity
 where event_name = 'activity'
