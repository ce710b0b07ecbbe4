// `shadowscan import google` of each export format (issue 7, acceptance 7), from the synthetic
// fixtures in ./fixtures (labelled synthetic; written from the documented shapes): a Reports API
// page (items[].events[].parameters[]), API-shaped login activities as JSON lines (with a
// duplicate, another application and a truncated line), a tokens.list dump and a users.list
// dump. Each lands in its stream with specific values, and together they give norm.grants a
// principal by email.
import { join } from 'node:path';
import { writeFileSync } from 'node:fs';
import { afterAll, describe, expect, it } from 'vitest';
import { json, runCli, tempDir } from '../helpers/cli.js';

const FIX = join(import.meta.dirname, 'fixtures');
const CLIENT = '555000111222-synthabcdefghijklmnopqrstuvwxyz01.apps.googleusercontent.com';

describe('google import', () => {
  const tmp = tempDir();
  afterAll(tmp.cleanup);
  const dataDir = join(tmp.dir, 'data');
  const cli = (args: string[]) => runCli([...args, '--data-dir', dataDir], { cwd: tmp.dir });
  const q = async <T>(sql: string) => {
    const r = await cli(['query', sql, '--json']);
    expect(r.code, r.stderr).toBe(0);
    return json<T[]>(r);
  };
  type Result = { stream: string; rowsWritten: number; rejects: number; rejectExamples: string[] };

  it('a Reports API page of token activities: authorize with its scopes, activity with its bytes', async () => {
    const r = await cli(['import', 'google', join(FIX, 'reports-token.synthetic.json'), '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(json<{ results: Result[] }>(r).results).toEqual([expect.objectContaining({ stream: 'token_activity', rowsWritten: 2, rejects: 0 })]);
    const rows = await q<Record<string, unknown>>(
      `select strftime(time, '%Y-%m-%dT%H:%M:%S.%g') as time, actor_email, event_name, client_id, app_name, client_type, scopes, num_response_bytes, product_bucket, ip_address
         from raw.google_token_activity order by time`,
    );
    expect(rows).toEqual([
      {
        time: '2025-06-02T08:15:30.123', actor_email: 'dana.reyes@synthetic-corp.example', event_name: 'authorize', client_id: CLIENT, app_name: 'Synthetic Sheet Mailer',
        client_type: 'WEB', scopes: ['https://www.googleapis.com/auth/drive', 'https://mail.google.com/', 'openid'], num_response_bytes: null, product_bucket: null, ip_address: '198.51.100.24',
      },
      {
        time: '2025-06-02T09:00:00.000', actor_email: 'dana.reyes@synthetic-corp.example', event_name: 'activity', client_id: CLIENT, app_name: 'Synthetic Sheet Mailer',
        client_type: 'WEB', scopes: null, num_response_bytes: 4096, product_bucket: 'GMAIL', ip_address: '203.0.113.99',
      },
    ]);
  });

  it('login activities as JSON lines: the duplicate is stored once; another application and a broken line are rejects with file:line', async () => {
    const file = join(FIX, 'reports-login.synthetic.jsonl');
    const r = await cli(['import', 'google', file, '--json']);
    expect(r.code, r.stderr).toBe(0);
    const [res] = json<{ results: Result[] }>(r).results;
    expect(res).toMatchObject({ stream: 'login_activity', rowsWritten: 2, rejects: 2 });
    expect(res!.rejectExamples).toEqual([
      `${file}:4: applicationName drive: not collected (shadowscan reads the token and login audit)`,
      expect.stringMatching(new RegExp(`^${file.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:5: not a JSON object`)),
    ]);
    const rows = await q<Record<string, unknown>>(`select actor_email, event_name, login_type, is_suspicious, strftime(time, '%H:%M:%S') as t from raw.google_login_activity order by time`);
    expect(rows).toEqual([
      { actor_email: 'lee.park@synthetic-corp.example', event_name: 'login_success', login_type: 'saml', is_suspicious: false, t: '07:59:01' },
      { actor_email: 'lee.park@synthetic-corp.example', event_name: 'login_failure', login_type: 'google_password', is_suspicious: true, t: '08:01:44' },
    ]);
  });

  it('tokens.list and users.list dumps (snapshots with --complete): grants by email, hostile names stored verbatim', async () => {
    const r = await cli(['import', 'google', join(FIX, 'tokens-list.synthetic.json'), join(FIX, 'users-list.synthetic.json'), '--complete', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(json<{ results: Result[] }>(r).results.map((x) => [x.stream, x.rowsWritten, x.rejects])).toEqual([['tokens', 2, 0], ['users', 2, 0]]);
    const grants = await q<Record<string, unknown>>(`select app_id, principal, scopes, consent_type, strftime(granted_at, '%Y-%m-%dT%H:%M:%S') as granted_at, strftime(last_used_at, '%H:%M') as last_used from norm.grants where provider = 'google' order by app_id`);
    expect(grants).toEqual([
      {
        app_id: CLIENT, principal: 'dana.reyes@synthetic-corp.example', scopes: ['https://mail.google.com/', 'https://www.googleapis.com/auth/drive', 'openid'], consent_type: 'user',
        granted_at: '2025-06-02T08:15:30', last_used: '09:00',
      },
      { app_id: '777000888999-hostileclientidhostileclientid00.apps.googleusercontent.com', principal: 'dana.reyes@synthetic-corp.example', scopes: ['https://www.googleapis.com/auth/gmail.readonly'], consent_type: 'user', granted_at: null, last_used: null },
    ]);
    const apps = await q<{ name: string }>(`select name from norm.apps where app_id like '777000888999-%'`);
    expect(apps).toEqual([{ name: '=HYPERLINK("http://evil.example","Open") <script>alert(1)</script>' }]);
    const people = await q<Record<string, unknown>>(`select person_id, logins, department, status from norm.people where 'google' in providers order by person_id`);
    expect(people).toEqual([
      { person_id: 'dana.reyes@synthetic-corp.example', logins: ['dana.reyes@synthetic-corp.example', 'dana@synthetic-corp.example'], department: 'Marketing', status: 'active' },
      { person_id: 'lee.park@synthetic-corp.example', logins: ['lee.park@synthetic-corp.example'], department: null, status: 'disabled' },
    ]);
  });

  it('a truncated JSON export is a usage error naming the file and line (exit 2), nothing imported', async () => {
    const bad = join(tmp.dir, 'cut.json');
    writeFileSync(bad, '{"kind":"admin#directory#tokenList","items":[{"clientId":"x.apps.googleusercontent.com","scopes":["openid"]');
    const r = await cli(['import', 'google', bad, '--json']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`${bad}: no Google token/login activities, tokens or users found`);
    expect(r.stderr).toContain(`${bad}:1: not a JSON object`);
  });
});
