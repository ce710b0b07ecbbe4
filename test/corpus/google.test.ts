// Corpus suite: the real public Google Workspace Reports sample (Panther's flattened
// one-event-per-record fixtures, 129 records across many applications) imports: its 3 token
// `authorize` events and 17 login events land with their values; every other application is a
// reject that names its line and application; norm views show the Google rows.
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { json, REPO, runCli, tempDir } from '../helpers/cli.js';

const CORPUS = resolve(process.env.SHADOWSCAN_CORPUS ?? join(REPO, '../shared/corpus'));
const FILE = join(CORPUS, 'google/panther_gsuite_activityevent.jsonl');
const CLIENT = '123456789012-abcdefghijklmnopqrstuvwxyz123456.apps.googleusercontent.com';

describe('google corpus', () => {
  const tmp = tempDir();
  afterAll(tmp.cleanup);
  const dataDir = join(tmp.dir, 'data');
  const q = async <T>(sql: string) => {
    const r = await runCli(['query', sql, '--json', '--data-dir', dataDir], { cwd: tmp.dir });
    expect(r.code, r.stderr).toBe(0);
    return json<T[]>(r);
  };

  it('imports the token and login events; other applications are rejects naming line and application', async () => {
    const r = await runCli(['import', 'google', FILE, '--json', '--data-dir', dataDir], { cwd: tmp.dir });
    expect(r.code, r.stderr).toBe(0);
    const results = json<{ results: { stream: string; rowsWritten: number; rejects: number; rejectExamples: string[] }[] }>(r).results;
    expect(results.map((x) => [x.stream, x.rowsWritten, x.rejects]).sort()).toEqual([['login_activity', 17, 109], ['token_activity', 3, 109]]);
    expect(results[0]!.rejectExamples[0]).toBe(`${FILE}:1: applicationName admin: not collected (shadowscan reads the token and login audit)`);
  });

  it('the three token authorize events share id.time + uniqueQualifier but are three events, each with its app and scopes', async () => {
    const rows = await q<Record<string, unknown>>(
      `select strftime(time, '%Y-%m-%dT%H:%M:%S') as time, unique_qualifier, actor_email, event_name, client_id, app_name, client_type, scopes, ip_address
         from raw.google_token_activity order by app_name`,
    );
    const common = { time: '2024-01-15T10:30:00', unique_qualifier: '987654321098765432', event_name: 'authorize', client_id: CLIENT, client_type: 'WEB', ip_address: '192.0.2.1' };
    expect(rows).toEqual([
      { ...common, actor_email: 'admin@example.com', app_name: 'AdminToolApp', scopes: ['https://www.googleapis.com/auth/admin.directory.user', 'https://www.googleapis.com/auth/calendar'] },
      { ...common, actor_email: 'user@example.com', app_name: 'LegitimateCalendarApp', scopes: ['https://www.googleapis.com/auth/calendar', 'https://www.googleapis.com/auth/gmail.send'] },
      {
        ...common, actor_email: 'user@example.com', app_name: 'SuspiciousThirdPartyApp',
        scopes: ['https://www.googleapis.com/auth/admin.directory.user', 'https://www.googleapis.com/auth/ediscovery', 'https://www.googleapis.com/auth/drive', 'https://www.googleapis.com/auth/cloud_search.query'],
      },
    ]);
  });

  it('login events: the SIEM event time stands in for a missing id.time; norm views carry Google rows', async () => {
    const [failure] = await q<Record<string, unknown>>(`select actor_email, ip_address, strftime(time, '%Y-%m-%dT%H:%M:%S.%g') as time from raw.google_login_activity where event_name = 'login_failure'`);
    expect(failure).toEqual({ actor_email: 'bob@example.com', ip_address: '111.111.111.111', time: '2021-06-04T09:59:53.650' });
    const [suspicious] = await q<Record<string, unknown>>(`select count(*)::int as n from raw.google_login_activity where event_name = 'login_success' and is_suspicious`);
    expect(suspicious).toEqual({ n: 1 });
    const [views] = await q<Record<string, unknown>>(
      `select (select list(target order by target) from norm.admin_events where provider = 'google' and action = 'token.authorize') as consents,
              (select count(*)::int from norm.apps where provider = 'google' and app_id = '${CLIENT}') as apps`,
    );
    expect(views).toEqual({ consents: ['AdminToolApp', 'LegitimateCalendarApp', 'SuspiciousThirdPartyApp'], apps: 1 });
  });
});
