-- unregistered-app: an app that holds active grants (norm.grants lists only active ones) but is
-- neither named by a registry entry's identity (provider + app_id, case-insensitive; a name-only
-- match never counts) nor first-party. First-party is any of: catalog.first_party_apps by
-- provider + app_id; catalog.first_party_publishers by provider + norm.apps.publisher_id (Entra:
-- appOwnerOrganizationId, Microsoft's own tenants); or the connector's own first-party mark in
-- norm.apps (for Okta it is set from the app's built-in name key, e.g. okta_enduser, which custom
-- apps cannot take). One row per app and instance.
with granted as (
  select instance, provider, app_id,
         count(distinct principal) as principals,
         bool_or(principal = '*') as tenant_wide,
         list_sort(list_distinct(flatten(list(coalesce(scopes, []))))) as scopes,
         min(granted_at) as first_granted_at,
         max(last_used_at) as last_used_at
    from norm.grants
   group by instance, provider, app_id
),
apps as (
  select a.instance, a.provider, a.app_id, any_value(a.name) as app_name, any_value(a.publisher) as publisher,
         any_value(a.publisher_id) as publisher_id,
         bool_or(coalesce(a.first_party, false)) as connector_first_party,
         min(p.name) as first_party_publisher
    from norm.apps a
    left join catalog.first_party_publishers p
      on lower(p.provider) = lower(a.provider) and lower(p.publisher_id) = lower(a.publisher_id)
   group by a.instance, a.provider, a.app_id
),
registered as (
  select lower(i.provider) as provider, lower(i.app_id) as app_id,
         min(i.registry_id) filter (where coalesce(a.status, 'approved') <> 'retired') as registry_id,
         min(i.registry_id) filter (where a.status = 'retired') as retired_id
    from registry.identities i
    left join registry.apps a on a.registry_id = i.registry_id
   group by 1, 2
),
judged as (
  select g.*, a.app_name, a.publisher, a.publisher_id, r.registry_id, r.retired_id,
         case
           when coalesce(a.connector_first_party, false) then 'connector'
           when exists (select 1 from catalog.first_party_apps c
                         where lower(c.provider) = lower(g.provider) and lower(c.app_id) = lower(g.app_id)) then 'catalog app id'
           when a.first_party_publisher is not null then 'publisher ' || a.first_party_publisher
         end as first_party_by
    from granted g
    left join apps a on a.instance = g.instance and a.provider = g.provider and a.app_id = g.app_id
    left join registered r on r.provider = lower(g.provider) and r.app_id = lower(g.app_id)
)
select instance,
       app_id as resource,
       'app' as resource_type,
       case
         when registry_id is null and first_party_by is null then 'alarm' -- mutation: alarm condition
         else 'ok'
       end as status,
       case
         when registry_id is not null then 'registered as ' || registry_id
         when first_party_by is not null then 'first-party app of ' || provider
         else coalesce(app_name, app_id) || ' holds grants from ' || principals || ' principal(s)'
              || case when tenant_wide then ' including a tenant-wide (admin) grant' else '' end
              || ' and is not in the registry'
              || case when retired_id is not null then ' (its entry ' || retired_id || ' is retired)' else '' end
       end as reason,
       provider, app_name, publisher, publisher_id, principals, tenant_wide, scopes, first_granted_at, last_used_at,
       registry_id, retired_id, first_party_by is not null as first_party, first_party_by
  from judged
