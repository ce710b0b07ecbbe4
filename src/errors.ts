// The error kinds the CLI maps to exit codes (DESIGN.md "Exit codes"). Anything else is a bug.

export const ExitCode = {
  ok: 0,
  findings: 1,
  usage: 2,
  sourceFailed: 3,
  internal: 70,
} as const;
export type ExitCode = (typeof ExitCode)[keyof typeof ExitCode];

/** Bad config, arguments or input: the user can fix it. Exit 2. */
export class UserError extends Error {
  readonly hint: string | undefined;
  /** Extra lines (e.g. every config problem), printed one per line under the message. */
  readonly details: string[];
  constructor(message: string, opts: { hint?: string; details?: string[] } = {}) {
    super(message);
    this.name = 'UserError';
    this.hint = opts.hint;
    this.details = opts.details ?? [];
  }
}

/** A provider or source failed (network, API error, unreadable file). Exit 3. */
export class ExternalError extends Error {
  readonly source: string;
  readonly retryable: boolean;
  readonly hint: string | undefined;
  constructor(source: string, message: string, opts: { retryable?: boolean; hint?: string; cause?: unknown } = {}) {
    super(message, { cause: opts.cause });
    this.name = 'ExternalError';
    this.source = source;
    this.retryable = opts.retryable ?? false;
    this.hint = opts.hint;
  }
}

/** Thrown by commands that finished their work but must exit non-zero (e.g. a partial scan). */
export class ExitWith extends Error {
  readonly code: ExitCode;
  constructor(code: ExitCode, message = '') {
    super(message);
    this.name = 'ExitWith';
    this.code = code;
  }
}

export function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
