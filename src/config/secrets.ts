// Secret references in config: a secret is never written literally, only as `${ENV_VAR}` or
// `file:/path/to/secret`. Values are resolved when loaded and registered for redaction.
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { registerSecret } from '../redact.js';

const ENV_REF = /^\$\{([A-Za-z_][A-Za-z0-9_]*)\}$/;
const FILE_REF = /^file:(.+)$/;

/** zod type for a config field that holds a secret reference. */
export const secretRef = () =>
  z
    .string()
    .refine((v) => ENV_REF.test(v) || FILE_REF.test(v), {
      message: 'secrets must be given as ${ENV_VAR} or file:/path, never literally in the config file',
    });

/** A secret as it is held in memory after config load. The raw value never leaves the process. */
export class Secret {
  readonly #value: string;
  readonly source: string;
  constructor(value: string, source: string) {
    this.#value = value;
    this.source = source;
    registerSecret(value);
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return `[secret from ${this.source}]`;
  }
  toJSON(): string {
    return this.toString();
  }
}

/** Resolves a reference; returns an error message instead of throwing, so all problems can be listed. */
export function resolveSecretRef(ref: string, env: NodeJS.ProcessEnv): Secret | { error: string } {
  const envMatch = ENV_REF.exec(ref);
  if (envMatch) {
    const name = envMatch[1]!;
    const value = env[name];
    if (value === undefined || value === '') return { error: `environment variable ${name} is not set (export it, or use file:/path)` };
    return new Secret(value, `$${name}`);
  }
  const fileMatch = FILE_REF.exec(ref);
  if (fileMatch) {
    const path = fileMatch[1]!;
    try {
      return new Secret(readFileSync(path, 'utf8').trim(), `file ${path}`);
    } catch (e) {
      return { error: `cannot read secret file ${path}: ${(e as NodeJS.ErrnoException).code ?? String(e)}` };
    }
  }
  return { error: 'not a secret reference' };
}

/** Expands `${VAR}` inside ordinary (non-secret) strings; unknown variables are reported. */
export function expandEnv(value: string, env: NodeJS.ProcessEnv): { value: string; missing: string[] } {
  const missing: string[] = [];
  const out = value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)\}/g, (_m, name: string) => {
    const v = env[name];
    if (v === undefined) {
      missing.push(name);
      return '';
    }
    return v;
  });
  return { value: out, missing };
}
