/**
 * How each file should import the runtime (`import` or `require`), decided the way the program's
 * runtime decides how to load it.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

export type ModuleType = 'esm' | 'cjs';

/**
 * - `.mjs`/`.mts` are ESM and `.cjs`/`.cts` CommonJS, whatever the package says;
 * - else the nearest package.json (walking up from the file, also above the input) decides:
 *   `"type": "module"` makes every file ESM; `"type": "commonjs"` makes `.js` files CommonJS.
 *   TypeScript and JSX files are compiled before they run, and their `import`/`export` syntax
 *   is what the compiler converts, so for them `"commonjs"` does not force a `require`;
 * - else undefined: the transform decides from the syntax (import/export means ESM), as Node
 *   20.19+ does for a package.json without "type".
 */
export class ModuleTypes {
  /** Directory → the "type" of the package.json that governs it (undefined: none or no field). */
  private readonly cache = new Map<string, string | undefined>();

  of(file: string): ModuleType | undefined {
    if (/\.m[jt]s$/i.test(file)) return 'esm';
    if (/\.c[jt]s$/i.test(file)) return 'cjs';
    const type = this.packageType(dirname(file));
    if (type === 'module') return 'esm';
    if (type === 'commonjs' && /\.js$/i.test(file)) return 'cjs';
    return undefined;
  }

  private packageType(dir: string): string | undefined {
    if (this.cache.has(dir)) return this.cache.get(dir);
    let type: string | undefined;
    const found = readPackageJson(join(dir, 'package.json'));
    if (found) type = typeof found.type === 'string' ? found.type : undefined;
    else if (dirname(dir) !== dir) type = this.packageType(dirname(dir));
    this.cache.set(dir, type);
    return type;
  }
}

/** The parsed package.json, or undefined when there is none. An unparsable one counts as one without "type". */
function readPackageJson(path: string): { type?: unknown } | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  try {
    const parsed: unknown = JSON.parse(text);
    return parsed !== null && typeof parsed === 'object' ? parsed : {};
  } catch {
    return {};
  }
}
