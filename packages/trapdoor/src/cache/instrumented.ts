/**
 * The loaders' cache of instrumented modules: `instrumentModule`'s result for a file, kept on
 * disk (disk-cache.ts) under a key made of everything that decides it:
 *   - the code, as the loader hands it to the transform;
 *   - every option (the file's path, which the site table names; the runtime's URL and path;
 *     module type; inline map; the input source map, when the loader compiled the file itself);
 *   - the external source map the code names, when the loader reads it (its text);
 *   - the transform's version: the build stamps (dist/build-id.json, a hash of the compiled code,
 *     written by the builds: packages/transform/scripts/build-id.mjs) of @trapdoor-js/transform and
 *     of this package's loader files, the version of oxc-parser and the size and modification time of
 *     @babel/parser's file, so a rebuilt transform (same version number, new code) never reads an
 *     older result. Without a stamp (running from the sources, or a `tsc` run alone after the
 *     build), the versions and the size and modification time of every compiled file instead.
 * So a hit needs no transform at all: the loaders load the transform (Babel's parser, the larger
 * part of an instrumented start-up) only on a miss.
 *
 * Use (a loader, a test runner's transformer, an adapter):
 *
 *   const cache = InstrumentCache.open(cwd);          // undefined: TRAPDOOR_CACHE=0
 *   const out = instrumentCached(cache, code, options, () => require('../loaders/instrument-module.js').instrumentModule);
 *
 * or, where the transform is loaded asynchronously, `cache.get(code, options)` and, after a miss,
 * `cache.set(code, options, result)`. Results of files the transform could not instrument (a
 * syntax error, reported by the runtime) are not stored, so the warning, if any, comes again.
 */
import { appendFileSync, existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Instrumented, InstrumentModuleOptions } from '../loaders/instrument-module.js';
import { findMapComment, isDataUrl } from '../instrument/source-maps.js';
import { cacheKey, DiskCache, readHeadLine } from './disk-cache.js';
import { readEnv } from '../loaders/settings.js';
import { LOADER_TARGET } from '../loaders/target.js';
import { findPackageDir } from '../loaders/find-package.js';

export type InstrumentFunction = (code: string, options: InstrumentModuleOptions) => Instrumented;

/**
 * What an entry holds: `{"moduleType":…,"sites":…}` (JSON, one line), then, after a line break,
 * the instrumented code as it is; without the line break and the code when the transform left
 * the file alone (`"code":null`). The code, nearly all of an entry (its inline map included), is
 * then neither escaped nor parsed as JSON. The format's name is in the key (ENTRY_FORMAT), so an
 * entry of an older format is simply not found.
 */
interface EntryHead {
  code?: null;
  moduleType: 'esm' | 'cjs' | null;
  sites: number;
}

const ENTRY_FORMAT = 'instrumented-4';

/** A result as an entry's value. */
export function encodeEntry(result: Instrumented): string {
  const head = { moduleType: result.moduleType ?? null, sites: result.sites };
  return result.code === undefined ? JSON.stringify({ code: null, ...head }) : `${JSON.stringify(head)}\n${result.code}`;
}

/** The result an entry's value holds, or undefined when it does not read as one (a miss). */
export function decodeEntry(text: string): Instrumented | undefined {
  const entry = readHeadLine(text);
  if (entry === undefined) return undefined;
  const head = entry.head as EntryHead;
  if (typeof head !== 'object' || head === null || typeof head.sites !== 'number' || (head.moduleType !== 'esm' && head.moduleType !== 'cjs' && head.moduleType !== null)) return undefined;
  // A left-alone file has no code, and only it.
  if ((head.code === null) !== (entry.rest === undefined)) return undefined;
  return { code: entry.rest, moduleType: head.moduleType ?? undefined, sites: head.sites };
}

let version: string | undefined;

/**
 * `TRAPDOOR_DEBUG_CACHE=<file>`: every lookup appends `hit <path>` or `miss <path>` to <file>
 * (from any thread: the Node loader's hooks run on their own). For tests and for checking a setup.
 */
