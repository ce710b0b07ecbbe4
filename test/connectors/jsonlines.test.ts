// src/connectors/jsonlines.ts, the JSON-lines pieces the Route 53, Umbrella, Zeek, Zscaler and
// generic egress formats share: the reject reasons, and the SQL that extracts fields per line.
import { DuckDBInstance } from '@duckdb/node-api';
import { describe, expect, it } from 'vitest';
import { jsonFieldsFromLinesSql, jsonLineObject, NO_HTTP_COLUMNS_SQL } from '../../src/connectors/jsonlines.js';

describe('jsonLineObject', () => {
  it('returns the object of a JSON object line', () => {
    expect(jsonLineObject('{"query_name":"a.example.","srcaddr":"10.0.0.1"}')).toEqual({ query_name: 'a.example.', srcaddr: '10.0.0.1' });
  });
  it.each([
    ['{"query_name":"a.exam', 'not valid JSON (truncated line?)'],
    ['["query_name","a.example."]', 'not a JSON object'],
    ['null', 'not a JSON object'],
    ['"{}"', 'not a JSON object'],
    ['\u0000\u0001\u0002binary\u0003\u0004', 'binary data'],
  ])('gives a reason for %j', (line, reason) => {
    expect(jsonLineObject(line)).toBe(reason);
  });
  it('refuses an enormous line without parsing it', () => {
    expect(jsonLineObject(`{"a":"${'x'.repeat(2_000_000)}"}`)).toMatch(/long/i);
  });
});

describe('jsonFieldsFromLinesSql', () => {
  it('extracts the fields of object lines and NULL for every other line', async () => {
    const db = await (await DuckDBInstance.create(':memory:')).connect();
    try {
      await db.run(`create table lines as select * from (values (1, '{"t":"2024-06-01T00:00:00Z","h":{"n":"a.example."}}'), (2, '[1,2]'), (3, '{"t": trunc'), (4, ' {"t":"x"}')) v(n, line)`);
      const r = await db.runAndReadAll(`select j, ${NO_HTTP_COLUMNS_SQL} from (${jsonFieldsFromLinesSql(['$.t', '$.h.n'])}) join lines using (line) order by n`);
      const rows = r.getRowObjectsJson();
      expect(rows.map((x) => x.j)).toEqual([['2024-06-01T00:00:00Z', 'a.example.'], null, null, ['x', null]]);
      expect(rows.every((x) => x.method === null && x.status === null && x.bytes_in === null && x.bytes_out === null)).toBe(true);
    } finally {
      db.closeSync();
    }
  });
});
