// `shadowscan import okta FILE` of a small System Log JSONL written here, shaped like the SIEM
// copies in ../shared/corpus/okta: one ordinary event, one with every key lowercased, one
// partial record without uuid (a content hash stands in, so re-imports still dedupe), plus a
// broken line and a non-Okta object (rejects with file:line).
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, runCli, tempDir } from '../helpers/cli.js';

const tmp = tempDir();
const file = join(tmp.dir, 'okta-export.jsonl');

const normal = {
  uuid: '6a1b3c4d-0000-4000-8000-000000000001',
  published: '2025-06-10T09:15:00.123Z',
  eventType: 'user.authentication.sso',
  displayMessage: 'User single sign on to app',
  severity: 'INFO',
  actor: { id: '00u1', type: 'User', alternateId: 'Ann.Lee@Acme-Corp.example', displayName: 'Ann Lee' },
  client: { ipAddress: '203.0.113.7', userAgent: { rawUserAgent: 'Mozilla/5.0' } },
  outcome: { result: 'SUCCESS' },
  target: [{ id: '0oaSlack', type: 'AppInstance', alternateId: 'Slack', displayName: 'Slack' }],
  debugContext: { debugData: { requestId: 'r1' } },
};
// Lowercased keys all the way down (Panther/SIEM copies), an OAuth consent to a client.
const lowercase = {
  uuid: '6a1b3c4d-0000-4000-8000-000000000002',
  published: '2025-06-10T10:00:00.000+02:00',
  eventtype: 'app.oauth2.as.consent.grant',
  displaymessage: 'User granted consent to app',
  severity: 'INFO',
  actor: { id: '00u2', type: 'User', alternateid: 'bo.chen@acme-corp.example', displayname: 'Bo Chen' },
  client: { ipaddress: '198.51.100.4', useragent: { rawuseragent: 'curl/8' } },
  outcome: { result: 'SUCCESS' },
  target: [{ id: '0oaNotes', type: 'PublicClientApp', alternateid: 'Notes', displayname: 'Acme Notes' }],
  debugcontext: { debugdata: { clientid: '0oaNotes', scopes: 'openid offline_access' } },
};
// Partial: no uuid, no published, only the collector's event time.
const partial = {
  eventtype: 'user.session.start',
  actor: { alternateid: 'cy.diaz@acme-corp.example' },
  outcome: { result: 'FAILURE', reason: 'INVALID_CREDENTIALS' },
  p_event_time: '2025-06-11T08:00:00Z',
};

beforeAll(() => {
  writeFileSync(file, [JSON.stringify(normal), JSON.stringify(lowercase), '{"uuid": "broken', JSON.stringify(partial), JSON.stringify({ hello: 'world' }), ''].join('\n'));
});
afterAll(tmp.cleanup);

interface Row {
  uuid: string;
  published: string;
  event_type: string;
  actor_alternate_id: string;
  client_ip: string | null;
  user_agent: string | null;
  outcome_result: string;
  outcome_reason: string | null;
  target_app_id: string | null;
  target_app_name: string | null;
  client_id: string | null;
  scopes: string | null;
}

async function importFile() {
  const r = await runCli(['import', 'okta', file, '--json'], { cwd: tmp.dir });
  expect(r.code, r.stderr).toBe(0);
  return json<{ results: { instance: string; stream: string; rowsWritten: number; rejects: number; rejectExamples: string[] }[] }>(r).results;
}

async function rows(): Promise<Row[]> {
  const r = await runCli(
    ['query', `select uuid, strftime(published, '%Y-%m-%dT%H:%M:%SZ') as published, event_type, actor_alternate_id, client_ip, user_agent, outcome_result,
                      outcome_reason, target_app_id, target_app_name, client_id, scopes from raw.okta_system_log order by published`, '--json'],
    { cwd: tmp.dir },
  );
  expect(r.code, r.stderr).toBe(0);
  return json<Row[]>(r);
}

describe('import okta (System Log JSONL)', () => {
  it('lands the three events (lowercase keys read, the uuid-less one keyed by a content hash) and rejects the rest with file:line', async () => {
    const [result] = await importFile();
    expect(result).toMatchObject({ instance: 'okta', stream: 'system_log', rowsWritten: 3, rejects: 2 });
    expect(result!.rejectExamples).toEqual([
      expect.stringMatching(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:3: not a JSON object`)),
      expect.stringMatching(/:5: not an Okta System Log event, app or user/),
    ]);
    const got = await rows();
    expect(got).toHaveLength(3);
    expect(got[0]).toEqual({
      uuid: lowercase.uuid, published: '2025-06-10T08:00:00Z', event_type: 'app.oauth2.as.consent.grant', actor_alternate_id: 'bo.chen@acme-corp.example',
      client_ip: '198.51.100.4', user_agent: 'curl/8', outcome_result: 'SUCCESS', outcome_reason: null, target_app_id: '0oaNotes',
      target_app_name: 'Acme Notes', client_id: '0oaNotes', scopes: 'openid offline_access',
    });
    expect(got[1]).toEqual({
      uuid: normal.uuid, published: '2025-06-10T09:15:00Z', event_type: 'user.authentication.sso', actor_alternate_id: 'ann.lee@acme-corp.example',
      client_ip: '203.0.113.7', user_agent: 'Mozilla/5.0', outcome_result: 'SUCCESS', outcome_reason: null, target_app_id: '0oaSlack',
      target_app_name: 'Slack', client_id: null, scopes: null,
    });
    expect(got[2]).toMatchObject({
      published: '2025-06-11T08:00:00Z', event_type: 'user.session.start', actor_alternate_id: 'cy.diaz@acme-corp.example',
      outcome_result: 'FAILURE', outcome_reason: 'INVALID_CREDENTIALS', target_app_id: null, client_id: null,
    });
    expect(got[2]!.uuid).toMatch(/^derived:[0-9a-f]{32}$/);
  });

  it('maps onto norm.signins and norm.admin_events, and importing the same file again shows each event once (dedupe on uuid, derived uuids included)', async () => {
    const [again] = await importFile();
    expect(again!.rowsWritten).toBe(3);
    expect((await rows()).map((r) => r.uuid)).toHaveLength(3);
    const r = await runCli(
      ['query', `select (select list(event_id order by ts) from norm.signins) as signins,
                        (select list({'actor': actor, 'app_id': app_id, 'detail': detail}) from norm.admin_events) as admin`, '--json'],
      { cwd: tmp.dir },
    );
    expect(r.code, r.stderr).toBe(0);
    const [v] = json<{ signins: string[]; admin: { actor: string; app_id: string; detail: string }[] }[]>(r);
    expect(v!.signins).toEqual([normal.uuid, expect.stringMatching(/^derived:/)]);
    expect(v!.admin).toEqual([{ actor: 'bo.chen@acme-corp.example', app_id: '0oaNotes', detail: 'User granted consent to app scopes: openid offline_access' }]);
  });
});
