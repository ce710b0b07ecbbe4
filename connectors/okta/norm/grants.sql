-- norm.grants from Okta: end-user/admin consents per user (principal = the user's login) and
-- org-wide Okta API scope grants to an app (principal '*'). Revoked grants are not grants.
select g._instance as instance, 'okta' as provider, g.client_id as app_id, coalesce(u.login, g.user_id) as principal,
       cast(null as varchar) as resource,
       list(distinct g.scope_id order by g.scope_id) as scopes, 'user' as consent_type, min(g.created) as granted_at,
       cast(null as timestamp) as last_used_at
  from raw.okta_user_grants g
  left join raw.okta_users u on u._instance = g._instance and u.id = g.user_id
 where coalesce(g.status, 'ACTIVE') = 'ACTIVE'
 group by g._instance, g.client_id, coalesce(u.login, g.user_id)
union all by name
select _instance as instance, 'okta' as provider, app_id, '*' as principal, cast(null as varchar) as resource, list(distinct scope_id order by scope_id) as scopes,
       'admin' as consent_type, min(created) as granted_at, cast(null as timestamp) as last_used_at
  from raw.okta_app_grants
 where coalesce(status, 'ACTIVE') = 'ACTIVE'
 group by _instance, app_id
