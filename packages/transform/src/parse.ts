/**
 * Parsing: which parser and which plugins a file needs (by its extension), and syntax errors
 * turned into one clear error with file, line, column and a code frame.
 *
 * oxc-parser (native) parses JavaScript, TypeScript and JSX where it can be loaded, converted to
 * Babel's AST (parse-oxc.ts). @babel/parser parses the rest: Flow, files with
 * `trapdoor-ignore-next` (the analysis reads Babel's comment attachment), anything oxc rejects
 * (so a syntax error is Babel's message at Babel's position), and everything where oxc cannot
 * load (no binary for the platform; Deno without --allow-ffi, --allow-env and --allow-read).
 */
import type { ParserPlugin, ParserOptions } from '@babel/parser';
import { createRequire } from 'node:module';
import type { File } from '@babel/types';
import { TransformError } from './errors.js';
import type { Lines } from './lines.js';
import { ownRawTransfer, parseOxc, parseOxcAsync, RawTransfer, type OxcBinding, type OxcLang, type OxcParser, type OxcRawParts } from './parse-oxc.js';

const require = createRequire(import.meta.url);

// Both loaded on first use: each costs start-up time (10–25 ms) that a process instrumenting
// only what oxc parses, or nothing, need not pay.
let babel: typeof import('@babel/parser') | undefined;
let oxc: OxcParser | null | undefined;
/** oxc-parser's binding, called directly where its JSON is parsed (parse-oxc.ts); undefined where it does not load. */
let oxcBinding: OxcBinding | undefined;
/** oxc's raw transfer where oxc-parser itself has none but it works (Node 20; parse-oxc.ts, RawTransfer). */
let oxcRaw: RawTransfer | undefined;

/** How oxc's AST comes over: `auto` (raw transfer where it works, else JSON) or `json`. For tests and benchmarks. */
export type TransferChoice = 'auto' | 'json';
let transferChoice: TransferChoice = 'auto';

/** Internal (tests, bench): `json` hands oxc's AST over as JSON text on Node 20, as before raw transfer there. */
export function useTransfer(which: TransferChoice): void {
  transferChoice = which;
}

/** How oxc's AST comes over to `parse` now: `raw` (one buffer decoded), `json`, or `none` where Babel parses. For tests and benchmarks. */
export function transferInUse(): 'raw' | 'json' | 'none' {
  if (parserInUse() !== 'oxc') return 'none';
  if (oxc!.rawTransferSupported?.() === true) return ownRawTransfer() === false ? 'json' : 'raw';
  return transferChoice === 'auto' && oxcRaw?.available() === true ? 'raw' : 'json';
}

/** Which parser `parse` tries first: `auto` (oxc where it loads) or `babel`. For tests and benchmarks. */
export type ParserChoice = 'auto' | 'babel';
let choice: ParserChoice = 'auto';

/** Internal (tests, bench): `babel` parses everything with @babel/parser, as when oxc cannot load. */
export function useParser(which: ParserChoice): void {
  choice = which;
}

/** The parser `parse` would use for a file oxc can parse, now: for tests and benchmarks. */
export function parserInUse(): 'oxc' | 'babel' {
  return choice === 'auto' && loadOxc() !== null ? 'oxc' : 'babel';
}

function loadOxc(): OxcParser | null {
  if (oxc !== undefined) return oxc;
  oxc = null;
  if (!denoAllowsAddons()) return oxc;
  try {
    const loaded = require('oxc-parser') as OxcParser;
    if (typeof loaded.parseSync === 'function') oxc = loaded;
  } catch {
    // No binary for this platform, or the runtime refuses native addons: Babel parses everything.
    return oxc;
  }
  if (oxc === null) return oxc;
  try {
    // The module the package's own parseSync calls (the same instance, loaded with it).
    const binding = require('oxc-parser/src-js/bindings') as Partial<OxcBinding>;
    if (typeof binding.parseSync === 'function') oxcBinding = binding as OxcBinding;
  } catch {
    // Another layout: the package's parseSync alone.
  }
  if (oxc.rawTransferSupported?.() !== true) oxcRaw = loadRaw();
  return oxc;
}

/**
 * The parts of oxc-parser its raw transfer is made of (parse-oxc.ts, RawTransfer), on Node alone
 * (Bun's ArrayBuffers stop at 4 GiB; Deno 2 has oxc-parser's own) and where the binding says the
 * transfer works on this machine (64-bit, little-endian). Undefined where any part is missing.
 */
