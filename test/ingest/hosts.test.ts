// Host and registrable-domain extraction: the per-line SQL (authority, port stripped) plus the
// per-distinct-value normalisation in JS must give the same host for every way a URL is logged.
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { authorityFromUrlSql, hostOfAuthority, portless } from '../../src/ingest/egress.js';
import { registrableDomain } from '../../src/ingest/domains.js';

async function hostsOf(cases: [method: string, url: string][]): Promise<(string | null)[]> {
  const db = await DuckDBInstance.create(':memory:');
  const conn = await db.connect();
  const values = cases.map(([m, u]) => `(${JSON.stringify(m).replace(/"/g, "'")}, '${u.replace(/'/g, "''")}')`).join(', ');
  const rows = (await conn.runAndReadAll(`select ${portless('a')} as auth from (select ${authorityFromUrlSql('m', 'u')} as a from (values ${values}) t(m, u))`)).getRowObjectsJS();
  conn.closeSync();
  db.closeSync();
  return rows.map((r) => hostOfAuthority(String(r.auth)));
}

describe('host of a logged request', () => {
  it('handles CONNECT, ports, userinfo with a password, IPv6, case, fragments and relative URLs', async () => {
    expect(
      await hostsOf([
        ['CONNECT', 'api.openai.com:443'],
        ['GET', 'http://www.google.com:443/'],
        ['GET', 'https://user:PASS@db.example.io/x?y=1'],
        ['GET', 'http://[2001:db8::1]:8080/p'],
        ['GET', 'HTTPS://Example.COM/Path'],
        ['GET', 'http://host.example#frag'],
        ['GET', 'http://q.example?access_token=x'],
        ['GET', '/favicon.ico'],
        ['-', 'error:transaction-end-before-headers'],
        ['CONNECT', '8.8.8.8:443/'],
      ]),
    ).toEqual(['api.openai.com', 'www.google.com', 'db.example.io', '2001:db8::1', 'example.com', 'host.example', 'q.example', null, null, '8.8.8.8']);
  });
});

describe('registrable domain', () => {
  it('keeps each tenant of a hosting platform separate (private suffixes)', () => {
    expect(registrableDomain('a.vercel.app')).toBe('a.vercel.app');
    expect(registrableDomain('b.vercel.app')).toBe('b.vercel.app');
    expect(registrableDomain('x.y.herokuapp.com')).toBe('y.herokuapp.com');
  });
  it('rolls subdomains of ordinary domains up, and keeps IPs as they are', () => {
    expect(registrableDomain('api.openai.com')).toBe('openai.com');
    expect(registrableDomain('chat.openai.com')).toBe('openai.com');
    expect(registrableDomain('www.bbc.co.uk')).toBe('bbc.co.uk');
    expect(registrableDomain('10.1.2.3')).toBe('10.1.2.3');
  });
});
