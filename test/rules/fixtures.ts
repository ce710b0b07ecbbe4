// A small valid user rule (busy-domain: alarm when a domain has ≥ min_requests requests) and a
// writer for rule folders, shared by the loader and CLI tests.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const GOOD_YAML = `id: busy-domain
title: Busy domain
severity: low
description: A domain with many requests.
risk: Lots of traffic.
remediation: Look at it.
requires: [norm.egress]
thresholds:
  min_requests: 10
tests:
  - name: many requests alarm
    given:
      norm.egress:
        - { instance: proxy-hq, user: ann, src_ip: 10.0.0.3, host: api.openai.com, domain: openai.com, requests: 12 }
    expect:
      - { resource: openai.com, status: alarm }
  - name: few requests are ok
    given:
      norm.egress:
        - { instance: proxy-hq, user: ann, src_ip: 10.0.0.3, host: api.openai.com, domain: openai.com, requests: 2 }
    expect:
      - { resource: openai.com, status: ok }
`;
export const GOOD_SQL = `select instance, domain as resource, 'domain' as resource_type,
       case when sum(requests) >= getvariable('min_requests') then 'alarm' else 'ok' end as status,
       'requests: ' || sum(requests) as reason, sum(requests) as requests
  from norm.egress
 group by instance, domain
`;

/** Writes files under `root` ({ 'egress/busy-domain.yaml': text, … }). */
export function writeRules(root: string, files: Record<string, string>): void {
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(join(root, rel, '..'), { recursive: true });
    writeFileSync(join(root, rel), text);
  }
}
