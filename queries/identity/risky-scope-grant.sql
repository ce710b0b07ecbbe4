-- risky-scope-grant: a grant (app + principal; '*' = tenant-wide or app-only) holding catalogued
-- risky scopes (catalog.risky_scopes) that its registry entry does not approve. Reports the
-- capability classes, the scopes and the worst severity, as the row's own severity; alarms when
-- that severity reaches getvariable('risky_scope_min_severity') (0 info .. 4 critical), else info.
--
-- A scope matches a catalog row on provider + scope (case-insensitive) and, for Entra, the API
-- (norm.grants.resource; a grant without one matches any API) and the permission type:
-- consent_type 'application' matches 'application' rows, anything else 'delegated' rows; 'any'
-- rows match both. Approval: the app's non-retired registry entries' approved_scopes
-- (case-insensitive); an unregistered app approves nothing. First-party apps (the connector's
-- mark, catalog.first_party_apps by app id, catalog.first_party_publishers by publisher id) never
-- alarm: their grants are ok. Grants without any catalogued scope are not judged.
with held as (
  -- unnest in the select list, not a lateral join: the latter costs a delim join per grant
  select instance, provider, app_id, principal, resource, consent_type, unnest(coalesce(scopes, [])) as scope
    from norm.grants
),
hits as (
  select h.instance, h.provider, h.app_id, h.principal, h.consent_type, h.scope,
         r.capability, r.severity, r.permission_type
    from held h
    join catalog.risky_scopes r
      on lower(r.provider) = lower(h.provider)
     and lower(r.scope) = lower(h.scope)
     and (r.resource is null or h.resource is null or lower(r.resource) = lower(h.resource))
     and (r.permission_type = 'any'
          or r.permission_type = case when h.consent_type = 'application' then 'application' else 'delegated' end)
),
approved as (
  select lower(i.provider) as provider, lower(i.app_id) as app_id,
         string_agg(distinct i.registry_id, ', ' order by i.registry_id) as registry_id,
         list_distinct(flatten(list(coalesce(list_transform(a.approved_scopes, lambda s: lower(s)), [])))) as approved_scopes
    from registry.identities i
    join registry.apps a on a.registry_id = i.registry_id
   where coalesce(a.status, 'approved') <> 'retired'
   group by 1, 2
),
first_party as (
  select a.instance, a.provider, a.app_id,
         case
           when bool_or(coalesce(a.first_party, false)) then 'connector'
           when bool_or(p.publisher_id is not null) then 'publisher ' || min(p.name)
         end as first_party_by
    from norm.apps a
    left join catalog.first_party_publishers p
      on lower(p.provider) = lower(a.provider) and lower(p.publisher_id) = lower(a.publisher_id)
   group by a.instance, a.provider, a.app_id
),
ranked as (
  select h.*,
         list_position(['info', 'low', 'medium', 'high', 'critical'], h.severity) - 1 as rank,
         r.registry_id,
         coalesce(list_contains(r.approved_scopes, lower(h.scope)), false) as approved
    from hits h
    left join approved r on r.provider = lower(h.provider) and r.app_id = lower(h.app_id)
),
grants as (
  select instance, provider, app_id, principal,
         string_agg(distinct consent_type, ', ' order by consent_type) as consent_type,
         any_value(registry_id) as registry_id,
         list_sort(list_distinct(list(scope) filter (where not approved))) as risky_scopes,
         list_sort(list_distinct(list(capability) filter (where not approved))) as capabilities,
         max(rank) filter (where not approved) as max_rank,
         list_sort(list_distinct(list(scope) filter (where approved))) as approved_risky_scopes
    from ranked
   group by instance, provider, app_id, principal
),
judged as (
  select g.*,
         (['info', 'low', 'medium', 'high', 'critical'])[g.max_rank + 1] as worst,
         coalesce(f.first_party_by,
                  case when exists (select 1 from catalog.first_party_apps c
                                     where lower(c.provider) = lower(g.provider) and lower(c.app_id) = lower(g.app_id))
                       then 'catalog app id' end) as first_party_by,
         getvariable('risky_scope_min_severity') as min_rank
    from grants g
    left join first_party f on f.instance = g.instance and f.provider = g.provider and f.app_id = g.app_id
)
select instance,
       app_id || ':' || principal as resource,
       'grant' as resource_type,
       case
         when first_party_by is not null or max_rank is null then 'ok'
         when max_rank >= min_rank then 'alarm' -- mutation: alarm condition
         else 'info'
       end as status,
       case
         when first_party_by is not null or max_rank is null then null
         else worst
       end as severity,
       case
         when first_party_by is not null then 'first-party app of ' || provider
         when max_rank is null then 'every risky scope it holds is approved by ' || registry_id
         else case when principal = '*' then 'tenant-wide grant' else 'grant by ' || principal end
              || ' gives ' || array_to_string(capabilities, ', ') || ' (' || worst || ') through '
              || array_to_string(risky_scopes, ', ')
              || case when registry_id is null then '; the app is not in the registry'
                      else ', beyond what ' || registry_id || ' approves' end
       end as reason,
       provider, app_id, principal, consent_type, capabilities, risky_scopes,
       approved_risky_scopes, registry_id, first_party_by
  from judged
