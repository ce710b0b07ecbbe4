-- norm.people from Okta users: one person per email; Okta's lifecycle status mapped to
-- active / disabled / departed.
select lower(coalesce(email, login)) as person_id, lower(coalesce(email, login)) as email, [login] as logins,
       nullif(concat_ws(' ', first_name, last_name), '') as display_name, department,
       case status when 'DEPROVISIONED' then 'departed' when 'SUSPENDED' then 'disabled' when 'LOCKED_OUT' then 'active'
                   when 'ACTIVE' then 'active' when 'PROVISIONED' then 'active' when 'RECOVERY' then 'active'
                   when 'PASSWORD_EXPIRED' then 'active' else lower(status) end as status,
       ['okta'] as providers
  from raw.okta_users
