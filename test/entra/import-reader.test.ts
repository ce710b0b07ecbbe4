// The streaming JSON document reader under the Entra import (src/ingest/records.ts): the same
// records, lines and errors whatever the chunk boundaries (a chunk may end inside a string, an
// escape, a key or a number), for Graph pages, arrays, single objects, appended pages, and
// documents cut off mid-way.
import { describe, expect, it } from 'vitest';
import { documentRecords, isJsonDocument, type JsonRecord } from '../../src/ingest/records.js';

async function read(text: string, chunk: number, unwrap = ['value', 'records']): Promise<JsonRecord[]> {
  async function* chunks() {
    for (let i = 0; i < text.length; i += chunk) yield text.slice(i, i + chunk);
  }
  const out: JsonRecord[] = [];
  for await (const r of documentRecords(chunks(), new Set(unwrap))) out.push(r);
  return out;
}

const page = `{
  "@odata.context": "https://graph.microsoft.com/v1.0/$metadata#servicePrincipals",
  "value": [
    {"id": "a", "appId": "1", "displayName": "quote \\" brace } bracket ] comma ,"},
    {
      "id": "b",
      "appId": "2",
      "tags": ["x", "y"], "n": -1.5e3, "ok": true, "none": null
    },
    42,
    "text"
  ],
  "@odata.nextLink": "https://graph.microsoft.com/v1.0/servicePrincipals?$skiptoken=Z"
}
`;

describe('documentRecords', () => {
  it('reads a Graph page: records with their first line and the context before them', async () => {
    const whole = await read(page, page.length);
    expect(whole).toEqual([
      { line: 4, value: { id: 'a', appId: '1', displayName: 'quote " brace } bracket ] comma ,' }, container: { '@odata.context': 'https://graph.microsoft.com/v1.0/$metadata#servicePrincipals' } },
      { line: 5, value: { id: 'b', appId: '2', tags: ['x', 'y'], n: -1500, ok: true, none: null }, container: expect.any(Object) },
      { line: 10, value: 42, container: expect.any(Object) },
      { line: 11, value: 'text', container: expect.any(Object) },
    ]);
    for (const size of [1, 2, 3, 5, 7, 13, 64]) expect(await read(page, size), `chunk ${size}`).toEqual(whole);
  });

  it('reads top-level arrays (CRLF, BOM-less UTF-16 decoded upstream) and single objects', async () => {
    const arr = '[\r\n  {"Id": "1"},\r\n  {"Id": "2"}\r\n]\r\n';
    for (const size of [1, 4, 100]) expect(await read(arr, size)).toEqual([{ line: 2, value: { Id: '1' } }, { line: 3, value: { Id: '2' } }]);
    const one = '{\n  "Id": "x",\n  "AdditionalProperties": {"value": [1]}\n}\n';
    for (const size of [1, 3, 100]) expect(await read(one, size)).toEqual([{ line: 1, value: { Id: 'x', AdditionalProperties: { value: [1] } } }]);
  });

  it('reads pages appended one after another in one file', async () => {
    const two = '{"value": [{"id": "p1"}]}\n{"value": [{"id": "p2"}], "x": 1}';
    for (const size of [1, 6, 100]) expect((await read(two, size)).map((r) => [r.line, (r.value as { id: string }).id])).toEqual([[1, 'p1'], [2, 'p2']]);
  });

  it('a document cut inside a record yields the records before it and the cut record as an error on its line', async () => {
    const cut = page.slice(0, page.indexOf('"tags"'));
    for (const size of [1, 7, 1000]) {
      expect(await read(cut, size)).toEqual([
        expect.objectContaining({ line: 4, value: expect.objectContaining({ id: 'a' }) }),
        { line: 5, error: 'record is cut off: the file ends inside it (truncated export?)' },
      ]);
    }
  });

  it('a document cut between records, a broken record, and trailing garbage are errors with lines', async () => {
    expect(await read('[\n{"id": 1},\n', 3)).toEqual([{ line: 2, value: { id: 1 } }, { line: 3, error: 'the file ends before the JSON document is closed (truncated export?)' }]);
    const broken = await read('[\n{"id": tru},\n{"id": 2}\n]', 2);
    expect(broken[0]).toMatchObject({ line: 2, error: expect.stringMatching(/^not valid JSON/) });
    expect(broken[1]).toEqual({ line: 3, value: { id: 2 } });
    expect(await read('[{"id": 1}]\nnot json', 4)).toEqual([{ line: 1, value: { id: 1 } }, { line: 2, error: 'unexpected text after the end of the JSON document' }]);
  });

  it('tells JSON lines from a pretty-printed document, even when the first line is broken', () => {
    expect(isJsonDocument('{"id": 1}\n{"id": 2}\n')).toBe(false);
    expect(isJsonDocument('{"id": "cut off\n{"id": 2}\n')).toBe(false);
    expect(isJsonDocument('{\n  "value": [\n    {"id": 1}\n  ]\n}\n')).toBe(true);
    expect(isJsonDocument('\n[{"id": 1}]')).toBe(true);
  });
});
