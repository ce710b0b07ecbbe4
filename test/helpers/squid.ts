// Small deterministic Squid logs for tests (the benchmark generator makes the big ones).
import { formatSquidNativeLine } from '../../fixtures/squid/format.js';

const HOSTS = ['api.openai.com', 'hooks.zapier.com', 'a.vercel.app', 'b.vercel.app', 'slack.com', 'www.google.com', 'github.com'];
const USERS = ['ann', 'bob', 'cy', '-'];

/** `count` native lines, one every `stepMs` from `startMs`; line i uses host i mod 7, user i mod 4. */
export function squidLines(count: number, opts: { startMs?: number; stepMs?: number; offset?: number } = {}): string[] {
  const start = opts.startMs ?? Date.UTC(2026, 0, 1);
  const step = opts.stepMs ?? 60_000;
  const lines: string[] = [];
  for (let k = 0; k < count; k++) {
    const i = k + (opts.offset ?? 0);
    const host = HOSTS[i % HOSTS.length]!;
    const connect = i % 3 === 0;
    lines.push(
      formatSquidNativeLine({
        tsMs: start + i * step,
        elapsedMs: (i * 37) % 5000,
        clientIp: `10.0.0.${(i % 4) + 1}`,
        resultCode: connect ? 'TCP_TUNNEL' : 'TCP_MISS',
        httpStatus: 200,
        bytes: 1000 + i,
        method: connect ? 'CONNECT' : 'GET',
        url: connect ? `${host}:443` : `https://${host}/p/${i}?q=${i}`,
        user: USERS[i % USERS.length]!,
        hierarchy: 'HIER_DIRECT/1.2.3.4',
        contentType: connect ? '-' : 'text/html',
      }),
    );
  }
  return lines;
}

export const text = (lines: string[]) => lines.map((l) => `${l}\n`).join('');
