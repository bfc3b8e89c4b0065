/**
 * Node's module customization hooks (registered by register.ts; they run on Node's hooks thread):
 * instrument ES modules of the program as Node loads them. CommonJS is left to commonjs.ts (see
 * register.ts for why).
 *
 * TypeScript (typescript.ts): a .ts/.mts/.cts module is stripped of its types here unless a hook
 * before this one (tsx) compiled it already; Node 20's own loader does not know the extension, so
 * its format is given by Node's rules. A relative import from TypeScript that does not resolve is
 * tried as the TypeScript file it names (`./util.js` → `./util.ts`, `./util` → `./util.ts`), as
 * tsc and tsx resolve it; whatever resolves without that is left alone.
 *
 * The transform (Babel's parser) takes a few hundred milliseconds to load, so it is loaded on the
 * first module that needs it and is not in the cache of instrumented modules (../../cache/): a
 * CommonJS-only program, or one whose modules are all cached, never loads it here.
 */
import { Buffer } from 'node:buffer';
import { makePolicy, pathOfUrl, type LoaderSettings, type Policy } from '../settings.js';
import { javaScriptOptions, typeScriptOptions } from './esm-options.js';
import { InstrumentCache, transformVersion } from '../../cache/instrumented.js';

export interface HooksData {
  settings: LoaderSettings;
  /** Append inline maps (the program runs with source maps enabled). */
  sourceMaps: boolean;
}

type InstrumentModule = typeof import('../instrument-module.js').instrumentModule;
type InstrumentModuleOptions = import('../instrument-module.js').InstrumentModuleOptions;
type Instrumented = import('../instrument-module.js').Instrumented;
type TypeScript = typeof import('../typescript.js');

interface LoadResult {
  format?: string | null;
  source?: string | ArrayBuffer | ArrayBufferView | null;
  shortCircuit?: boolean;
}
interface LoadContext {
  format?: string | null;
  [key: string]: unknown;
}
type NextLoad = (url: string, context?: LoadContext) => Promise<LoadResult>;

interface ResolveContext {
  parentURL?: string;
  [key: string]: unknown;
}
interface ResolveResult {
  url: string;
  format?: string | null;
  shortCircuit?: boolean;
}
type NextResolve = (specifier: string, context?: ResolveContext) => Promise<ResolveResult>;

let settings: LoaderSettings | undefined;
let sourceMaps = false;
let policy: Policy = () => false;
let transform: Promise<InstrumentModule> | undefined;
let typescript: Promise<TypeScript> | undefined;
let cache: InstrumentCache | undefined;

export function initialize(data: HooksData | undefined): void {
  if (!data) return;
  settings = data.settings;
  sourceMaps = data.sourceMaps;
  policy = makePolicy(settings);
  cache = InstrumentCache.open(settings.cwd);
}

/**
 * What the first module's cache lookup needs and nothing else does, done while the main thread
 * still loads the runtime (hooks-entry.ts calls it once `ready` is set): the transform's version
 * (a few package.json files and stat calls) and node:crypto, which the cache keys use.
 */
export function warm(): void {
  if (cache?.disk.working === true) transformVersion();
}

const TYPESCRIPT_URL = /\.[cm]?ts$/i;
const NODE_MODULES = /[\\/]node_modules[\\/]/;

