/**
 * Node's module customization hooks (installed by install.ts): instrument ES modules of the
 * program as Node loads them. On Node 20 they run on Node's hooks thread (`module.register`); where
 * Node has `module.registerHooks` (22.15+), on the thread that loads the module. CommonJS is left
 * to commonjs.ts (see install.ts for why).
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
import { createRequire } from 'node:module';
import * as ts from '../typescript.js';
import { makePolicy, pathOfUrl, type LoaderSettings, type Policy } from '../settings.js';
import { javaScriptOptions, typeScriptOptions } from './esm-options.js';
import { InstrumentCache, transformVersion } from '../../cache/instrumented.js';

export interface HooksData {
  settings: LoaderSettings;
  /** Append inline maps (the program runs with source maps enabled). */
  sourceMaps: boolean;
}

type InstrumentModuleExports = typeof import('../instrument-module.js');
type InstrumentModuleOptions = import('../instrument-module.js').InstrumentModuleOptions;
type Instrumented = import('../instrument-module.js').Instrumented;

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
type NextLoadSync = (url: string, context?: LoadContext) => LoadResult;

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
type NextResolveSync = (specifier: string, context?: ResolveContext) => ResolveResult;

/**
 * The hooks are written once, as generators that yield each call of the next hook and get its
 * result back (or its error thrown in): `module.register`'s hooks thread drives them with an
 * awaited next hook (`load`, `resolve`), `module.registerHooks` on the main thread (Node 22.15+,
 * install.ts) with a synchronous one (`loadSync`, `resolveSync`). Nothing else in them waits.
 */
type Steps<Call, Result, T> = Generator<Call, T, Result>;
interface Call<C> {
  specifier: string;
  context: C;
}

function drive<C, R, T>(steps: Steps<Call<C>, R, T>, next: (specifier: string, context: C) => R): T {
  let step = steps.next();
  while (!step.done) {
    let result: R;
    try {
      result = next(step.value.specifier, step.value.context);
    } catch (error) {
      step = steps.throw(error);
      continue;
    }
    step = steps.next(result);
  }
  return step.value;
}

async function driveAsync<C, R, T>(steps: Steps<Call<C>, R, T>, next: (specifier: string, context: C) => Promise<R>): Promise<T> {
  let step = steps.next();
  while (!step.done) {
    let result: R;
    try {
      result = await next(step.value.specifier, step.value.context);
    } catch (error) {
      step = steps.throw(error);
      continue;
    }
    step = steps.next(result);
  }
  return step.value;
}

let settings: LoaderSettings | undefined;
let sourceMaps = false;
let policy: Policy = () => false;
let transform: InstrumentModuleExports | undefined;
let cache: InstrumentCache | undefined;
const require = createRequire(import.meta.url);

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

export function resolve(specifier: string, context: ResolveContext, nextResolve: NextResolve): Promise<ResolveResult> {
  return driveAsync(resolveSteps(specifier, context), nextResolve);
}

export function resolveSync(specifier: string, context: ResolveContext, nextResolve: NextResolveSync): ResolveResult {
  return drive(resolveSteps(specifier, context), nextResolve);
}

