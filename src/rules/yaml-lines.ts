// Line numbers of YAML paths, so a rule problem can name `file:line: field`. (config/load.ts has
// the same lookup for shadowscan.yaml; this one also serves keys that contain dots.)
import { isMap, isScalar, isSeq, type Document, type LineCounter, type Node } from 'yaml';

export type YamlPath = (string | number)[];

/** Line of the deepest node on `path` that exists (the key for mappings), or undefined. */
export function lineOf(doc: Document, lc: LineCounter, path: YamlPath): number | undefined {
  for (let depth = path.length; depth >= 0; depth--) {
    if (depth === 0) {
      const range = (doc.contents as Node | null)?.range;
      return range ? lc.linePos(range[0]).line : undefined;
    }
    const parentPath = path.slice(0, depth - 1);
    const key = path[depth - 1];
    const parent = (parentPath.length ? doc.getIn(parentPath, true) : doc.contents) as Node | undefined;
    if (isSeq(parent) && typeof key === 'number') {
      const range = (parent.items[key] as Node | undefined)?.range;
      if (range) return lc.linePos(range[0]).line;
    }
    if (isMap(parent)) {
      const item = parent.items.find((it) => isScalar(it.key) && String(it.key.value) === String(key));
      const range = (item?.key as Node | undefined)?.range;
      if (range) return lc.linePos(range[0]).line;
    }
  }
  return undefined;
}

/** `tests[0].given["norm.grants"][1].app_id` — unambiguous even for keys with dots. */
export function formatPath(path: YamlPath): string {
  let out = '';
  for (const p of path) {
    if (typeof p === 'number') out += `[${p}]`;
    else if (/^[A-Za-z_][A-Za-z0-9_-]*$/.test(p)) out += out ? `.${p}` : p;
    else out += `[${JSON.stringify(p)}]`;
  }
  return out || '(top level)';
}