export async function resolve(specifier: string, context: ResolveContext, nextResolve: NextResolve): Promise<ResolveResult> {
  try {
    return await nextResolve(specifier, context);
  } catch (error) {
    const code = (error as { code?: string })?.code;
    const parent = context.parentURL;
    if ((code !== 'ERR_MODULE_NOT_FOUND' && code !== 'ERR_UNSUPPORTED_DIR_IMPORT') || !parent?.startsWith('file:') || !TYPESCRIPT_URL.test(new URL(parent).pathname) || !/^\.\.?\//.test(specifier)) throw error;
    for (const candidate of typeScriptCandidates(specifier)) {
      try {
        return await nextResolve(candidate, context);
      } catch {
        // the next one
      }
    }
    throw error;
  }
}

/** What a relative specifier from TypeScript may name: its .js extension written for the emitted file, or none. */
function typeScriptCandidates(specifier: string): string[] {
  const match = /\.([cm]?)js$/.exec(specifier);
  if (match) return [`${specifier.slice(0, -match[0].length)}.${match[1]}ts`];
  if (/\.[cm]?ts$/.test(specifier)) return [];
  return [`${specifier}.ts`, `${specifier.replace(/\/$/, '')}/index.ts`];
}

export async function load(url: string, context: LoadContext, nextLoad: NextLoad): Promise<LoadResult> {
  if (settings === undefined) return nextLoad(url, context);
  const path = pathOfUrl(url);
  // TypeScript is stripped even where it is not instrumented (--exclude), except in node_modules, as Node 22 does.
  if (path !== undefined && TYPESCRIPT_URL.test(path)) {
    const instrument = policy(path);
    if (instrument || !NODE_MODULES.test(path)) return loadTypeScript(url, path, context, nextLoad, instrument);
  }
  const result = await nextLoad(url, context);
  if (result.format !== 'module' || result.source == null) return result;
  if (path === undefined || !policy(path)) return result;

  const code = text(result.source);
  const compiled = /\.tsx$/i.test(path) && !(await (typescript ??= import('../typescript.js'))).isFileAsOnDisk(code, path);
  const options = javaScriptOptions(settings, path, sourceMaps, compiled);
  return withInstrumented(result, code, options);
}

/** The module instrumented: from the cache, else by the transform (loaded on the first miss). */
async function instrumented(code: string, options: InstrumentModuleOptions): Promise<Instrumented> {
  const hit = cache?.get(code, options);
  if (hit !== undefined) return hit;
  const out = (await loadTransform())(code, options);
  cache?.set(code, options, out);
  return out;
}

async function withInstrumented(result: LoadResult, code: string, options: InstrumentModuleOptions): Promise<LoadResult> {
  const out = await instrumented(code, options);
  return out.code !== undefined ? { ...result, source: out.code } : result;
}

async function loadTypeScript(url: string, path: string, context: LoadContext, nextLoad: NextLoad, instrument: boolean): Promise<LoadResult> {
  const ts = await (typescript ??= import('../typescript.js'));
  let result: LoadResult;
  const format = ts.formatOf(path);
  let detect = false;
  try {
    result = await nextLoad(url, context);
  } catch (error) {
    // Node 20 does not know .ts: ask for the file's text (for CommonJS, Node's CommonJS loader
    // reads it and commonjs.ts strips it).
    if ((error as { code?: string })?.code !== 'ERR_UNKNOWN_FILE_EXTENSION') throw error;
    detect = format === undefined;
    result = await nextLoad(url, { ...context, format: format ?? 'module' });
  }
  // Node 22.6+ strips types itself and says so in the format; trapdoor strips them (the same swc) to instrument.
  if (result.format === 'module-typescript') result = { ...result, format: 'module' };
  if (result.format !== 'module' || result.source == null) return result;

  let code = text(result.source);
  let map: import('@trapdoor-js/transform').RawSourceMap | undefined;
  const strip = ts.isFileAsOnDisk(code, path);
  if (strip) {
    ({ code, map } = ts.stripTypes(code, path));
    // Without a package "type", Node 22 decides a .ts file by its syntax, as Node 20 does a .js file.
    if (detect && !ts.hasModuleSyntax(code, path)) return nextLoad(url, { ...context, format: 'commonjs' });
  }

  if (!instrument) return strip ? { ...result, format: 'module', source: await withMap(code, map) } : result;
  const options = typeScriptOptions(settings!, path, sourceMaps, strip, map);
  const out = await instrumented(code, options);
  if (out.code !== undefined) return { ...result, format: 'module', source: out.code };
  return strip ? { ...result, format: 'module', source: await withMap(code, map) } : result;
}

/** Stripped code that stays as it is: with its map from 'transform' mode, if the program applies maps. */
async function withMap(code: string, map: import('@trapdoor-js/transform').RawSourceMap | undefined): Promise<string> {
  if (map === undefined || !sourceMaps) return code;
  const { inlineMapComment } = await import('../instrument-module.js');
  return `${code}\n${inlineMapComment(map)}\n`;
}

function loadTransform(): Promise<InstrumentModule> {
  return (transform ??= import('../instrument-module.js').then((m) => m.instrumentModule));
}

function text(source: string | ArrayBuffer | ArrayBufferView): string {
  if (typeof source === 'string') return source;
  if (source instanceof ArrayBuffer) return Buffer.from(source).toString('utf8');
  return Buffer.from(source.buffer, source.byteOffset, source.byteLength).toString('utf8');
}
