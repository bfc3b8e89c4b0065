/**
 * Resolves the bare imports of trapdoor's own ES modules (the loader, the transform and their
 * dependencies) as Node would, whatever the user's Deno project says.
 *
 * Deno resolves a bare specifier through the configuration it found for the program: its import
 * map, its package.json dependencies, its nodeModulesDir setting. In a project with a deno.json
 * (even `{}`), `"nodeModulesDir": "none"`, or a package.json that does not list trapdoor, the
 * `import … from '@trapdoor-js/transform'` in trapdoor's loader fails ("not a dependency and not in
 * import map"). Module hooks do not help with that directly: Deno's resolver refuses such a
 * specifier before any resolve hook sees it. So this load hook rewrites the bare specifiers in the
 * source of trapdoor's own modules to the absolute file: URLs Node's resolution gives, before
 * Deno reads their imports. Only modules inside trapdoor's packages and the packages they resolve
 * to are touched; the program's own imports resolve exactly as Deno resolves them without
 * trapdoor. CommonJS needs nothing: Deno's require() resolves as Node does.
 */
import module, { createRequire } from 'node:module';
import { dirname, extname, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { importSpecifiers } from './import-specifiers.js';
import { readManifest, resolveBare } from './node-resolve.js';

interface LoadResult {
  format?: string | null;
  source?: string | ArrayBuffer | ArrayBufferView | null;
  shortCircuit?: boolean;
}
type Next = (url: string, context: object) => LoadResult;
type RegisterHooks = (hooks: { load(url: string, context: object, next: Next): LoadResult }) => unknown;

const INSTALLED = Symbol.for('trapdoor.deno-own-modules');

/** Folders (with a trailing separator) whose ES modules are trapdoor's: their bare imports are resolved here. */
const owned = new Set<string>();

/** Makes more folders trapdoor's (the runtime's, which instrumented modules import by file: URL). */
export function ownDirectories(dirs: Iterable<string>): void {
  for (const dir of dirs) owned.add(withSep(dir));
}

/**
 * Whether the text may hold an import of a bare specifier: a quote after `from`, `import` or
 * `import(`, then neither `.`, `/` nor a scheme. (A comment between the keyword and the string
 * would hide one; none of trapdoor's dependencies write that, and Deno would then say what fails.)
 */
const MAY_IMPORT_BARE = /(?:\bfrom|\bimport)\s*\(?\s*['"](?![./]|[a-zA-Z][a-zA-Z\d+.-]*:)/;
export const mayImportBare = (source: string): boolean => MAY_IMPORT_BARE.test(source);

/** A specifier Deno's resolver takes as it is: relative, absolute, or with a scheme (node:, npm:, file:…). */
const isBare = (specifier: string): boolean => !/^(?:\.{0,2}\/|[a-zA-Z][a-zA-Z\d+.-]*:)/.test(specifier);

/**
 * Installs the hook on this thread (once). `root`: trapdoor's package folder; the packages its
 * modules import become trapdoor's too as they are resolved.
 */
export function resolveOwnImports(root: string): void {
  const holder = globalThis as unknown as Record<symbol, boolean | undefined>;
  if (holder[INSTALLED]) return;
  holder[INSTALLED] = true;
  const registerHooks = (module as unknown as { registerHooks?: RegisterHooks }).registerHooks;
  if (typeof registerHooks !== 'function') return; // the loader says which Deno it needs
  owned.add(withSep(root));
  const decoder = new TextDecoder();
  registerHooks({
    load(url, context, next) {
      const facade = facadeTarget(url);
      if (facade !== undefined) return { format: 'module', source: facade === PROBE ? 'export {};' : commonJsFacade(facade), shortCircuit: true };
      const result = next(url, context);
      if (!url.startsWith('file:') || result.source == null) return result;
      const path = fileURLToPath(url);
      if (!isOwned(path) || !isEsm(path)) return result;
      const source = typeof result.source === 'string' ? result.source : decoder.decode(result.source as ArrayBufferView);
      const rewritten = rewrite(source, path);
      return rewritten === source ? result : { ...result, source: rewritten };
    },
  });
}

/** The source with each bare specifier that Node's resolution finds replaced by its file: URL (or node: name). */
export function rewrite(source: string, path: string): string {
  // Most of trapdoor's modules import only relative files and node: builtins: one regular
  // expression over the text tells, at a fraction of lexing's cost (Deno starts faster).
  if (!mayImportBare(source)) return source;
  let out = '';
  let last = 0;
  for (const specifier of importSpecifiers(source)) {
    if (!isBare(specifier.value)) continue;
    const resolved = resolveBare(specifier.value, path);
    if (resolved === undefined) continue; // left to Deno, which reports it as it would
    if (resolved.packageDir !== undefined) owned.add(withSep(resolved.packageDir));
    const target = resolved.target.startsWith('node:') ? resolved.target : isEsm(resolved.target) ? pathToFileURL(resolved.target).href : facadeUrl(resolved.target);
    out += source.slice(last, specifier.start) + JSON.stringify(target);
    last = specifier.end;
  }
  return last === 0 ? source : out + source.slice(last);
}

/**
 * Where a CommonJS module's ES facade is loaded from. Deno asks load hooks neither for a data:
 * URL nor for a CommonJS .js, and which file: URLs reach them depends on the project: with a
 * package.json (Deno's "manual" node_modules) a file that does not exist is refused before the
 * hooks, but a real file's query reaches them; without one ("none"), queries are dropped, but a
 * file that does not exist reaches them. So the facade is our real placeholder file with the
 * module's path as its query, or a path below a folder of ours that does not exist, whichever
 * this Deno passes on (probeFacadeUrls finds out). Paths keep their slashes (encodeURI): Deno
 * refuses an encoded "/" in a module URL.
 */
const FACADE_FILE = new URL('./commonjs-facade.mjs', import.meta.url).href;
const FACADE_DIR = new URL('./commonjs-facade/', import.meta.url).href;
const PROBE = '?probe';
let byQuery = true;

function facadeUrl(path: string): string {
  return byQuery ? `${FACADE_FILE}?${encodeURI(path)}` : `${FACADE_DIR}${encodeURI(path.replace(/^\//, ''))}.mjs`;
}

/** The CommonJS module's path a facade URL names (PROBE for the probe), or undefined. */
function facadeTarget(url: string): string | undefined {
  if (url === FACADE_FILE + PROBE) return PROBE;
  if (url.startsWith(`${FACADE_FILE}?`)) return decodeURI(url.slice(FACADE_FILE.length + 1));
  if (url.startsWith(FACADE_DIR) && url.endsWith('.mjs')) return `/${decodeURI(url.slice(FACADE_DIR.length, -'.mjs'.length))}`;
  return undefined;
}

/** Finds out whether a query reaches the load hooks (see facadeUrl); once, before the loader loads. */
export async function probeFacadeUrls(): Promise<void> {
  const probe = (await import(FACADE_FILE + PROBE)) as { kind?: string };
  // The placeholder itself (query dropped) exports `kind`; the probe's answer does not.
  byQuery = probe.kind === undefined;
}

/**
 * An ES module that exports a CommonJS module the way Node does: `default` is
 * `module.exports`, and each of its properties is a named export. Deno finds the named exports
 * of CommonJS only for packages its own npm resolution found, not for a file: URL, so
 * `import { parse } from '@babel/parser'` needs this. The names are the module's own keys: it is
 * required when the facade loads, a little before its importer would have run it.
 */
function commonJsFacade(path: string): string {
  const exported = createRequire(path)(path) as unknown;
  const names =
    exported !== null && (typeof exported === 'object' || typeof exported === 'function')
      ? Object.keys(exported).filter((name) => /^[A-Za-z_$][\w$]*$/.test(name) && name !== 'default' && name !== '__esModule')
      : [];
  const text = [
    `import { createRequire } from 'node:module';`,
    `const m = createRequire(${JSON.stringify(path)})(${JSON.stringify(path)});`,
    `export default m;`,
    ...(names.length > 0 ? [`export const { ${names.join(', ')} } = m;`] : []),
  ].join('\n');
  return text;
}

function withSep(dir: string): string {
  return dir.endsWith(sep) ? dir : dir + sep;
}

function isOwned(path: string): boolean {
  for (const dir of owned) if (path.startsWith(dir)) return true;
  return false;
}

/** .mjs, or .js in a "type": "module" package (the nearest package.json decides, as in Node). */
function isEsm(path: string): boolean {
  const extension = extname(path);
  if (extension === '.mjs') return true;
  if (extension !== '.js') return false;
  for (let dir = dirname(path); ; dir = dirname(dir)) {
    const manifest = readManifest(dir);
    if (manifest !== null) return manifest.type === 'module';
    if (dirname(dir) === dir) return false;
  }
}
