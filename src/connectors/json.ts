// Field access for provider JSON, shared by every connector's pure transforms (Okta, Entra,
// Google). Exports differ in key case (SIEM copies lowercase keys, Graph PowerShell dumps use
// PascalCase) and may be partial, so fields are read case-insensitively and missing parts are null.

type Json = Record<string, unknown>;

/** Case-insensitive property access along a path; undefined when any step is missing. */
export function pick(obj: unknown, ...path: string[]): unknown {
  let cur: unknown = obj;
  for (const key of path) {
    if (!cur || typeof cur !== 'object' || Array.isArray(cur)) return undefined;
    const rec = cur as Json;
    if (key in rec) cur = rec[key];
    else {
      const lower = key.toLowerCase();
      const found = Object.keys(rec).find((k) => k.toLowerCase() === lower);
      cur = found === undefined ? undefined : rec[found];
    }
  }
  return cur;
}

/** A value as text: '' and missing → null; objects as JSON. */
export const str = (v: unknown): string | null =>
  v === undefined || v === null || v === '' ? null : typeof v === 'string' ? v : typeof v === 'object' ? JSON.stringify(v) : String(v);

/** A timestamp as the provider wrote it (Dates, from SDKs, as ISO); the raw column casts it. */
export const time = (v: unknown): string | null => (v instanceof Date ? v.toISOString() : str(v));
