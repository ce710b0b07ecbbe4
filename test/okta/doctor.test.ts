// `shadowscan doctor` against the Okta emulator (issue 4, acceptance 5): a token without
// okta.logs.read fails exactly the System Log check, naming the stream and the permission (exit
// 3); the full token passes every check (exit 0); a revoked token is a credentials failure.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, runCli, tempDir } from '../helpers/cli.js';
import { startWorld, writeOktaConfig, type OktaWorld } from '../helpers/okta.js';

interface Check {
  instance: string;
  check: string;
  ok: boolean;
  detail: string;
  hint?: string;
}

let world: OktaWorld;
const tmp = tempDir();

beforeAll(async () => {
  world = await startWorld({ tokens: { 'ssws-no-logs-7c1e': ['okta.users.read', 'okta.apps.read'] } });
  writeOktaConfig(tmp.dir, world.emu.url);
});
afterAll(async () => {
  await world.emu.close();
  tmp.cleanup();
});

async function doctor(token: string) {
  const r = await runCli(['doctor', '--json'], { cwd: tmp.dir, env: { ...world.env, OKTA_TOKEN: token } });
  return { ...r, body: json<{ ok: boolean; checks: Check[] }>(r) };
}

const streamChecks = ['stream users', 'stream apps', 'stream app_grants', 'stream user_grants', 'stream system_log'];

describe('doctor', () => {
  it('names the stream and the missing permission when the token cannot read the System Log (exit 3)', async () => {
    const r = await doctor('ssws-no-logs-7c1e');
    expect(r.code, r.stderr).toBe(3);
    expect(r.body.ok).toBe(false);
    const failed = r.body.checks.filter((c) => !c.ok);
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatchObject({ instance: 'okta-prod', check: 'stream system_log' });
    expect(failed[0]!.detail).toMatch(/^permission missing: okta\.logs\.read \(GET \/api\/v1\/logs: 403 E0000006/);
    expect(failed[0]!.hint).toMatch(/grant okta\.logs\.read .*or remove system_log from streams/);
    // Everything else this token can do is confirmed.
    const ok = r.body.checks.filter((c) => c.ok).map((c) => c.check);
    expect(ok).toEqual(['config', 'reachability', 'credentials', ...streamChecks.filter((c) => c !== 'stream system_log')]);
    // The token never appears in the output.
    expect(r.stdout + r.stderr).not.toContain('ssws-no-logs-7c1e');
  });

  it('passes every check with the full token (exit 0)', async () => {
    const r = await doctor(world.env.OKTA_TOKEN!);
    expect(r.code, r.stderr).toBe(0);
    expect(r.body.ok).toBe(true);
    expect(r.body.checks.map((c) => [c.check, c.ok])).toEqual([['config', true], ['reachability', true], ['credentials', true], ...streamChecks.map((c) => [c, true])]);
    expect(r.body.checks.find((c) => c.check === 'stream system_log')?.detail).toBe('can read (needs okta.logs.read)');
  });

  it('reports an unknown token as a credentials failure with what to do (exit 3)', async () => {
    const r = await doctor('ssws-revoked-0000');
    expect(r.code, r.stderr).toBe(3);
    const creds = r.body.checks.find((c) => c.check === 'credentials');
    expect(creds).toMatchObject({ ok: false });
    expect(creds!.detail).toMatch(/401 E0000011/);
    expect(creds!.hint).toMatch(/create a new API token/);
  });
});