const DEBUG_FILE = readEnv('TRAPDOOR_DEBUG_CACHE') || undefined;
function debugLine(line: string): void {
  try {
    appendFileSync(DEBUG_FILE!, `${line}\n`);
  } catch {
    // a debugging aid only
  }
}

/**
 * The transform's version, as the cache keys see it (computed once per process: two stamps and
 * a few stat calls, or, without the stamps, a stat of every compiled file).
 */
export function transformVersion(): string {
  if (version !== undefined) return version;
  const parts: unknown[] = [];
  const describe = (manifest: string, folders: string[]): void => {
    const root = dirname(manifest);
    parts.push((JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; version?: string }).version ?? '');
    for (const folder of folders) parts.push(statsOf(join(root, folder)));
  };
  try {
    // Found by a walk, not require.resolve, where that is cheaper (../loaders/find-package.ts):
    // this is on the way to the first module's cache lookup.
    const transform = join(findPackageDir('@trapdoor-js/transform', fileURLToPath(import.meta.url)), 'package.json');
    const transformStamp = buildStamp(join(dirname(transform), 'dist'), 'index.js');
    if (transformStamp !== undefined) parts.push(transformStamp);
    else describe(transform, ['dist']);
    // @babel/parser decides what the transform sees: from the transform's own folder (its
    // "main", as the transform's require finds it: @babel/parser has no "exports").
    parts.push(statsOf(babelParserFile(findPackageDir('@babel/parser', transform))));
    // So does oxc-parser where it loads (its output is Babel's, but what each accepts can differ).
    let oxc = 'none';
    try {
      oxc = (JSON.parse(readFileSync(join(findPackageDir('oxc-parser', transform), 'package.json'), 'utf8')) as { version?: string }).version ?? '';
    } catch {}
    parts.push(oxc);
    // This package's files that shape the result (loaders/instrument-module.js, instrument/source-maps.js).
    // Stamped by this package's build (package.json), with the Deno loader's copy of them.
    const own = fileURLToPath(new URL('../', import.meta.url));
    const ownStamp = buildStamp(own, 'loaders/instrument-module.js');
    if (ownStamp !== undefined) parts.push(ownStamp);
    else {
      parts.push(statsOf(built(join(own, 'loaders', 'instrument-module.js'))), statsOf(built(join(own, 'instrument', 'source-maps.js'))));
      // The Deno loader's copy of both and of the transform, one file (scripts/bundle-deno.mjs).
      const denoBundle = join(own, 'loaders', 'deno', 'transform.cjs');
      if (existsSync(denoBundle)) parts.push(statsOf(denoBundle));
      describe(join(own, '..', 'package.json'), []);
    }
  } catch (error) {
    // Cannot tell the version: a key no other process makes, so nothing is reused.
    parts.push(`unknown ${process.pid} ${Date.now()} ${String(error)}`);
  }
  return (version = cacheKey(...parts));
}

/**
 * The id in `<dist>/build-id.json`, the build's stamp of its compiled code, when there is one and
 * it is not older than `entry`, a file every build rewrites: a `tsc` run alone (a watch, an
 * editor's build) leaves an older stamp behind, which then does not count. An install writes
 * the files anew (npm, at install time, not the tarball's; pnpm, into its store) within moments
 * of each other, in any order: STAMP_SLACK_MS.
 */
export function buildStamp(dist: string, entry: string): string | undefined {
  try {
    const stamp = join(dist, 'build-id.json');
    if (statSync(stamp).mtimeMs + STAMP_SLACK_MS < statSync(join(dist, entry)).mtimeMs) return undefined;
    const id = (JSON.parse(readFileSync(stamp, 'utf8')) as { id?: unknown }).id;
    return typeof id === 'string' && id !== '' ? `build ${id}` : undefined;
  } catch {
    return undefined;
  }
}

const STAMP_SLACK_MS = 1000;

/** @babel/parser's main file (what `require('@babel/parser')` loads), from its folder. */
function babelParserFile(dir: string): string {
  const main = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { main?: string }).main ?? 'index.js';
  const file = join(dir, main);
  return existsSync(file) ? file : createRequire(join(dir, 'package.json')).resolve(dir);
}

