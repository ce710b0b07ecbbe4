// Structured logs (pino) to stderr; stdout is reserved for command results. pino is loaded on
// the first log call, so commands that log nothing do not pay for it at start-up.
import { createRequire } from 'node:module';
import type { Logger } from 'pino';
import { redactText } from './redact.js';

let logger: Logger | undefined;
let level = process.env.SHADOWSCAN_LOG_LEVEL ?? 'warn';

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];

/** Cheap check before building a log record. */
export function logEnabled(l: string): boolean {
  return LEVELS.indexOf(l) >= LEVELS.indexOf(level);
}

export function log(): Logger {
  if (!logger) {
    const { pino } = createRequire(import.meta.url)('pino') as typeof import('pino');
    logger = pino(
      {
        level,
        base: undefined,
        // Every logged string passes the same secret redaction as stored data.
        hooks: {
          logMethod(args, method) {
            method.apply(this, args.map((a) => (typeof a === 'string' ? redactText(a) : a)) as Parameters<typeof method>);
          },
        },
      },
      pino.destination(2),
    );
  }
  return logger;
}

export function setLogLevel(l: string): void {
  level = l;
  if (logger) logger.level = l;
}

/** Debug timeline: logs a named point with the milliseconds since the process started (SHADOWSCAN_LOG_LEVEL=debug). */
export function tracePoint(point: string): void {
  if (logEnabled('debug')) log().debug({ point, at: Math.round(performance.now()) }, 'timeline');
}
