/**
 * One module through the transform, as every loader does it: the original path as the name the
 * site table reports, the runtime by absolute URL (ESM) or path (CommonJS), the file's own source
 * map chained, and optionally our map appended inline.
 */
import { Buffer } from 'node:buffer';
import { instrument, type InstrumentResult, type RawSourceMap } from '@trapdoor-js/transform';
import { findMapComment, isDataUrl, readExternalMap } from '../instrument/source-maps.js';
import { LOADER_TARGET } from './target.js';

export type ModuleType = 'esm' | 'cjs';

export interface InstrumentModuleOptions {
  /** Absolute path of the original file: what the site table names. */
  path: string;
  /** How the runtime will load the code; undefined: from its syntax (import/export → ESM). */
  moduleType: ModuleType | undefined;
  runtimeEsm: string;
  runtimeCjs: string;
  /**
   * Append our map as an inline `sourceMappingURL` data URL, for runtimes that apply it: always,
   * never, or only when the file came with a map of its own.
   */
  inlineMap: 'always' | 'never' | 'if-own-map';
  /** Read an external `sourceMappingURL` the code names, to chain it (needs file system access). */
  readExternalMaps: boolean;
  /**
   * The code is JavaScript compiled from the file (Deno hands loaders its own TypeScript output):
   * parse it as JavaScript whatever the file's extension.
   */
  compiled?: boolean;
  /**
   * The map from the code to the file, when the loader compiled it itself (TypeScript's types
   * stripped by transform): chained instead of a map comment in the code.
   */
  inputSourceMap?: RawSourceMap;
  /** Where CommonJS output binds the runtime (the transform's `commonJsBindings`; Bun: 'end'). */
  commonJsBindings?: 'auto' | 'end';
}

export interface Instrumented {
  /** The instrumented code; undefined when the code stays as it is (see below). */
  code: string | undefined;
  /** How the code imports the runtime, or would: undefined when the transform did not parse it. */
  moduleType: ModuleType | undefined;
  sites: number;
  /** The transform could not instrument the code (a syntax error, …): nothing for a cache to keep. */
  failed?: true;
}

/**
 * Instruments the code. It stays as it is when there is nothing to instrument, an opt-out comment,
 * or a syntax error (left for the runtime to report in its own words).
 */
export function instrumentModule(code: string, options: InstrumentModuleOptions): Instrumented {
  const { path } = options;
  let inputSourceMap = options.inputSourceMap;
  const comment = inputSourceMap === undefined ? findMapComment(code) : undefined;
  // The file came with a map of its own that the transform chains: inline, or external and readable.
  let ownMap = inputSourceMap !== undefined || (comment !== undefined && isDataUrl(comment.url));
  if (options.readExternalMaps && comment && !isDataUrl(comment.url)) {
    try {
      inputSourceMap = readExternalMap(path, comment.url);
      ownMap = true;
    } catch {
      // An unreadable map: the table names the generated file, as the runtime's own stack traces do.
    }
  }

  // The transform picks its parser from the extension; compiled output is JavaScript.
  const filename = options.compiled ? `${path}${COMPILED_SUFFIX}` : path;
  const run = (text: string, moduleType: ModuleType | undefined): InstrumentResult =>
    instrument(text, { filename, moduleType, runtime: moduleType === 'esm' ? options.runtimeEsm : options.runtimeCjs, inputSourceMap, commonJsBindings: options.commonJsBindings, target: LOADER_TARGET });
  const attempt = (text: string): InstrumentResult => {
    // Unknown module type: guess CommonJS (a .js file without "type" usually is), redo if it was ESM.
    const result = run(text, options.moduleType);
    return options.moduleType === undefined && result.moduleType === 'esm' && result.sites.length > 0 ? run(text, 'esm') : result;
  };

  let result: InstrumentResult;
  try {
    try {
      result = attempt(code);
    } catch (error) {
      // A broken map of the file's own: instrument without it (its comment is the last line, so no position moves).
      if ((error as { code?: string })?.code !== 'ERR_TRAPDOOR_SOURCE_MAP' || !comment) throw error;
      inputSourceMap = undefined;
      ownMap = false;
      result = attempt(code.slice(0, comment.start) + code.slice(comment.end));
    }
  } catch (error) {
    const e = error as { code?: string; message?: string };
    if (e?.code !== 'ERR_TRAPDOOR_SYNTAX') warnOnce(`trapdoor: cannot instrument ${path}, running it as it is: ${e?.message ?? String(error)}`);
    return { code: undefined, moduleType: undefined, sites: 0, failed: true };
  }
  if (result.sites.length === 0) return { code: undefined, moduleType: result.skipped ? options.moduleType : result.moduleType, sites: 0 };

  let out = result.code;
  let map = result.map;
  if (options.compiled) {
    // Name the original file, not the stand-in name the parser needed.
    const stand = JSON.stringify(filename);
    out = out.split(stand).join(JSON.stringify(path));
    map = { ...map, file: map.file?.replace(COMPILED_SUFFIX, ''), sources: map.sources.map((s) => (s === filename ? path : s)) };
  }
  if (options.inlineMap === 'always' || (options.inlineMap === 'if-own-map' && ownMap)) out = `${out}${out.endsWith('\n') ? '' : '\n'}${inlineMapComment(map)}\n`;
  return { code: out, moduleType: result.moduleType, sites: result.sites.length };
}

const COMPILED_SUFFIX = '.trapdoor-compiled.js';

/**
 * Plain `data:application/json;base64,`: Deno applies an inline map only in this exact form (with
 * `;charset=utf-8` it is ignored); Node accepts both.
 */
export function inlineMapComment(map: RawSourceMap): string {
  return `//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}`;
}

const warned = new Set<string>();
function warnOnce(message: string): void {
  if (warned.has(message)) return;
  warned.add(message);
  process.stderr.write(`${message}\n`);
}
