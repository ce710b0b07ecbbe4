// Structured logs (pino) to stderr; stdout is reserved for command results.
import { pino, type Logger } from 'pino';
import { redactText } from './redact.js';

let logger: Logger | undefined;

export function log(): Logger {
  logger ??= pino(
    {
      level: process.env.SHADOWSCAN_LOG_LEVEL ?? 'warn',
      base: undefined,
      // Every logged string passes the same secret redaction as stored data.
      hooks: {
        logMethod(args, method) {
          method.apply(
            this,
            args.map((a) => (typeof a === 'string' ? redactText(a) : a)) as Parameters<typeof method>,
          );
        },
      },
    },
    pino.destination(2),
  );
  return logger;
}

export function setLogLevel(level: string): void {
  log().level = level;
}
