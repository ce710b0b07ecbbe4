-- norm.signins from Entra sign-in logs: interactive user sign-ins (v1.0), plus non-interactive,
-- service-principal and managed-identity ones when the beta flag is on (user is NULL for an
-- app signing in as itself). result: SUCCESS when errorCode is 0; FAILURE on another code, or on a
-- failure reason without a code (Office 365 audit UserLoginFailed records carry no code).
select created_date_time as ts, _instance as instance, 'entra' as provider, user_principal_name as "user",
       app_id, app_display_name as app_name, ip_address as ip, user_agent,
       case when error_code = 0 then 'SUCCESS' when error_code is not null or failure_reason is not null then 'FAILURE' end as result,
       id as event_id
  from raw.entra_sign_ins
