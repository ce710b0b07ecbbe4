-- norm.apps from Entra service principals: every app the tenant has an identity for (its own
-- registrations, multi-tenant apps users or admins consented to, Microsoft's built-in apps).
-- publisher_id is appOwnerOrganizationId; first_party marks apps owned by Microsoft's own
-- tenants (the rules also consult catalog.first_party_publishers). Tenant-owned apps take
-- their creation time from the application registration.
select sp._instance as instance, 'entra' as provider, sp.app_id,
       coalesce(sp.display_name, sp.app_display_name) as name,
       coalesce(sp.verified_publisher_name, sp.publisher_name) as publisher,
       sp.app_owner_organization_id as publisher_id,
       sp.verified_publisher_id is not null as verified_publisher,
       coalesce(sp.app_owner_organization_id in ('f8cdef31-a31e-4b4a-93e4-5f571e91255a', '72f988bf-86f1-41af-91ab-2d7cd011db47'), false) as first_party,
       coalesce(a.created, sp.created) as created_at,
       cast(null as varchar) as owner,
       coalesce(a.created, sp.created) as first_seen,
       cast(null as timestamp) as last_seen
  from raw.entra_service_principals sp
  left join raw.entra_applications a on a._instance = sp._instance and a.app_id = sp.app_id
 where sp.app_id is not null