function loadRaw(): RawTransfer | undefined {
  const runtime = globalThis as { Bun?: unknown; Deno?: unknown };
  if (runtime.Bun !== undefined || runtime.Deno !== undefined || process.versions.bun !== undefined || process.release?.name !== 'node') return undefined;
  try {
    type Binding = Partial<OxcRawParts> & { rawTransferSupported?: () => boolean };
    const binding = require('oxc-parser/src-js/bindings') as Binding;
    const constants = require('oxc-parser/src-js/generated/constants') as Partial<OxcRawParts['constants']>;
    const { getBufferOffset, parseRawSync, rawTransferSupported } = binding;
    if (typeof getBufferOffset !== 'function' || typeof parseRawSync !== 'function' || rawTransferSupported?.() !== true) return undefined;
    const { BLOCK_SIZE, BLOCK_ALIGN, BUFFER_SIZE, ACTIVE_SIZE, IS_TS_FLAG_POS } = constants;
    if (![BLOCK_SIZE, BLOCK_ALIGN, BUFFER_SIZE, ACTIVE_SIZE, IS_TS_FLAG_POS].every((n) => typeof n === 'number')) return undefined;
    const deserializers: Partial<Record<'js' | 'ts', ReturnType<OxcRawParts['deserializer']>>> = {};
    const parts: OxcRawParts = {
      getBufferOffset,
      parseRawSync,
      constants: constants as OxcRawParts['constants'],
      // Each is a large module: loaded for the first AST of its kind.
      deserializer: (kind) => (deserializers[kind] ??= (require(`oxc-parser/src-js/generated/deserialize/${kind}`) as { deserialize: ReturnType<OxcRawParts['deserializer']> }).deserialize),
    };
    return new RawTransfer(parts);
  } catch {
    return undefined;
  }
}

/**
 * Deno loads a Node-API addon only with --allow-ffi, and oxc-parser's loader reads four
 * environment variables and the file system (to tell glibc from musl); without those Deno would
 * ask on a terminal, or throw. So the permissions are queried first, which never prompts.
 */
function denoAllowsAddons(): boolean {
  type Query = (d: { name: string; variable?: string }) => { state: string };
  const deno = (globalThis as { Deno?: { permissions?: { querySync?: Query } } }).Deno;
  if (deno === undefined) return true;
  try {
    const query = deno.permissions?.querySync?.bind(deno.permissions);
    if (query === undefined) return false;
    const env = ['NAPI_RS_NATIVE_LIBRARY_PATH', 'NAPI_RS_ENFORCE_VERSION_CHECK', 'NAPI_RS_FORCE_WASI', 'NAPI_RS_WASI_FLAVOR'];
    return (
      query({ name: 'ffi' }).state === 'granted' &&
      query({ name: 'read' }).state === 'granted' &&
      env.every((variable) => query({ name: 'env', variable }).state === 'granted')
    );
  } catch {
    return false;
  }
}

function babelParse(code: string, options: ParserOptions): File {
  babel ??= require('@babel/parser') as typeof import('@babel/parser');
  return babel.parse(code, options) as File;
}

export type ModuleType = 'esm' | 'cjs';
export type Language = 'js' | 'ts';

export interface Parsed {
  ast: File;
  moduleType: ModuleType;
  language: Language;
}

const EXTENSION = /\.([cm]?[jt]sx?)$/i;

/** The plugins a file's extension calls for. Flow only with an `@flow` pragma, as babel-preset-flow does. */
function pluginsFor(filename: string, code: string, given: Language | undefined): { plugins: ParserPlugin[]; language: Language } {
  const ext = EXTENSION.exec(filename)?.[1]?.toLowerCase() ?? 'js';
  const typescript = given === undefined ? ext === 'ts' || ext === 'mts' || ext === 'cts' || ext === 'tsx' : given === 'ts';
  if (typescript) return { plugins: ext === 'tsx' || ext === 'jsx' ? ['typescript', 'jsx'] : ['typescript'], language: 'ts' };
  // .js, .jsx, .mjs, .cjs: JSX is unambiguous in JavaScript, so always on.
  const plugins: ParserPlugin[] = ['jsx'];
  if (/@flow\b/.test(code.slice(0, 2048))) plugins.push('flow');
  return { plugins, language: 'js' };
}

function oxcLang(plugins: ParserPlugin[]): OxcLang {
  if (!plugins.includes('typescript')) return 'jsx';
  return plugins.includes('jsx') ? 'tsx' : 'ts';
}

function moduleTypeFromExtension(filename: string): ModuleType | undefined {
  const ext = EXTENSION.exec(filename)?.[1]?.toLowerCase();
  if (ext === 'mjs' || ext === 'mts') return 'esm';
  if (ext === 'cjs' || ext === 'cts') return 'cjs';
  return undefined;
}

