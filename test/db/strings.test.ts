// Duck.strings and Duck.tempTableFromStrings move string columns between DuckDB and JS as one JSON
// value each way; every string must come back byte for byte, whatever it holds.
import { afterAll, describe, expect, it } from 'vitest';
import { openEngine } from '../../src/db/duck.js';
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