function* resolveSteps(specifier: string, context: ResolveContext): Steps<Call<ResolveContext>, ResolveResult, ResolveResult> {
  try {
    return yield { specifier, context };
  } catch (error) {
    const code = (error as { code?: string })?.code;
    const parent = context.parentURL;
    if ((code !== 'ERR_MODULE_NOT_FOUND' && code !== 'ERR_UNSUPPORTED_DIR_IMPORT') || !parent?.startsWith('file:') || !TYPESCRIPT_URL.test(new URL(parent).pathname) || !/^\.\.?\//.test(specifier)) throw error;
    for (const candidate of typeScriptCandidates(specifier)) {
      try {
        return yield { specifier: candidate, context };
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

export function load(url: string, context: LoadContext, nextLoad: NextLoad): Promise<LoadResult> {
  return driveAsync(loadSteps(url, context), nextLoad);
}

export function loadSync(url: string, context: LoadContext, nextLoad: NextLoadSync): LoadResult {
  return drive(loadSteps(url, context), nextLoad);
}

function* loadSteps(url: string, context: LoadContext): Steps<Call<LoadContext>, LoadResult, LoadResult> {
  if (settings === undefined) return yield { specifier: url, context };
  const path = pathOfUrl(url);
  // TypeScript is stripped even where it is not instrumented (--exclude), except in node_modules, as Node 22 does.
  if (path !== undefined && TYPESCRIPT_URL.test(path)) {
    const instrument = policy(path);
    if (instrument || !NODE_MODULES.test(path)) return yield* loadTypeScript(url, path, context, instrument);
  }
  const result: LoadResult = yield { specifier: url, context };
  if (result.format !== 'module' || result.source == null) return result;
  if (path === undefined || !policy(path)) return result;

  const code = text(result.source);
  const compiled = /\.tsx$/i.test(path) && !ts.isFileAsOnDisk(code, path);
  const options = javaScriptOptions(settings, path, sourceMaps, compiled);
  return withInstrumented(result, code, options);
}

/** The module instrumented: from the cache, else by the transform (loaded on the first miss). */
function instrumented(code: string, options: InstrumentModuleOptions): Instrumented {
  const hit = cache?.get(code, options);
  if (hit !== undefined) return hit;
  const out = loadTransform().instrumentModule(code, options);
  cache?.set(code, options, out);
  return out;
}

function withInstrumented(result: LoadResult, code: string, options: InstrumentModuleOptions): LoadResult {
  const out = instrumented(code, options);
  return out.code !== undefined ? { ...result, source: out.code } : result;
}

function* loadTypeScript(url: string, path: string, context: LoadContext, instrument: boolean): Steps<Call<LoadContext>, LoadResult, LoadResult> {
  let result: LoadResult;
  const format = ts.formatOf(path);
  let detect = false;
  try {
    result = yield { specifier: url, context };
  } catch (error) {
    // Node 20 does not know .ts: ask for the file's text (for CommonJS, Node's CommonJS loader
    // reads it and commonjs.ts strips it). Node 22.18+ strips it itself and rejects what it cannot
    // strip: asked for the text, trapdoor strips it and reports a syntax error as on Node 20.
    const code = (error as { code?: string })?.code;
    if (code !== 'ERR_UNKNOWN_FILE_EXTENSION' && code !== 'ERR_INVALID_TYPESCRIPT_SYNTAX') throw error;
    detect = format === undefined;
    result = yield { specifier: url, context: { ...context, format: format ?? 'module' } };
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
    if (detect && !ts.hasModuleSyntax(code, path)) return yield { specifier: url, context: { ...context, format: 'commonjs' } };
  }

  if (!instrument) return strip ? { ...result, format: 'module', source: withMap(code, map) } : result;
  const options = typeScriptOptions(settings!, path, sourceMaps, strip, map);
  const out = instrumented(code, options);
  if (out.code !== undefined) return { ...result, format: 'module', source: out.code };
  return strip ? { ...result, format: 'module', source: withMap(code, map) } : result;
}

/** Stripped code that stays as it is: with its map from 'transform' mode, if the program applies maps. */
function withMap(code: string, map: import('@trapdoor-js/transform').RawSourceMap | undefined): string {
  if (map === undefined || !sourceMaps) return code;
  return `${code}\n${loadTransform().inlineMapComment(map)}\n`;
}

/** The transform, on the first cache miss (Babel's and oxc's parsers take a few hundred milliseconds to load). */
function loadTransform(): InstrumentModuleExports {
  return (transform ??= require('../instrument-module.js') as InstrumentModuleExports);
}

/** A load result's source as text (install.ts uses it for CommonJS too). */
export function text(source: string | ArrayBuffer | ArrayBufferView): string {
  if (typeof source === 'string') return source;
  if (source instanceof ArrayBuffer) return Buffer.from(source).toString('utf8');
  return Buffer.from(source.buffer, source.byteOffset, source.byteLength).toString('utf8');
}
