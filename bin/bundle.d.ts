// Types of bin/bundle.js (plain JavaScript, run by `prepare` before anything is compiled).
export interface BundleManifest {
  /** Repository-relative path of the bundled entry, e.g. dist/<id>/cli.js. */
  entry: string;
  builtAt: string;
  /** [repository-relative path, mtimeMs, size] of every source file in the bundle. */
  inputs: [string, number, number][];
}
export function freshBundleEntry(rootUrl?: URL): string | undefined;
export function bundle(): Promise<BundleManifest>;
