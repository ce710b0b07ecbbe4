-- unregistered-egress: traffic (norm.egress) to a catalogued SaaS, AI, automation, file-sharing,
-- tunnel or app-hosting domain that no registry entry names, used by at least
-- getvariable('egress_min_users') distinct users. The key is norm.egress.domain: the registrable
-- domain, or the host's own app under a platform suffix (expense-helper.vercel.app), so a
-- catalog entry `vercel.app` matches every app under it while a registry entry must name the
-- app itself (a registry domain otherwise covers the hosts under it). Noise and company domains (by host or any parent of it) never count. A user is
-- the person the proxy user resolves to (norm.egress.person_id: `jdoe`, `ACME\jdoe` and
-- `jdoe@acme.example` are one person), else the proxy user, else the source IP. One row per
-- instance and domain.
with traffic as (
  select e.instance, lower(e.domain) as domain, lower(e.host) as host, coalesce(e.person_id, e."user") as "user", e.src_ip,
         e.requests, e.bytes_out, e.bytes_in, e.first_ts, e.last_ts
    from norm.egress e
   where e.domain is not null
     and not exists (select 1 from catalog.noise_domains n
                      where lower(n.domain) in (lower(e.host), lower(e.domain)) or ends_with(lower(e.host), '.' || lower(n.domain)))
     and not exists (select 1 from catalog.company_domains c
                      where lower(c.domain) in (lower(e.host), lower(e.domain)) or ends_with(lower(e.host), '.' || lower(c.domain)))
),
catalogued as (
  -- the most specific catalog entry for each domain
  select d.domain, c.vendor, c.category, lower(c.domain) as catalog_domain
    from (select distinct domain from traffic) d
    join catalog.domains c on d.domain = lower(c.domain) or ends_with(d.domain, '.' || lower(c.domain))
   where c.category in ('saas', 'ai', 'automation', 'file_sharing', 'tunnel', 'app_hosting')
 qualify row_number() over (partition by d.domain order by length(c.domain) desc, c.vendor) = 1
),
registered as (
  -- a registry domain covers itself and the hosts under it, except a hosting/tunnel platform
  -- suffix: registering vercel.app does not register every app anyone hosts there
  select d.domain, min(r.registry_id) as registry_id
    from (select distinct domain from traffic) d
    join (select lower(rd.domain) as domain, rd.registry_id
            from registry.domains rd
            left join registry.apps a on a.registry_id = rd.registry_id
           where coalesce(a.status, 'approved') <> 'retired') r
      on d.domain = r.domain
      or (ends_with(d.domain, '.' || r.domain)
          and r.domain not in (select lower(domain) from catalog.domains where category in ('app_hosting', 'tunnel')))
   group by d.domain
),
usage as (
  select t.instance, t.domain,
         count(distinct coalesce(t."user", 'ip:' || t.src_ip)) as users,
         list_slice(list(distinct t."user" order by t."user") filter (where t."user" is not null), 1, 20) as user_sample,
         sum(t.requests) as requests, sum(t.bytes_out) as bytes_out, sum(t.bytes_in) as bytes_in,
         list(distinct t.host order by t.host) as hosts,
         min(t.first_ts) as first_seen, max(t.last_ts) as last_seen
    from traffic t
   group by t.instance, t.domain
),
judged as (
  select u.*, c.vendor, c.category, c.catalog_domain, r.registry_id,
         getvariable('egress_min_users') as min_users
    from usage u
    join catalogued c on c.domain = u.domain
    left join registered r on r.domain = u.domain
)
select instance,
       domain as resource,
       'domain' as resource_type,
       case
         when registry_id is not null then 'ok'
         when users >= min_users then 'alarm' -- mutation: alarm condition
         else 'info'
       end as status,
       case
         when registry_id is not null then 'registered as ' || registry_id
         -- bytes_out is NULL where the source logs no sizes (DNS, TLS SNI): say so rather than lose the reason.
         else category || ' service ' || vendor || ' used by ' || users || ' user(s) (' || requests || ' requests, '
              || coalesce(bytes_out || ' bytes out', 'no byte counts in this source') || ') and not in the registry'
              || case when users < min_users then '; below egress_min_users = ' || min_users else '' end
       end as reason,
       vendor, category, catalog_domain, users, user_sample, requests, bytes_out, bytes_in, hosts,
       first_seen, last_seen, registry_id
  from judged
