/**
 * The folder of an installed package, found as Node's `require.resolve('<name>/package.json')`
 * finds it (the nearest `node_modules/<name>` above a folder, by its real path), by a walk of
 * `existsSync` calls: on Node, each thread's first `require.resolve` of a package with "exports"
 * runs Node's resolver cold (package.json reads, the exports matcher), about 5 ms a name at the
 * start of every instrumented process, on its main thread (locations.ts) and its hooks thread
 * (the cache key's transformVersion). Elsewhere, and wherever the walk finds nothing (NODE_PATH,
 * a global folder), `require.resolve` answers: on Deno a walk could look where the program's
 * --allow-read does not reach, which Deno refuses or asks about, and Bun's resolver is native.
 */
import { existsSync, realpathSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';

const ON_NODE = (process.versions as Record<string, string | undefined>).bun === undefined && (process.versions as Record<string, string | undefined>).deno === undefined;

/** The real path of the folder holding `<name>/package.json` as seen from `fromFile`; throws when there is none. */
export function findPackageDir(name: string, fromFile: string): string {
  if (ON_NODE) {
    for (let dir = dirname(fromFile); ; dir = dirname(dir)) {
      // Node looks in no node_modules/node_modules (Module._nodeModulePaths).
      if (basename(dir) !== 'node_modules') {
        const candidate = join(dir, 'node_modules', name);
        if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
      }
      if (dirname(dir) === dir) break;
    }
  }
  return dirname(createRequire(fromFile).resolve(`${name}/package.json`));
}
