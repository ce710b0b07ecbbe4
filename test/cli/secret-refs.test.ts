// Secret references are resolved only where they are used: a read-only command works without
// the token; a scan fails just that instance, naming the variable to export.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { json, runCli, tempDir } from '../helpers/cli.js';
import { squidLines, text } from '../helpers/squid.js';

describe('secret references', () => {
  const tmp = tempDir();
  afterAll(tmp.cleanup);
  writeFileSync(join(tmp.dir, 'access.log'), text(squidLines(10)));
  writeFileSync(
    join(tmp.dir, 'shadowscan.yaml'),
    [
      'instances:',
      '  okta-prod:',
      '    type: okta',
      '    orgUrl: https://acme.okta.example',
      "    token: '${SHADOWSCAN_TEST_UNSET_TOKEN}'",
      '  proxy:',
      '    type: squid',
      '    paths: [access.log]',
      '',
    ].join('\n'),
  );
  const env = { SHADOWSCAN_TEST_UNSET_TOKEN: undefined };

  it('query and findings work while the token variable is unset', async () => {
    const q = await runCli(['query', 'select count(*) as n from norm.apps', '--json'], { cwd: tmp.dir, env });
    expect(q.code, q.stderr).toBe(0);
    expect(json<{ n: number }[]>(q)[0]!.n).toBe(0);
    expect((await runCli(['findings', '--json'], { cwd: tmp.dir, env })).code).toBe(0);
  });

  it('scan fails only the instance whose secret is missing (exit 3), names the variable, and scans the rest', async () => {
    const r = await runCli(['scan', '--json'], { cwd: tmp.dir, env });
    expect(r.code).toBe(3);
    const out = json<{ results: { instance: string; status: string; error?: string; linesRead: number }[] }>(r);
    const okta = out.results.find((x) => x.instance === 'okta-prod')!;
    expect(okta.status).toBe('failed');
    expect(okta.error).toContain('SHADOWSCAN_TEST_UNSET_TOKEN');
    expect(out.results.find((x) => x.instance === 'proxy')).toMatchObject({ status: 'ok', linesRead: 10 });
  });
});
