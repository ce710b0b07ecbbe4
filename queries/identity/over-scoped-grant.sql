-- over-scoped-grant: a grant of a registered app (matched by identity: provider + app_id,
-- case-insensitive) holding scopes its registry entry does not approve. Scopes compare
-- case-insensitively; an entry without approved_scopes approves none. One row per grant
-- (app and principal; '*' is a tenant-wide/admin grant). Unregistered apps are left to
-- unregistered-app.
with approved as (
  select lower(i.provider) as provider, lower(i.app_id) as app_id,
         string_agg(distinct i.registry_id, ', ' order by i.registry_id) as registry_id,
         list_sort(list_distinct(flatten(list(coalesce(list_transform(a.approved_scopes, lambda s: lower(s)), []))))) as approved_scopes
    from registry.identities i
    join registry.apps a on a.registry_id = i.registry_id
   group by 1, 2
),
grants as (
  select instance, provider, app_id, principal,
         list_sort(list_distinct(flatten(list(coalesce(scopes, []))))) as scopes,
         string_agg(distinct consent_type, ', ' order by consent_type) as consent_type,
         min(granted_at) as granted_at,
         max(last_used_at) as last_used_at
    from norm.grants
   group by instance, provider, app_id, principal
),
judged as (
  select g.*, r.registry_id, r.approved_scopes,
         list_filter(g.scopes, lambda s: not list_contains(r.approved_scopes, lower(s))) as extra_scopes
    from grants g
    join approved r on r.provider = lower(g.provider) and r.app_id = lower(g.app_id)
)
select instance,
       app_id || ':' || principal as resource,
       'grant' as resource_type,
       case
         when len(extra_scopes) > 0 then 'alarm' -- mutation: alarm condition
         else 'ok'
       end as status,
       case
         when len(extra_scopes) > 0
           then case when principal = '*' then 'tenant-wide grant' else 'grant by ' || principal end
                || ' holds ' || array_to_string(extra_scopes, ', ') || ' beyond what ' || registry_id || ' approves'
         else 'within the scopes ' || registry_id || ' approves'
       end as reason,
       provider, app_id, principal, consent_type, registry_id, extra_scopes, scopes, approved_scopes,
       granted_at, last_used_at
  from judged
