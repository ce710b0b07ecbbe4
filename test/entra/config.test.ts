// The `entra` instance config: one credential (client secret or certificate), secrets only as
// references, and every problem reported with file:line and what to do.
import { describe, expect, it } from 'vitest';
import { parseConfigText } from '../../src/config/load.js';
import { UserError } from '../../src/errors.js';

const base = `instances:
  entra-prod:
    type: entra
    tenant_id: contoso.onmicrosoft.com
    client_id: 6f1d3c2b-5a4e-4f10-9a8b-7c6d5e4f3a21
`;

function problems(text: string, env: NodeJS.ProcessEnv = {}): string[] {
  try {
    parseConfigText(text, 'shadowscan.yaml', env);
    return [];
  } catch (e) {
    if (!(e instanceof UserError)) throw e;
    return (e as UserError & { details?: string[] }).details ?? [e.message];
  }
}

describe('entra config', () => {
  it('a client secret from the environment is resolved as a secret, never kept in the parsed config', () => {
    const r = parseConfigText(`${base}    client_secret: \${ENTRA_SECRET}\n`, 'shadowscan.yaml', { ENTRA_SECRET: 'abc~123' });
    expect(r.config.instances['entra-prod']).toMatchObject({ type: 'entra', client_secret: '${ENTRA_SECRET}', rate_share: 0.5, beta_sign_in_event_types: false, graph_url: 'https://graph.microsoft.com' });
    expect(r.secrets.get('instances.entra-prod.client_secret')?.reveal()).toBe('abc~123');
  });

  it('a certificate needs its private key as a reference and a thumbprint or the certificate file', () => {
    const ok = parseConfigText(`${base}    certificate:\n      private_key: file:/etc/shadowscan/entra.key\n      thumbprint_sha256: ${'ab'.repeat(32)}\n`, 'shadowscan.yaml', {});
    expect(ok.config.instances['entra-prod']).toMatchObject({ certificate: { thumbprint_sha256: 'ab'.repeat(32) } });
    expect(problems(`${base}    certificate:\n      private_key: file:/etc/shadowscan/entra.key\n`).join('\n')).toMatch(/shadowscan\.yaml:6 instances\.entra-prod\.certificate: give thumbprint_sha256 or certificate_file/);
  });

  it('refuses a literal secret, both credentials, or none; names the line', () => {
    expect(problems(`${base}    client_secret: Q~literal\n`).join('\n')).toMatch(/shadowscan\.yaml:6 instances\.entra-prod\.client_secret: secrets must be given as \$\{ENV_VAR\} or file:\/path/);
    expect(problems(base).join('\n')).toMatch(/give exactly one of client_secret or certificate/);
    expect(problems(`${base}    client_secret: \${S}\n    certificate:\n      private_key: \${K}\n      thumbprint_sha256: ${'cd'.repeat(32)}\n`, { S: 'x', K: 'y' }).join('\n')).toMatch(/give exactly one of client_secret or certificate/);
    expect(problems(base.replace('6f1d3c2b-5a4e-4f10-9a8b-7c6d5e4f3a21', 'not-a-guid') + '    client_secret: ${S}\n', { S: 'x' }).join('\n')).toMatch(/shadowscan\.yaml:5 instances\.entra-prod\.client_id: the application \(client\) id GUID/);
  });
});
