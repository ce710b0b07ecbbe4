// `shadowscan doctor` for an Entra instance against the emulator: an app registration without
// AuditLog.Read.All fails exactly the sign-in and audit checks, naming the permission (exit 3);
// a full one passes every check (exit 0); a wrong client secret is a credentials failure that
// says what to do, without echoing the secret.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { json, runCli, tempDir } from '../helpers/cli.js';
import { CLIENT_ID, CLIENT_SECRET, startEntraWorld, writeEntraConfig, type EntraWorld } from '../helpers/entra.js';

interface Check {
  instance: string;
  check: string;
  ok: boolean;
  detail: string;
  hint?: string;
}

const NO_AUDIT = 'a1b2c3d4-0000-4000-8000-00000000a0d1';
let world: EntraWorld;
const tmp = tempDir();

beforeAll(async () => {
  world = await startEntraWorld({
    clients: [
      { clientId: CLIENT_ID, secret: CLIENT_SECRET },
      { clientId: NO_AUDIT, secret: CLIENT_SECRET, roles: ['Application.Read.All', 'Directory.Read.All', 'User.Read.All'] },
    ],
  });
});
afterAll(async () => {
  await world.emu.close();
  tmp.cleanup();
});

async function doctor(extra: Record<string, unknown>, secret = CLIENT_SECRET) {
  writeEntraConfig(tmp.dir, world.emu, extra);
  const r = await runCli(['doctor', '--json'], { cwd: tmp.dir, env: { ...world.env, ENTRA_CLIENT_SECRET: secret } });
  const body = json<{ ok: boolean; checks: Check[] }>(r);
  // The command's own checks (config, data dir) come first; the instance's follow.
  return { ...r, body: { ...body, checks: body.checks.filter((c) => c.instance === 'entra-prod') } };
}

describe('entra doctor', () => {
  it('passes every check with the read permissions (exit 0)', async () => {
    const r = await doctor({});
    expect(r.code, r.stderr).toBe(0);
    expect(r.body.checks.map((c) => [c.check, c.ok])).toEqual([
      ['credentials', true],
      ['reachability', true],
      ...['users', 'service_principals', 'applications', 'app_credentials', 'oauth2_permission_grants', 'app_role_assignments', 'directory_audits', 'sign_ins'].map((s) => [`stream ${s}`, true]),
    ]);
  });

  it('names AuditLog.Read.All for exactly the sign-in and audit streams when the app lacks it (exit 3)', async () => {
    const r = await doctor({ client_id: NO_AUDIT });
    expect(r.code, r.stderr).toBe(3);
    const failed = r.body.checks.filter((c) => !c.ok);
    expect(failed.map((c) => c.check)).toEqual(['stream directory_audits', 'stream sign_ins']);
    for (const c of failed) {
      expect(c.detail).toMatch(/^permission missing: AuditLog\.Read\.All/);
      expect(c.detail).toMatch(/403 Authorization_RequestDenied/);
      expect(c.hint).toMatch(/add the application permission AuditLog\.Read\.All .*admin consent/);
    }
  });

  it('reports a wrong client secret as a credentials failure with what to do, never the secret', async () => {
    const wrong = 'wrong~secret~value~123';
    const r = await doctor({}, wrong);
    expect(r.code).toBe(3);
    expect(r.body.checks).toHaveLength(1);
    expect(r.body.checks[0]).toMatchObject({ check: 'credentials', ok: false });
    expect(r.body.checks[0]!.detail).toMatch(/^token request failed: invalid_client: .*AADSTS7000215: Invalid client secret provided/);
    expect(r.body.checks[0]!.hint).toMatch(/client secret or certificate was rejected/);
    expect(r.stdout + r.stderr).not.toContain(wrong);
  });
});
