// Config of an `okta` instance: the org URL and either an SSWS API token or an OAuth service
// app (private_key_jwt). Secrets only as ${ENV_VAR} or file:/path.
import { z } from 'zod';
import { secretRef } from '../../src/config/secrets.js';

export const oktaStreamNames = ['users', 'apps', 'app_grants', 'user_grants', 'system_log'] as const;

export const oktaConfigSchema = z
  .strictObject({
    type: z.literal('okta'),
    /** e.g. https://acme.okta.com */
    orgUrl: z.string().url(),
    /** SSWS API token (read-only admin recommended). */
    token: secretRef().optional(),
    /** OAuth 2.0 service app with private_key_jwt, scopes okta.users.read okta.apps.read okta.logs.read. */
    oauth: z
      .strictObject({
        client_id: z.string().min(1),
        private_key: secretRef(),
        key_id: z.string().optional(),
        scopes: z.array(z.string()).default(['okta.users.read', 'okta.apps.read', 'okta.logs.read']),
      })
      .optional(),
    /** Fraction of Okta's org-wide rate limits this scanner may use (the rest is production's). */
    rate_share: z.number().gt(0).max(1).default(0.5),
    page_size: z.number().int().min(1).max(200).default(200),
    /** System Log: how far back the first sync starts, and the page size. */
    logs: z
      .strictObject({ since_days: z.number().int().min(1).max(90).default(7), page_size: z.number().int().min(1).max(1000).default(1000) })
      .default({ since_days: 7, page_size: 1000 }),
    /** Per-request timeout in seconds. */
    timeout_seconds: z.number().min(0.05).max(600).default(60),
    /** Retries of a request that failed with 5xx, a timeout or a broken body (429s wait, not count). */
    max_retries: z.number().int().min(0).max(20).default(4),
    /** First backoff; doubles per failure (with jitter), capped at 60 s. */
    backoff_ms: z.number().int().min(1).max(60_000).default(1000),
    /** Commit every N pages (or users, for per-user grants), so a crash loses little. */
    checkpoint_pages: z.number().int().min(1).default(10),
    streams: z.array(z.enum(oktaStreamNames)).optional(),
  })
  .refine((c) => !!c.token !== !!c.oauth, { message: 'give exactly one of token (SSWS) or oauth (service app)' });
export type OktaConfig = z.infer<typeof oktaConfigSchema>;
