-- norm.people from Entra users: one person per primary email (mail, else UPN); logins are the
-- UPN, mail, SMTP aliases and on-premises account name. accountEnabled false = disabled; a user
-- with deletedDateTime (soft-deleted) = departed.
select lower(coalesce(mail, user_principal_name)) as person_id,
       lower(coalesce(mail, user_principal_name)) as email,
       list_distinct(list_filter(
         [lower(user_principal_name), lower(mail), on_premises_sam_account_name]
           || coalesce(other_mails, [])
           || list_transform(list_filter(coalesce(proxy_addresses, []), lambda a: lower(a) like 'smtp:%'), lambda a: lower(substr(a, 6))),
         lambda x: x is not null)) as logins,
       display_name, department,
       case when deleted is not null then 'departed' when account_enabled = false then 'disabled' else 'active' end as status,
       ['entra'] as providers
  from raw.entra_users
 where coalesce(mail, user_principal_name) is not null
