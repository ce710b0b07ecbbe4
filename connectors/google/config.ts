// Config of a `google` instance: a service account with domain-wide delegation (its JSON key,
// only as ${ENV_VAR} or file:/path), the admin it impersonates, and the Admin SDK endpoints
// (overridable for the emulator or a private access point).
import { z } from 'zod';
import { secretRef } from '../../src/config/secrets.js';

export const googleStreamNames = ['users', 'tokens', 'token_activity', 'login_activity'] as const;
export type GoogleStreamName = (typeof googleStreamNames)[number];

export const googleConfigSchema = z.strictObject({
  type: z.literal('google'),
  /** The service account's JSON key file as downloaded from the Cloud console (client_email, private_key). */
  service_account_key: secretRef(),
  /** A super admin (or an admin whose role has the privileges below) the service account impersonates. */
  subject: z.string().email(),
  /** `my_customer` (the subject's own account) or a customer id such as C03az79cb. */
  customer: z.string().min(1).default('my_customer'),
  /** Admin SDK root; change only for an emulator or a private endpoint. */
  root_url: z.string().url().default('https://admin.googleapis.com/'),
  /** OAuth token endpoint for the JWT bearer grant. */
  token_url: z.string().url().default('https://oauth2.googleapis.com/token'),
  /** The project's Directory API quota (queries per minute); Google's default is 2,400. */
  quota_per_minute: z.number().int().min(1).default(2_400),
  /** Reports API queries per minute. */
  reports_quota_per_minute: z.number().int().min(1).default(2_400),
  /** Fraction of the quota this scanner may use (the rest is production's). */
  rate_share: z.number().gt(0).max(1).default(0.5),
  /** tokens.list calls in flight at once. */
  concurrency: z.number().int().min(1).max(64).default(8),
  page_size: z.number().int().min(1).max(500).default(500),
  /** Token and login audit events: first sync's look-back, the re-read overlap for late events, page size. */
  reports: z
    .strictObject({
      since_days: z.number().int().min(1).max(180).default(7),
      overlap_minutes: z.number().int().min(0).max(24 * 60).default(60),
      page_size: z.number().int().min(1).max(1000).default(1000),
    })
    .default({ since_days: 7, overlap_minutes: 60, page_size: 1000 }),
  timeout_seconds: z.number().min(0.05).max(600).default(60),
  /** Retries of a request that failed with 5xx, a timeout or a broken body (throttles wait, not count). */
  max_retries: z.number().int().min(0).max(20).default(4),
  backoff_ms: z.number().int().min(1).max(60_000).default(1000),
  /** Commit every N pages (users, activities) or N users (tokens fan-out). */
  checkpoint_every: z.number().int().min(1).default(100),
  streams: z.array(z.enum(googleStreamNames)).optional(),
});
export type GoogleConfig = z.infer<typeof googleConfigSchema>;

export const GOOGLE_SCOPES = {
  users: 'https://www.googleapis.com/auth/admin.directory.user.readonly',
  tokens: 'https://www.googleapis.com/auth/admin.directory.user.security',
  reports: 'https://www.googleapis.com/auth/admin.reports.audit.readonly',
} as const;
