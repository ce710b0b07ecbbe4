// Duck.strings and Duck.tempTableFromStrings move string columns between DuckDB and JS as one JSON
// value each way; every string must come back byte for byte, whatever it holds.
import { afterAll, describe, expect, it } from 'vitest';
import { openEngine, STRING_BATCH } from '../../src/db/duck.js';
import { tempDir } from '../helpers/cli.js';

const tmp = tempDir();
afterAll(tmp.cleanup);

const HOSTILE = ['plain.example.com', '', 'quote\'s "double"', 'back\\slash', 'nul\u0000inside', 'tab\tnew\nline\r', 'ünïcödé 日本 🙂', '\u001b[31mred', ',;|', '[1,2]', 'null'];

describe('string round trips', () => {
  it('strings() returns the first column exactly, NULLs as null, in query order', async () => {
    const engine = await openEngine({ memoryLimit: '256MB', threads: 1, tempDirectory: tmp.dir });
    try {
      await engine.tempTableFromStrings('t', { v: [...HOSTILE, null], i: [...HOSTILE.map((_, k) => String(k)), String(HOSTILE.length)] });
      expect(await engine.strings('select v from t order by i::int')).toEqual([...HOSTILE, null]);
      expect(await engine.strings('select v from t where false')).toEqual([]);
      // Row i of the table comes from element i of each array.
      const rows = await engine.all<{ v: string | null; i: string }>('select v, i from t order by i::int');
      rows.forEach((r, k) => expect(r).toEqual({ v: k < HOSTILE.length ? HOSTILE[k] : null, i: String(k) }));
    } finally {
      engine.close();
    }
  });

  it('tempTableFromStrings() makes an empty VARCHAR table from empty arrays', async () => {
    const engine = await openEngine({ memoryLimit: '256MB', threads: 1, tempDirectory: tmp.dir });
    try {
      await engine.tempTableFromStrings('e', { a: [], b: [] });
      expect(await engine.all('select * from e')).toEqual([]);
      const types = await engine.all<{ column_type: string }>('select column_type from (describe e)');
      expect(types.map((t) => t.column_type)).toEqual(['VARCHAR', 'VARCHAR']);
    } finally {
      engine.close();
    }
  });
});

describe('string round trips past one batch', () => {
  it('keeps every value and its order across JSON batches', async () => {
    const engine = await openEngine({ memoryLimit: '256MB', threads: 2, tempDirectory: tmp.dir });
    try {
      const n = STRING_BATCH * 2 + 17;
      const values = Array.from({ length: n }, (_, i) => (i % 1000 === 0 ? null : `h${i}.example.com`));
      const keys = Array.from({ length: n }, (_, i) => String(i));
      await engine.tempTableFromStrings('big', { k: keys, v: values });
      expect((await engine.one<{ n: number; nn: number }>('select count(*)::int as n, count(v)::int as nn from big'))).toEqual({ n, nn: n - Math.ceil(n / 1000) });
      // Pairs stay aligned: element i of each array is one row.
      expect((await engine.one<{ bad: number }>("select count(*)::int as bad from big where v is not null and v <> 'h' || k || '.example.com'"))!.bad).toBe(0);
      expect(await engine.strings('select v from big order by k::int')).toEqual(values);
    } finally {
      engine.close();
    }
  });
});
