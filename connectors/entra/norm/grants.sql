-- norm.grants from Entra: delegated grants (oauth2PermissionGrants: one user's consent, or
-- AllPrincipals = tenant-wide admin consent, principal '*') and application permissions (app
-- role assignments to a service principal: app-only, principal '*'). Graph names the client
-- and the resource by service principal object id: both are mapped to appIds here, and app
-- roles are resolved to their permission names through the resource's appRoles.
select g._instance as instance, 'entra' as provider, coalesce(c.app_id, g.client_id) as app_id,
       case when g.consent_type = 'AllPrincipals' then '*' else lower(coalesce(u.user_principal_name, u.mail, g.principal_id)) end as principal,
       coalesce(r.app_id, g.resource_id) as resource,
       list_sort(g.scopes) as scopes,
       case when g.consent_type = 'AllPrincipals' then 'admin' else 'user' end as consent_type,
       g.start_time as granted_at, cast(null as timestamp) as last_used_at
  from raw.entra_oauth2_permission_grants g
  left join raw.entra_service_principals c on c._instance = g._instance and c.id = g.client_id
  left join raw.entra_service_principals r on r._instance = g._instance and r.id = g.resource_id
  left join raw.entra_users u on u._instance = g._instance and u.id = g.principal_id
union all by name
select a._instance as instance, 'entra' as provider, coalesce(p.app_id, a.principal_id) as app_id, '*' as principal,
       coalesce(r.app_id, a.resource_id) as resource,
       list_sort(list_distinct(list(coalesce(
         list_filter(coalesce(r.app_roles, []), lambda x: x.id = a.app_role_id)[1]."value",
         case when a.app_role_id = '00000000-0000-0000-0000-000000000000' then 'default' else a.app_role_id end)))) as scopes,
       'application' as consent_type, min(a.created) as granted_at, cast(null as timestamp) as last_used_at
  from raw.entra_app_role_assignments a
  left join raw.entra_service_principals p on p._instance = a._instance and p.id = a.principal_id
  left join raw.entra_service_principals r on r._instance = a._instance and r.id = a.resource_id
 where a.principal_type = 'ServicePrincipal'
 group by a._instance, coalesce(p.app_id, a.principal_id), coalesce(r.app_id, a.resource_id)
