/**
 * esbuild's own `onLoad` for the plugin, in place of unplugin's transform hook there. What it
 * saves on every build (measured with rxjs's 251 modules): unplugin registers an `onLoad` for every
 * path (`/.*\/`, so each file crosses from esbuild's process to Node and back), reads each with
 * `fs.promises.readFile` (four thread-pool round trips: open, fstat, read, close), and returns
 * files it did not change with a loader guessed from the extension. Here esbuild's own filter picks
 * the code files, a file is read at once, and a file without sites is left to esbuild, loaded with
 * the build's own `loader` settings.
 */
import { readFileSync } from 'node:fs';
import { dirname, extname } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { InstrumentResult, TransformError } from '@trapdoor-js/transform';

/** The part of esbuild's `PluginBuild` used here (esbuild is the user's dependency, not ours). */
export interface EsbuildLike {
  initialOptions: { loader?: Record<string, string>; sourcemap?: unknown };
  onLoad(
    options: { filter: RegExp; namespace?: string },
    callback: (args: { path: string; namespace: string; suffix?: string }) => EsbuildLoadResult | undefined | Promise<EsbuildLoadResult | undefined>,
  ): void;
}

export interface EsbuildLoadResult {
  contents?: string;
  loader?: string;
  resolveDir?: string;
  errors?: { text: string; location: { file: string; line: number; column: number; lineText: string } | null }[];
}

export interface EsbuildLoadHooks {
  /** The code files the plugin may instrument, by name (esbuild runs this filter itself). */
  filter: RegExp;
  /** Whether the include/exclude options take this file. */
  wanted(path: string): boolean;
  /** The instrumented module, or a promise of it while the transform loads (the first module). */
  instrument(code: string, path: string): InstrumentResult | Promise<InstrumentResult>;
  /** Whether an error is the transform's syntax error (reported in esbuild's own format). */
  isSyntaxError(error: unknown): error is TransformError;
  /** The error's message without its `file:line:column: ` prefix (esbuild prints the location itself). */
  reason(error: TransformError): string;
  /** The disk cache (the `cache` option; module-cache.ts), when it is on. */
  cache?: EsbuildLoadCache;
}

/** What the plugin keeps of a module across builds: its code and insert map, or null (left alone). */
export type StoredModule = { code: string; map: { mappings: string } } | null;

/** The disk cache as this file uses it: a module's entry, looked up by its text and path. */
export interface EsbuildLoadCache {
  entry(code: string, path: string): CacheEntry | undefined;
}

/** One module's place in the disk cache (its key made once). */
export interface CacheEntry {
  /** The stored answer, or undefined on a miss. */
  stored: StoredModule | undefined;
  store(stored: StoredModule): void;
}

const SCRIPT_LOADERS = new Set(['js', 'jsx', 'ts', 'tsx']);

/** The loader esbuild would have used: the build's own for the extension when it is a script loader, else by extension. */
function loaderFor(path: string, configured: Record<string, string> | undefined): string {
  const ext = extname(path).toLowerCase();
  const given = configured?.[ext];
  if (given !== undefined && SCRIPT_LOADERS.has(given)) return given;
  if (ext === '.tsx') return 'tsx';
  if (ext === '.jsx') return 'jsx';
  return /^\.[cm]?ts$/.test(ext) ? 'ts' : 'js';
}

/**
 * The map inline, as esbuild chains an input file's inline map into its output map: a
 * percent-encoded `data:application/json,` URL (esbuild's own `url.PathUnescape`), written by
 * hand, not `JSON.stringify` and base64. The mappings are base64 digits, `,` and `;` already, and
 * the one source is a `file:` URL (no `%`, space or quote left as it is), so nothing in the text
 * needs escaping but the URL's own `%`: no encoding pass here, none in esbuild, and a quarter
 * fewer bytes through its pipe than base64 (rxjs's 251 modules: 0.66 MB of mappings). The source
 * as a URL also keeps a `%` in a folder's name: esbuild reads sources as URLs, so a plain path
 * with `%25` in it named another file and lost its text. Without `sourcesContent`: the source is
 * the file itself, which esbuild reads for its output map's `sourcesContent` (the text as written).
 */
