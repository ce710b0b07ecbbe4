// Config of an `entra` instance: the tenant, the scanner's app registration (client id plus a
// client secret or a certificate private key, each only as ${ENV_VAR} or file:/path), and how
// much of Microsoft Graph's limits the scan may use.
import { z } from 'zod';
import { secretRef } from '../../src/config/secrets.js';
import { entraStreamNames } from './streams.js';

const eventLog = (sinceDays: number) =>
  z
    .strictObject({
      /** How far back the first sync starts. */
      since_days: z.number().int().min(1).max(30).default(sinceDays),
      /** Each later sync re-reads this many minutes before its high-water mark (late events); duplicates are dropped on id. */
      overlap_minutes: z.number().int().min(0).max(1440).default(15),
      page_size: z.number().int().min(1).max(1000).default(1000),
    })
    .default({ since_days: sinceDays, overlap_minutes: 15, page_size: 1000 });

export const entraConfigSchema = z
  .strictObject({
    type: z.literal('entra'),
    /** Directory (tenant) id GUID, or a verified domain such as contoso.onmicrosoft.com. */
    tenant_id: z.string().regex(/^[A-Za-z0-9.-]{1,253}$/, 'a tenant id GUID or a domain such as contoso.onmicrosoft.com'),
    /** Application (client) id of the scanner's app registration. */
    client_id: z.string().regex(/^[0-9a-fA-F-]{36}$/, 'the application (client) id GUID'),
    /** Client secret of the app registration. */
    client_secret: secretRef().optional(),
    /** Certificate credential: the PEM private key, and the certificate's SHA-256 thumbprint (hex) or its PEM file. */
    certificate: z
      .strictObject({
        private_key: secretRef(),
        thumbprint_sha256: z.string().regex(/^[0-9a-fA-F]{64}$/, '64 hex digits (the SHA-256 thumbprint of the certificate)').optional(),
        /** Public certificate (PEM) whose thumbprint and chain (x5c) are sent; not a secret. */
        certificate_file: z.string().min(1).optional(),
      })
      .refine((c) => !!c.thumbprint_sha256 || !!c.certificate_file, { message: 'give thumbprint_sha256 or certificate_file' })
      .optional(),
    /** Sign-in host (sovereign clouds: https://login.microsoftonline.us, https://login.chinacloudapi.cn). */
    authority_host: z.string().url().default('https://login.microsoftonline.com'),
    /**
     * Token endpoint to use instead of OIDC discovery (a private token proxy, or a local emulator);
     * the authority host is then trusted as given.
     */
    token_endpoint: z.string().url().optional(),
    /** Microsoft Graph base (sovereign clouds: https://graph.microsoft.us, https://microsoftgraph.chinacloudapi.cn). */
    graph_url: z.string().url().default('https://graph.microsoft.com'),
    /** Fraction of Graph's per-app-and-tenant limits this scanner may use (the rest is production's). */
    rate_share: z.number().gt(0).max(1).default(0.5),
    /** Directory listings: page size ($top, max 999). */
    page_size: z.number().int().min(1).max(999).default(999),
    /** Tenant size class for Graph's identity bucket (S < 50 users, M 50–500, L > 500): its RU budget per 10 s. */
    tenant_size: z.enum(['S', 'M', 'L']).default('L'),
    sign_ins: eventLog(7),
    directory_audits: eventLog(30),
    /**
     * Also read non-interactive, service-principal and managed-identity sign-ins (the trace of
     * scripts and bots). They exist only in Graph **beta** (`signInEventTypes`), which Microsoft
     * does not support for production use: off unless set.
     */
    beta_sign_in_event_types: z.boolean().default(false),
    /** Per-request timeout in seconds. */
    timeout_seconds: z.number().min(0.05).max(600).default(60),
    /** Retries of a request that failed with 5xx, a timeout or a broken body (429s wait, not count). */
    max_retries: z.number().int().min(0).max(20).default(4),
    /** First backoff; doubles per failure (with jitter), capped at 60 s. */
    backoff_ms: z.number().int().min(1).max(60_000).default(1000),
    /** Commit every N pages, so a crash loses little. */
    checkpoint_pages: z.number().int().min(1).default(10),
    streams: z.array(z.enum(entraStreamNames as [string, ...string[]])).optional(),
  })
  .refine((c) => !!c.client_secret !== !!c.certificate, { message: 'give exactly one of client_secret or certificate' });
export type EntraConfig = z.infer<typeof entraConfigSchema>;
