// `shadowscan doctor` for Google (issue 7, acceptance 3): it requests a token per scope, so it
// names the one scope domain-wide delegation does not authorise (and skips the streams that need
// it); with an admin lacking a privilege it names the stream and the privilege; with everything
// in place every check passes.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { json, runCli, tempDir } from '../helpers/cli.js';
import { SCOPE } from '../../fixtures/emulators/google/index.js';
import { demoTenant, SA_CLIENT_ID, SA_EMAIL, serviceAccountKey, startGoogleWorld, writeGoogleConfig, type GoogleWorld } from './world.js';

interface Check {
  instance: string;
  check: string;
  ok: boolean;
  detail: string;
  hint?: string;
}

const tmp = tempDir();
const worlds: GoogleWorld[] = [];
afterAll(async () => {
  await Promise.all(worlds.map((w) => w.emu.close()));
  tmp.cleanup();
});

async function doctor(name: string, opts: Parameters<typeof startGoogleWorld>[0]) {
  const world = await startGoogleWorld(opts);
  worlds.push(world);
  const dir = join(tmp.dir, name);
  mkdirSync(dir);
  writeGoogleConfig(dir, world);
  const r = await runCli(['doctor', '--json'], { cwd: dir, env: world.env });
  return { ...r, world, body: json<{ ok: boolean; checks: Check[] }>(r) };
}

const sa = (delegatedScopes?: string[]) => [{ clientEmail: SA_EMAIL, clientId: SA_CLIENT_ID, publicKey: serviceAccountKey().publicPem, delegatedScopes }];

describe('google doctor', () => {
  it('finds the scope delegation refuses by asking for one token per scope (exit 3)', async () => {
    const r = await doctor('dwd', { serviceAccounts: sa([SCOPE.usersRead, SCOPE.reports]) });
    expect(r.code, r.stderr).toBe(3);
    // One token request per scope (plus none for several at once).
    expect(Object.keys(r.world.emu.stats.tokenRequestsByScope).sort()).toEqual([SCOPE.usersRead, SCOPE.userSecurity, SCOPE.reports].sort());
    const failed = r.body.checks.filter((c) => !c.ok);
    expect(failed.map((c) => c.check)).toEqual([`delegation ${SCOPE.userSecurity}`, 'stream tokens']);
    expect(failed[0]!.detail).toContain(`refused scope ${SCOPE.userSecurity} for domain-wide delegation (401 unauthorized_client)`);
    expect(failed[0]!.hint).toContain(`add ${SCOPE.userSecurity} to client id ${SA_CLIENT_ID}`);
    expect(failed[1]!.detail).toContain('not checked: scope');
    expect(r.body.checks.filter((c) => c.ok).map((c) => c.check)).toEqual([
      'config', 'service account key', `delegation ${SCOPE.usersRead}`, `delegation ${SCOPE.reports}`, 'stream users', 'stream token_activity', 'stream login_activity',
    ]);
  });

  it('names the stream and the admin privilege when the impersonated admin lacks it (exit 3)', async () => {
    const subject = [...demoTenant().google.users].find((u) => u.isAdmin)!.primaryEmail;
    const r = await doctor('privilege', { admins: { [subject]: ['users.read', 'users.security'] } });
    expect(r.code, r.stderr).toBe(3);
    const failed = r.body.checks.filter((c) => !c.ok);
    expect(failed.map((c) => c.check)).toEqual(['stream token_activity', 'stream login_activity']);
    expect(failed[0]!.detail).toContain(`403 forbidden: the admin ${subject} lacks the privilege Admin console privileges → Reports`);
  });

  it('passes every check when delegation and privileges are in place (exit 0), never showing the key', async () => {
    const r = await doctor('ok', {});
    expect(r.code, r.stderr).toBe(0);
    expect(r.body.checks.every((c) => c.ok)).toBe(true);
    expect(r.body.checks.find((c) => c.check === 'service account key')!.detail).toBe(`${SA_EMAIL} (client id ${SA_CLIENT_ID}), impersonating ${r.world.subject}`);
    const keyLine = serviceAccountKey().pem.split('\n')[5]!;
    expect(r.stdout + r.stderr).not.toContain(keyLine);
  });
});
