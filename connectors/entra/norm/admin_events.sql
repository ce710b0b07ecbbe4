-- norm.admin_events from Entra directory audits: application management (consents, service
-- principals and applications added, credentials added, delegated grants under their current
-- and older names, app role assignments) and directory roles given to service principals.
select a.activity_date_time as ts, a._instance as instance, 'entra' as provider,
       coalesce(a.initiated_by_user, a.initiated_by_app_name, a.initiated_by_app_id) as actor,
       a.activity_display_name as action,
       coalesce(a.target_app_id, sp.app_id) as app_id,
       a.target_display_name as target,
       nullif(concat_ws('; ',
         case when a.is_admin_consent then 'admin consent' when a.is_admin_consent = false then 'user consent' end,
         case when a.on_behalf_of_all then 'for all users' end,
         case when a.permissions is not null then 'permissions: ' || a.permissions end,
         case when a.result is not null and a.result <> 'success' then 'result: ' || a.result end), '') as detail,
       a.id as event_id
  from raw.entra_directory_audits a
  left join raw.entra_service_principals sp on sp._instance = a._instance and sp.id = a.target_id
 where a.category = 'ApplicationManagement'
    or a.activity_display_name in ('Consent to application', 'Add service principal', 'Add delegated permission grant',
                                   'Add OAuth2PermissionGrant', 'Add app role assignment to service principal',
                                   'Add application', 'Add owner to service principal', 'Add owner to application',
                                   'Remove delegated permission grant', 'Remove OAuth2PermissionGrant', 'Revoke consent')
    or a.activity_display_name like 'Update application%Certificates and secrets management%'
    or (a.activity_display_name = 'Add member to role' and a.target_type = 'ServicePrincipal')