/** The compiled file, or its TypeScript source when this runs from the sources (a test runner). */
function built(file: string): string {
  return existsSync(file) ? file : file.replace(/\.js$/, '.ts');
}

/** Name, size and modification time of a file, or of every .js (or .ts) file under a folder. */
function statsOf(path: string): string[] {
  const out: string[] = [];
  const visit = (file: string): void => {
    const stat = statSync(file);
    if (stat.isDirectory()) {
      // Only the files that count are asked for their size (half of a dist/ folder is maps):
      // every instrumented start computes this once, and on Deno each stat is dear.
      for (const entry of readdirSync(file, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
        if (entry.isDirectory() || entry.isSymbolicLink() || CODE.test(entry.name)) visit(join(file, entry.name));
      }
    } else if (CODE.test(file)) out.push(`${file} ${stat.size} ${stat.mtimeMs}`);
  };
  visit(path);
  return out;
}
const CODE = /\.[cm]?[jt]s$/;

/** The text of the external map the code names, when the options say the transform reads it. */
function externalMap(code: string, options: InstrumentModuleOptions): string | null {
  if (!options.readExternalMaps || options.inputSourceMap !== undefined) return null;
  const comment = findMapComment(code);
  if (comment === undefined || isDataUrl(comment.url)) return null;
  try {
    // Where readExternalMap (instrument/source-maps.ts) reads it from.
    const location = new URL(comment.url, pathToFileURL(options.path));
    return location.protocol === 'file:' ? readFileSync(fileURLToPath(location), 'utf8') : 'not a file';
  } catch {
    return 'unreadable';
  }
}

export class InstrumentCache {
  readonly disk: DiskCache;

  constructor(disk: DiskCache) {
    this.disk = disk;
  }

  /** The cache of the working directory, or undefined when `TRAPDOOR_CACHE=0`. */
  static open(cwd?: string): InstrumentCache | undefined {
    const disk = DiskCache.open(cwd);
    return disk === undefined ? undefined : new InstrumentCache(disk);
  }

  /** The key of one call of `instrumentModule(code, options)`. */
  key(code: string, options: InstrumentModuleOptions): string {
    const { path, moduleType, runtimeEsm, runtimeCjs, inlineMap, readExternalMaps, compiled, inputSourceMap, commonJsBindings } = options;
    // The target too: the check form differs by runtime, and runtimes share the cache folder.
    const settings = { path, moduleType, runtimeEsm, runtimeCjs, inlineMap, readExternalMaps, compiled, commonJsBindings, target: LOADER_TARGET };
    return cacheKey(ENTRY_FORMAT, transformVersion(), settings, inputSourceMap ?? null, externalMap(code, options), code);
  }

  /** The stored result, or undefined. */
  get(code: string, options: InstrumentModuleOptions): Instrumented | undefined {
    const hit = this.#read(code, options);
    if (DEBUG_FILE !== undefined) debugLine(`${hit === undefined ? 'miss' : 'hit'} ${options.path}`);
    return hit;
  }

  #read(code: string, options: InstrumentModuleOptions): Instrumented | undefined {
    if (!this.disk.working) return undefined;
    const text = this.disk.get(this.key(code, options));
    return text === undefined ? undefined : decodeEntry(text);
  }

  /** Stores a result (not one of a file the transform could not instrument). */
  set(code: string, options: InstrumentModuleOptions, result: Instrumented): void {
    if (!this.disk.working || result.failed === true) return;
    this.disk.set(this.key(code, options), encodeEntry(result));
  }
}

/**
 * `instrumentModule(code, options)` through the cache: `load()` (which returns the transform,
 * loading it if need be) is called only on a miss. Without a cache, straight through.
 */
export function instrumentCached(cache: InstrumentCache | undefined, code: string, options: InstrumentModuleOptions, load: () => InstrumentFunction): Instrumented {
  const hit = cache?.get(code, options);
  if (hit !== undefined) return hit;
  const result = load()(code, options);
  cache?.set(code, options, result);
  return result;
}
