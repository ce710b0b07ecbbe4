// Synthetic inputs for the attribution tests (all data here is made up): Squid lines with or
// without a user, Okta System Log sign-in events and Okta users, written as the files a user
// would import with `shadowscan import squid|okta`.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { formatSquidNativeLine } from '../../fixtures/squid/format.js';
import { json, runCli } from '../helpers/cli.js';

export const ENV: NodeJS.ProcessEnv = { SHADOWSCAN_CONFIG: undefined, SHADOWSCAN_DATA_DIR: undefined };

/** 2026-01-05 10:00 UTC plus minutes. */
export const at = (minutes: number) => Date.UTC(2026, 0, 5, 10, 0, 0) + minutes * 60_000;

export function proxyLine(opts: { minute: number; ip: string; host: string; user?: string }): string {
  return formatSquidNativeLine({
    tsMs: at(opts.minute),
    elapsedMs: 120,
    clientIp: opts.ip,
    resultCode: 'TCP_TUNNEL',
    httpStatus: 200,
    bytes: 5000,
    method: 'CONNECT',
    url: `${opts.host}:443`,
    user: opts.user ?? '-',
    hierarchy: 'HIER_DIRECT/203.0.113.10',
    contentType: '-',
  });
}

let uuid = 0;
export function signin(opts: { minute: number; ip: string; user: string; result?: 'SUCCESS' | 'FAILURE' }): object {
  uuid++;
  return {
    uuid: `00000000-0000-4000-8000-${String(uuid).padStart(12, '0')}`,
    published: new Date(at(opts.minute)).toISOString(),
    eventType: 'user.authentication.sso',
    displayMessage: 'User single sign on to app',
    severity: 'INFO',
    actor: { id: `00u${uuid}`, type: 'User', alternateId: opts.user, displayName: opts.user },
    client: { ipAddress: opts.ip, userAgent: { rawUserAgent: 'Mozilla/5.0' } },
    outcome: { result: opts.result ?? 'SUCCESS', ...(opts.result === 'FAILURE' ? { reason: 'INVALID_CREDENTIALS' } : {}) },
    target: [{ id: '0oaSlack', type: 'AppInstance', alternateId: 'Slack', displayName: 'Slack' }],
  };
}

export function oktaUser(opts: { id: string; login: string; email: string; first: string; last: string; status?: string }): object {
  return {
    id: opts.id,
    status: opts.status ?? 'ACTIVE',
    created: '2024-01-01T00:00:00.000Z',
    profile: { login: opts.login, email: opts.email, firstName: opts.first, lastName: opts.last, department: 'Engineering' },
  };
}

export function writeLines(dir: string, name: string, lines: string[]): string {
  const file = join(dir, name);
  writeFileSync(file, lines.map((l) => `${l}\n`).join(''));
  return file;
}

export function writeConfig(dir: string, name: string, extra: Record<string, unknown> = {}): string {
  const file = join(dir, name);
  writeFileSync(file, stringify({ data_dir: '.shadowscan', ...extra }));
  return file;
}

export async function cli(cwd: string, args: string[]) {
  const r = await runCli(args, { cwd, env: ENV });
  if (r.code !== 0) throw new Error(`shadowscan ${args.join(' ')} failed (exit ${r.code}): ${r.stderr}`);
  return r;
}

export async function query<T>(cwd: string, sql: string, config = 'shadowscan.yaml'): Promise<T[]> {
  return json<T[]>(await cli(cwd, ['--config', config, 'query', sql, '--json']));
}
