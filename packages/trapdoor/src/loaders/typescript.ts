/**
 * TypeScript on Node 20, which cannot run it: a .ts/.mts/.cts module reaching the loader is either
 * the file itself (nothing compiled it: trapdoor strips its types) or JavaScript another hook
 * already compiled it to (tsx, ts-node: trapdoor instruments that as JavaScript and chains its map).
 * Either way the transform only ever sees JavaScript, so it never inserts TypeScript-only syntax.
 *
 * Types are stripped with @swc/wasm-typescript (what Node 22+'s own type stripping runs, through
 * amaro) in 'strip-only' mode, which replaces every type by spaces: each line and column stays the
 * file's own, so positions are right even without a map. What that mode rejects (enum, namespace,
 * parameter properties, `import x = require()`) goes through its 'transform' mode, whose map is
 * chained into the instrumented module's. swc (3.7 MB of WebAssembly) is loaded on the first
 * TypeScript file only.
 *
 * Module types follow Node's rules: .mts is ESM, .cts CommonJS, .ts what the nearest package.json
 * "type" says, and without one what its syntax says (import/export: ESM), as Node 22 decides.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { compileFunction } from 'node:vm';
import type { RawSourceMap } from '@trapdoor-js/transform';

/** .ts, .mts and .cts, not declaration files. TSX needs a JSX transform: left to other tools. */
const TYPESCRIPT = /\.[cm]?ts$/i;
const DECLARATION = /\.d\.[cm]?ts$/i;

export function isTypeScript(path: string): boolean {
  return TYPESCRIPT.test(path) && !DECLARATION.test(path);
}

/**
 * TSX is not stripped here (it needs a JSX transform), but a .tsx module another hook compiled
 * (tsx) is JavaScript all the same.
 */
export function isTsx(path: string): boolean {
  return /\.tsx$/i.test(path);
}

export type Format = 'module' | 'commonjs';

/** The format Node's rules give a TypeScript file; undefined: decided by its syntax. */
export function formatOf(path: string): Format | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith('.mts')) return 'module';
  if (lower.endsWith('.cts')) return 'commonjs';
  return packageType(dirname(path));
}

const packageTypes = new Map<string, Format | undefined>();

/** The "type" of the nearest package.json, as Node reads it (not looking above a node_modules folder). */
function packageType(dir: string): Format | undefined {
  if (packageTypes.has(dir)) return packageTypes.get(dir);
  let type: Format | undefined;
  let manifest: string | undefined;
  try {
    manifest = readFileSync(join(dir, 'package.json'), 'utf8');
  } catch {
    // none here
  }
  if (manifest !== undefined) {
    try {
      const value = (JSON.parse(manifest) as { type?: unknown }).type;
      type = value === 'module' || value === 'commonjs' ? value : undefined;
    } catch {
      type = undefined; // Node reports a broken package.json itself
    }
  } else if (basename(dir) !== 'node_modules' && dirname(dir) !== dir) {
    type = packageType(dirname(dir));
  }
  packageTypes.set(dir, type);
  return type;
}

/**
 * Whether the code is the file as it is on disk, i.e. no hook before trapdoor compiled it. A
 * hook that compiled it (tsx, ts-node, Babel) hands on different text, JavaScript.
 */
export function isFileAsOnDisk(code: string, path: string): boolean {
  try {
    return withoutBom(readFileSync(path, 'utf8')) === withoutBom(code);
  } catch {
    return false;
  }
}

function withoutBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/**
 * Whether JavaScript must run as an ES module, by the syntax errors V8 gives it as a CommonJS
 * function body: the test Node's own module detection makes (the same messages).
 */
export function hasModuleSyntax(code: string, path: string): boolean {
  try {
    compileFunction(code, ['exports', 'require', 'module', '__filename', '__dirname'], { filename: path });
    return false;
  } catch (error) {
    const message = (error as Error)?.message ?? '';
    return ESM_ONLY.some((m) => message.includes(m));
  }
}

const ESM_ONLY = [
  'Cannot use import statement outside a module',
  "Unexpected token 'export'",
  "Cannot use 'import.meta' outside a module",
  'await is only valid in async functions and the top level bodies of modules',
];

export interface Stripped {
  code: string;
  /** From 'transform' mode only (strip-only keeps every position). Its source is `path`. */
  map: RawSourceMap | undefined;
}

interface SwcError {
  code?: string;
  message?: string;
  startLine?: number;
  startColumn?: number;
}

interface Swc {
  transformSync(code: string, options: Record<string, unknown>): { code: string; map?: string };
}

let swc: Swc | undefined;

function loadSwc(): Swc {
  return (swc ??= createRequire(import.meta.url)('@swc/wasm-typescript') as Swc);
}

/**
 * The module as JavaScript. Throws a SyntaxError with the file, line and column (and an excerpt
 * of the file's own line) when it is not valid TypeScript.
 */
export function stripTypes(code: string, path: string): Stripped {
  const { transformSync } = loadSwc();
  // No `module` option, as Node gives none: `import type` is fine in CommonJS too.
  const options = { filename: path };
  try {
    return { code: transformSync(code, { ...options, mode: 'strip-only' }).code, map: undefined };
  } catch (error) {
    if ((error as SwcError)?.code !== 'UnsupportedSyntax') throw syntaxError(error, code, path, 'node-do-not-add-exception-line');
  }
  try {
    // Node's own settings for --experimental-transform-types: keep imports as written, class
    // fields as they are, no `export {}` added (it would make a CommonJS module ESM).
    const out = transformSync(code, {
      ...options,
      mode: 'transform',
      sourceMap: true,
      transform: { verbatimModuleSyntax: true, nativeClassProperties: true, noEmptyExport: true, importExportAssignConfig: 'Preserve' },
    });
    const map = out.map === undefined ? undefined : (JSON.parse(out.map) as RawSourceMap);
    return { code: out.code, map: map && { ...map, sources: map.sources.map(() => path), sourcesContent: [code] } };
  } catch (error) {
    throw syntaxError(error, code, path, 'node-do-not-add-exception-line');
  }
}

/**
 * A SyntaxError that reads like Node's own for a file that does not parse: the file and line, the
 * line itself with a caret, then the reason, with the column in the message and the one frame.
 * Its stack has no frame of trapdoor's. Node prints the throwing line of an uncaught error above
 * it unless that line contains `node-do-not-add-exception-line` (node_errors.cc): the callers pass
 * it as a string, not a comment, so that the bundled loader (scripts/bundle-node.mjs) keeps it.
 */
function syntaxError(cause: unknown, code: string, path: string, _noExceptionLine: 'node-do-not-add-exception-line'): SyntaxError {
  const e = (cause ?? {}) as SwcError;
  if (typeof e.message !== 'string' || typeof e.startLine !== 'number') {
    return Object.assign(new SyntaxError(`${path}: cannot strip types: ${String((cause as Error)?.message ?? cause)}`), { code: 'ERR_INVALID_TYPESCRIPT_SYNTAX' });
  }
  const line = e.startLine;
  const column = (e.startColumn ?? 0) + 1;
  const text = code.split(/\r?\n/)[line - 1] ?? '';
  const message = `${path}:${line}:${column}: ${e.message}`;
  const error = new SyntaxError(message);
  const caret = `${text.slice(0, column - 1).replace(/[^\t]/g, ' ')}^`;
  error.stack = `${path}:${line}\n${text}\n${caret}\n\nSyntaxError: ${message}\n    at ${path}:${line}:${column}`;
  return Object.assign(error, { code: 'ERR_INVALID_TYPESCRIPT_SYNTAX' });
}