/** `lines`: the code's lines (lines.ts), when the caller has them already. */
export function parse(code: string, filename: string, moduleType: ModuleType | undefined, withComments: boolean, given?: Language, lines?: Lines): Parsed {
  const { plugins, language } = pluginsFor(filename, code, given);
  const known = moduleType ?? moduleTypeFromExtension(filename);
  const parser = oxcFor(withComments, plugins);
  if (parser) {
    const ast = parseOxc(parser, code, filename, oxcLang(plugins), known === 'esm', lines, oxcBinding, rawFor());
    if (ast) return { ast, moduleType: known ?? (ast.program.sourceType === 'module' ? 'esm' : 'cjs'), language };
  }
  return parseBabel(code, filename, known, withComments, plugins, language);
}

/**
 * `parse` with oxc's parse on libuv's thread pool (parseOxcAsync), for callers that instrument
 * several files at once (the bundlers' async hooks). The same choice of parser and the same AST:
 * Babel, where it parses (Flow, `trapdoor-ignore-next`, what oxc rejects, where oxc does not
 * load), parses as `parse` does, on this thread.
 */
export async function parseAsync(code: string, filename: string, moduleType: ModuleType | undefined, withComments: boolean, given?: Language, lines?: Lines): Promise<Parsed> {
  const { plugins, language } = pluginsFor(filename, code, given);
  const known = moduleType ?? moduleTypeFromExtension(filename);
  const parser = oxcFor(withComments, plugins);
  if (parser) {
    // Through JSON on Node 20 still: raw transfer on the pool measured slower (parse-oxc.ts, RawTransfer).
    const ast = await parseOxcAsync(parser, code, filename, oxcLang(plugins), known === 'esm', lines, oxcBinding);
    if (ast) return { ast, moduleType: known ?? (ast.program.sourceType === 'module' ? 'esm' : 'cjs'), language };
  }
  return parseBabel(code, filename, known, withComments, plugins, language);
}

const rawFor = (): RawTransfer | undefined => (transferChoice === 'auto' ? oxcRaw : undefined);

/** oxc, where it parses this file (see the top of this file); else null. */
function oxcFor(withComments: boolean, plugins: ParserPlugin[]): OxcParser | null {
  return choice === 'auto' && !withComments && !plugins.includes('flow') ? loadOxc() : null;
}

function parseBabel(code: string, filename: string, known: ModuleType | undefined, withComments: boolean, plugins: ParserPlugin[], language: Language): Parsed {
  try {
    const ast = babelParse(code, {
      sourceFilename: filename,
      // Parse by the file's own syntax: a module if it has import/export (or top-level await),
      // else a script. `moduleType` says how the runtime is imported, which can differ: TypeScript
      // written with import/export is often compiled to CommonJS.
      sourceType: known === 'esm' ? 'module' : 'unambiguous',
      // CommonJS modules may `return` at the top level.
      allowReturnOutsideFunction: known !== 'esm',
      allowAwaitOutsideFunction: known === 'esm',
      // Comments are only needed for `// trapdoor-ignore-next`; attaching them costs time.
      attachComment: withComments,
      errorRecovery: false,
      // Syntax engines accept that Babel keeps behind flags: `import … assert {}` (Node 20 runs it),
      // auto-accessors (TypeScript 4.9+), `using` declarations.
      plugins: [...plugins, 'decorators-legacy', 'decoratorAutoAccessors', 'deprecatedImportAssert', 'explicitResourceManagement'],
    });
    const resolved: ModuleType = known ?? (ast.program.sourceType === 'module' ? 'esm' : 'cjs');
    return { ast, moduleType: resolved, language };
  } catch (error) {
    throw syntaxError(error, code, filename);
  }
}

function syntaxError(error: unknown, code: string, filename: string): TransformError {
  const e = error as { message?: string; loc?: { line: number; column: number } };
  if (!e || typeof e.loc?.line !== 'number') throw error;
  const { line, column } = e.loc;
  const reason = String(e.message).replace(/\s*\(\d+:\d+\)$/, '');
  return new TransformError('ERR_TRAPDOOR_SYNTAX', `${filename}:${line}:${column + 1}: ${reason}\n${codeFrame(code, line, column)}`, {
    file: filename,
    line,
    column,
  });
}

/** @babel/code-frame's frame without colours at a 1-based `line` and 0-based `column` (errors' frames: the adapters' too). */
export function codeFrame(code: string, line: number, column: number): string {
  // Loaded only for an error: it costs start-up time every instrumenting process would pay.
  const { codeFrameColumns } = createRequire(import.meta.url)('@babel/code-frame') as typeof import('@babel/code-frame');
  return codeFrameColumns(code, { start: { line, column: column + 1 } }, { highlightCode: false });
}
