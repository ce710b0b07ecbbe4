-- norm.app_credentials from Entra: client secrets and certificates of app registrations and
-- service principals (dates only; Graph never returns the secret, and the key is not read).
select _instance as instance, 'entra' as provider, app_id,
       case kind when 'password' then 'client_secret' else kind end as kind,
       start_date_time as created_at, end_date_time as expires_at
  from raw.entra_app_credentials
 where app_id is not null