export function withInlineMap(code: string, path: string, mappings: string): string {
  const source = JSON.stringify(pathToFileURL(path).href).replaceAll('%', '%25');
  return `${code}\n//# sourceMappingURL=data:application/json,{"version":3,"sources":[${source}],"names":[],"mappings":"${mappings}"}`;
}

/**
 * What the plugin answered for each module of the builds so far, with the text it answered for.
 * esbuild calls `onLoad` for every module of every rebuild of a context (`context().rebuild()`,
 * `--watch`, `serve`), changed or not, and keeps no plugin's answer itself: an unchanged module
 * gets the answer it got, without a parse (rxjs's 251 modules, a context's rebuild with
 * nothing changed, CPU of Node and esbuild: 214-218 -> 94-115 ms; plain 32-42). Per plugin instance, whose options and build settings decide the answer; the
 * answers' strings (for rxjs ~2.2 MB) live as long as the plugin does. Syntax errors are not kept:
 * they are answered again, as esbuild reports them on every build.
 */
type Answers = Map<string, { code: string; answer: EsbuildLoadResult | undefined }>;

export function setupEsbuildLoad(build: EsbuildLike, hooks: EsbuildLoadHooks): void {
  const answers: Answers = new Map();
  // A build without source maps (`sourcemap` unset or false) reads no input file's map: the
  // module is answered without one, and the map is never made (esbuild-load.test.ts: the same
  // bundle either way).
  const withMap = Boolean(build.initialOptions.sourcemap);
  build.onLoad({ filter: hooks.filter, namespace: 'file' }, (args) => {
    // A suffix (`?raw`, `#x`) makes it something else made from the file.
    if (args.suffix || !hooks.wanted(args.path)) return undefined;
    let code: string;
    try {
      code = readFileSync(args.path, 'utf8');
    } catch {
      return undefined; // esbuild reports a missing file its own way
    }
    const known = answers.get(args.path);
    if (known !== undefined && known.code === code) return known.answer && { ...known.answer };
    const failed = (error: unknown): EsbuildLoadResult => {
      if (!hooks.isSyntaxError(error)) throw error;
      // esbuild's own error format, with its frame; nothing half-instrumented is emitted. esbuild
      // draws the frame from `lineText` only (without it: an empty line, the caret at column 0).
      const line = error.line ?? 1;
      const lineText = code.split('\n', line)[line - 1]?.replace(/\r$/, '') ?? '';
      return { errors: [{ text: hooks.reason(error), location: { file: args.path, line, column: error.column ?? 0, lineText } }] };
    };
    const answerFor = (stored: StoredModule): EsbuildLoadResult | undefined =>
      stored === null
        ? undefined
        : { contents: withMap ? withInlineMap(stored.code, args.path, stored.map.mappings) : stored.code, loader: loaderFor(args.path, build.initialOptions.loader), resolveDir: dirname(args.path) };
    const entry = hooks.cache?.entry(code, args.path);
    if (entry?.stored !== undefined) {
      const answer = answerFor(entry.stored);
      answers.set(args.path, { code, answer });
      return answer && { ...answer };
    }
    const done = (result: InstrumentResult): EsbuildLoadResult | undefined => {
      // A stored entry has the map whether this build writes one or not (the next build may); without
      // the cache, a build that writes none never makes it.
      const kept: StoredModule =
        result.skipped !== undefined || result.sites.length === 0 ? null : { code: result.code, map: { mappings: withMap || entry ? result.insertMap.mappings : '' } };
      entry?.store(kept);
      const answer = answerFor(kept);
      answers.set(args.path, { code, answer });
      return answer;
    };
    let result: InstrumentResult | Promise<InstrumentResult>;
    try {
      result = hooks.instrument(code, args.path);
    } catch (error) {
      return failed(error);
    }
    return result instanceof Promise ? result.then(done, failed) : done(result);
  });
}
