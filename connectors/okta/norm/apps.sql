-- norm.apps from Okta apps. Okta's built-in apps (dashboard, admin console, browser plugin,
-- Workflows) are first-party; the catalog of the rules issue replaces this inline list.
select _instance as instance, 'okta' as provider, id as app_id, coalesce(label, name) as name,
       case when name in ('okta_enduser', 'saasure', 'okta_browser_plugin', 'okta_flow_sso', 'flow', 'okta_iwa', 'okta_org2org')
            then 'Okta' end as publisher,
       cast(null as varchar) as publisher_id,
       cast(null as boolean) as verified_publisher,
       name in ('okta_enduser', 'saasure', 'okta_browser_plugin', 'okta_flow_sso', 'flow', 'okta_iwa', 'okta_org2org') as first_party,
       created as created_at, cast(null as varchar) as owner, created as first_seen, last_updated as last_seen
  from raw.okta_apps
