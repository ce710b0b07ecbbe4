-- norm.people from Google Directory users: one person per primary email; logins are the
-- primary email first, then the aliases.
-- Google has no "departed" state (a leaver's account is deleted or kept suspended): suspended
-- and archived accounts are 'disabled'.
select lower(primary_email) as person_id, lower(primary_email) as email,
       list_concat([lower(primary_email)], list_filter(list_distinct(coalesce(aliases, [])), a -> a <> lower(primary_email))) as logins,
       full_name as display_name, department,
       case when coalesce(suspended, false) or coalesce(archived, false) then 'disabled' else 'active' end as status,
       ['google'] as providers
  from raw.google_users
 where primary_email is not null
