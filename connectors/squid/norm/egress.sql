-- norm.egress from Squid: hourly rows may arrive in several chunks (appended logs, rotated
-- copies), so they are summed again per key here.
select hour, min(first_ts) as first_ts, max(last_ts) as last_ts, _instance as instance, "user",
       bool_or(user_inferred) as user_inferred, src_ip, host, domain, sum(requests) as requests,
       sum(bytes_out) as bytes_out, sum(bytes_in) as bytes_in, method, status_class, source
  from raw.squid_egress_hourly
 group by hour, _instance, "user", src_ip, host, domain, method, status_class, source
