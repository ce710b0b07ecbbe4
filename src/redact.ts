// Secret redaction applied at ingest and to anything we write about input (reject examples,
// logs, error messages): tokens in URLs, URL userinfo, and configured secret values.

/** Query/fragment parameters that carry credentials in logged URLs (DESIGN.md item 5). */
const SECRET_PARAMS = [
  'access_token', 'id_token', 'refresh_token', 'token', 'code', 'sig', 'signature', 'key', 'api_key', 'apikey',
  'password', 'passwd', 'pwd', 'secret', 'client_secret', 'auth', 'session', 'sessionid', 'jwt', 'assertion',
  'jsessionid', 'phpsessid', 'api-key', 'x-api-key', 'private_token', 'client_assertion', 'x-amz-signature', 'x-amz-credential', 'x-amz-security-token', 'x-goog-signature', 'x-goog-credential',
];

const PARAM_RE = new RegExp(`([?&;#](?:${SECRET_PARAMS.map(escapeRe).join('|')})=)[^&;#\\s"']*`, 'gi');
const USERINFO_RE = /(\b[a-z][a-z0-9+.-]*:\/\/)[^/\s@:]+(?::[^/\s@]*)?@/gi;
const BEARER_RE = /\b(Bearer|SSWS|Basic)\s+[A-Za-z0-9._~+/=-]{8,}/g;
/** Secret-bearing members of JSON records quoted in reject examples (Graph `secretText`, certificate `key`, tokens). */
const JSON_SECRET_RE = /("(?:secretText|key|password|clientSecret|client_secret|privateKey|private_key|access_token|refresh_token|id_token|token|assertion)"\s*:\s*")(?:[^"\\]|\\.)*("?)/gi;

const registeredSecrets = new Set<string>();

/** Remember a secret value (from config or env) so it is masked wherever it might appear. */
export function registerSecret(value: string | undefined): void {
  if (value && value.length >= 4) registeredSecrets.add(value);
}

export function redactText(text: string): string {
  let out = text.replace(PARAM_RE, '$1REDACTED').replace(USERINFO_RE, '$1REDACTED@').replace(BEARER_RE, '$1 REDACTED').replace(JSON_SECRET_RE, '$1REDACTED$2');
  for (const s of registeredSecrets) {
    if (out.includes(s)) out = out.split(s).join('REDACTED');
  }
  return out;
}

/** Makes a hostile string safe to show in a terminal or store as an example: redacted, no control chars, bounded. */
export function safeExample(text: string, max = 300): string {
  const redacted = redactText(text.length > max * 4 ? text.slice(0, max * 4) : text);
  // eslint-disable-next-line no-control-regex
  const visible = redacted.replace(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, '\uFFFD');
  return visible.length > max ? `${visible.slice(0, max)}… (${text.length} chars)` : visible;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\-]/g, '\\$&');
}
