/**
 * Call frames of a pause.
 *
 * The top frame is the trap site itself: its exact original position comes from the module
 * table, and its locals are the values the check passed. The frames below it come from the
 * engine's own stack (the V8 CallSite API, which V8 in Node and Deno and JavaScriptCore in Bun
 * all implement: `Error.prepareStackTrace` receives structured frames), with the runtime's own
 * frames dropped, each mapped back to its original file and position:
 *
 *   generated column  ──(module's `shifts`: subtract what was inserted before it on its line)──▶
 *   input position    ──(module's `inputMap`, e.g. TypeScript → JavaScript, via trace-mapping)──▶
 *   original file:line:column
 *
 * (No newline is ever inserted, so the generated line is the input line.) A frame in a file that
 * was not instrumented keeps its position and gets a script of its own if the file can be read;
 * native frames (Array.from, sort, …) and engine internals (`node:…`) are dropped from what the
 * client sees but still count for the stack depth that stepping compares.
 *
 * Per engine: Node names ES module frames by file: URL and CommonJS frames by path; Bun and
 * Deno name both by path; Deno maps frames through inline source maps itself (a frame already in
 * original coordinates is recognised by its file being an announced original script).
 * JavaScriptCore implements proper tail calls in strict code: a caller that tail-called
 * (`return f()` in an ES module) has no frame on Bun, so it cannot be shown.
 */
import { realpathSync } from 'node:fs';
import { dirname, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { TraceMap, originalPositionFor, LEAST_UPPER_BOUND, GREATEST_LOWER_BOUND } from '@jridgewell/trace-mapping';
import { adopt, type InstrumentedModule } from '../modules.js';
import { tablesIn } from './module-tables.js';
import { toUrl, type Script, type Scripts } from './scripts.js';
import { fileMapSources, throughFileMap } from './file-maps.js';
import { withCallSites, type CallSite } from '../call-sites.js';
import { BUNDLED_RUNTIME_KEY, packageRoot } from '../package-files.js';

/** One frame of the engine's stack, as the CallSite API gives it. */
export interface EngineFrame {
  /** Path or URL; undefined for native frames. */
  file: string | undefined;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  functionName: string;
}

/** A frame placed in an announced script (0-based line and column, as CDP counts). */
export interface MappedFrame {
  script: Script;
  lineNumber: number;
  columnNumber: number;
  functionName: string;
}

/** Frames shown to the client below the trap site, at most (the engine stack may be far deeper). */
export const MAX_OUTER_FRAMES = 256;

// ─── The runtime's own frames ─────────────────────────────────────────────────────────────

function toPath(file: string): string {
  if (!file.startsWith('file:')) return file;
  try {
    return fileURLToPath(file);
  } catch {
    return file;
  }
}

/** This file, as the engine names it, and a position in it (read at load: no file system access). */
const own = withCallSites(2, (frames) => ({ file: frames[0]?.getFileName() ?? undefined, line: frames[0]?.getLineNumber() ?? 0, column: frames[0]?.getColumnNumber() ?? 0 }));
const ownFile = own.file;
let roots: string[] | undefined;

/** The @trapdoor-js/runtime package folder(s) (as named and resolved): frames there are the runtime's own. */
function runtimeRoots(): string[] {
  if (roots === undefined) {
    if (typeof ownFile !== 'string') return (roots = []);
    roots = findRuntimeRoots(ownFile);
    roots ??= bundledRoots(ownFile, own.line, own.column) ?? [dirname(toPath(ownFile)) + sep];
    // A runtime bundled into the program that loaded this copy from elsewhere (trapdoor-runtime/
    // beside the bundle, an installed package): its frames in the bundle are the runtime's too.
    const bundled = (globalThis as { [BUNDLED_RUNTIME_KEY]?: { file: string; line: number; column: number } })[BUNDLED_RUNTIME_KEY];
    if (bundled !== undefined && toPath(bundled.file) !== toPath(ownFile)) roots.push(...(bundledRoots(bundled.file, bundled.line, bundled.column) ?? []));
  }
  return roots;
}

/**
 * Bundled into a program's file: the runtime's package folder as the bundle's map names this
 * module's source (the package on disk, or its path up to `dist/` when the bundle moved away).
 * Undefined when this file is not in a bundle with a map, or its map does not lead to the runtime.
 */
function bundledRoots(file: string, line: number, column: number): string[] | undefined {
  const original = throughFileMap(file, line, Math.max(0, column - 1));
  if (original === undefined) return undefined;
  const source = toPath(original.source);
  if (source === toPath(file)) return undefined;
  const found = findRuntimeRoots(source);
  if (found !== undefined) return found;
  // The bundle moved away from where it was built: its map names the runtime's files by where
  // they were then (a top-level file of src/ or dist/<build>/, as both this file's and
  // package-files' positions are), so the folders of that name hold the runtime's frames.
  for (const folder of [`${sep}dist${sep}`, `${sep}src${sep}`]) {
    const at = source.lastIndexOf(folder);
    if (at >= 0) return [source.slice(0, at + 1)];
  }
  return [dirname(source) + sep];
}

/** Undefined when no folder above `own` is the @trapdoor-js/runtime package. */
function findRuntimeRoots(own: string): string[] | undefined {
  const dir = packageRoot(toPath(own));
  if (dir === undefined) return undefined;
  const roots = [dir + sep];
  try {
    const real = realpathSync(dir) + sep;
    if (real !== roots[0]) roots.push(real);
  } catch {
    // keep the one we have
  }
  return roots;
}

function isRuntimeFile(file: string | null | undefined, line: number, column: number): boolean {
  if (typeof file !== 'string' || file === '') return false;
  const path = toPath(file);
  const roots = runtimeRoots();
  if (roots.some((root) => path.startsWith(root))) return true;
  // A bundle with the runtime in it (`bundleRuntime`) is the program's file too: the runtime's
  // frames there are those its map puts in the runtime's sources.
  const original = throughFileMap(file, line, Math.max(0, column - 1));
  const source = original === undefined ? undefined : toPath(original.source);
  return source !== undefined && source !== path && roots.some((root) => source.startsWith(root));
}

/**
 * An error's `stack` text without the runtime's frames, as Node's inspector shows an error thrown
 * by evaluated code: the frames of what the evaluation called, the evaluated code itself as
 * `<anonymous>:line:column`, and nothing below it (the runtime's dispatch, the trap, and the paused
 * program under them, whose positions are not the original ones).
 */
export function withoutRuntimeFrames(stack: string): string {
  const roots = runtimeRoots();
  if (roots.length === 0) return stack;
  const urls = roots.map((root) => pathToFileURL(root).href);
  const mentionsRuntime = (line: string): boolean => roots.some((root) => line.includes(root)) || urls.some((url) => line.includes(url));
  // Code the debugger evaluated: V8 names it `eval at <runtime function> (…), <anonymous>:L:C`;
  // JavaScriptCore gives it the runtime file's URL (its own frames are named by path).
  const jsc = typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined';
  const evaluated = (line: string): boolean => /\(eval at /.test(line) || (jsc && urls.some((url) => line.includes(url)));
  const out: string[] = [];
  for (const line of stack.split('\n')) {
    if (!/^\s+at /.test(line)) {
      out.push(line);
      continue;
    }
    // Below the evaluated code: the engine's `eval` itself, the runtime's scope wrapper (`Money.__trapdoor_scope_eval__`
    // when it runs with the frame's `this`), the runtime.
    if (/^\s+at eval \((?:unknown|<anonymous>|native)\)$/.test(line) || /^\s+at (?:[^\s(]*\.)?__trapdoor_/.test(line) || (mentionsRuntime(line) && !evaluated(line))) break;
    if (!mentionsRuntime(line)) {
      out.push(line);
      continue;
    }
    const position = /:(\d+):(\d+)\)?$/.exec(line);
    const name = /^\s+at (\S+) \(/.exec(line)?.[1];
    const where = position === null ? '<anonymous>' : `<anonymous>:${position[1]}:${position[2]}`;
    out.push(name === undefined || name === 'eval' || name === '<anonymous>' ? `    at ${where}` : `    at ${name} (${where})`);
  }
  return out.join('\n');
}

/** Index of the first frame that is not the runtime's (nor a native frame the runtime called). */
function firstProgramFrame(frames: CallSite[]): number {
  let i = 0;
  while (i < frames.length) {
    const file = frames[i].getFileName();
    if (isRuntimeFile(file, frames[i].getLineNumber() ?? 0, frames[i].getColumnNumber() ?? 0) || file === undefined || file === null || frames[i].isNative?.() === true) i++;
    else break;
  }
  return i;
}

/**
 * The program's stack as the engine sees it, from the frame that called the trap down. Call it
 * from inside the trap (any depth of runtime frames above is skipped).
 */
export function captureProgramStack(limit = Infinity): { frames: EngineFrame[]; depth: number } {
  return withCallSites(limit, (sites) => {
    const start = firstProgramFrame(sites);
    const frames: EngineFrame[] = [];
    for (let i = start; i < sites.length; i++) {
      const site = sites[i];
      const file = site.getFileName();
      frames.push({
        file: typeof file === 'string' && file !== '' && !site.isNative?.() ? file : undefined,
        line: site.getLineNumber() ?? 0,
        column: site.getColumnNumber() ?? 0,
        functionName: site.getFunctionName() ?? '',
      });
    }
    return { frames, depth: sites.length - start };
  });
}

/** Frames the runtime may have above the program's at most (anything deeper means deeper). */
const RUNTIME_SLACK = 64;

/**
 * The program's stack depth (frames from the trapping frame down), for stepping: exact when it is
 * at most `atMost`, else some number above `atMost` (the capture stops early, so a check in deep
 * recursion costs O(atMost), not O(depth)).
 */
export function programDepth(atMost = Infinity): number {
  const limit = atMost === Infinity ? Infinity : atMost + RUNTIME_SLACK;
  return withCallSites(limit, (sites) => {
    const start = firstProgramFrame(sites);
    const depth = sites.length - start;
    return sites.length >= limit && depth <= atMost ? atMost + 1 : depth;
  });
}

// ─── Mapping to original positions ────────────────────────────────────────────────────────

const shiftIndex = new WeakMap<InstrumentedModule, Map<number, number[]>>();
const traceMaps = new WeakMap<InstrumentedModule, TraceMap | null>();

function shiftsByLine(module: InstrumentedModule): Map<number, number[]> {
  let index = shiftIndex.get(module);
  if (index === undefined) {
    index = new Map();
    const { shifts } = module;
    for (let i = 0; i + 2 < shifts.length; i += 3) {
      const line = shifts[i];
      let list = index.get(line);
      if (list === undefined) index.set(line, (list = []));
      list.push(shifts[i + 1], shifts[i + 2]);
    }
    for (const list of index.values()) {
      // Pairs (column, length) in column order; the transform emits them in order already.
      const pairs: Array<[number, number]> = [];
      for (let i = 0; i < list.length; i += 2) pairs.push([list[i], list[i + 1]]);
      pairs.sort((a, b) => a[0] - b[0]);
      list.length = 0;
      for (const [column, length] of pairs) list.push(column, length);
    }
    shiftIndex.set(module, index);
  }
  return index;
}

/** Column in the code the transform was given, for a 0-based column of the instrumented code. */
export function inputColumn(module: InstrumentedModule, line: number, generatedColumn: number): number {
  const list = shiftsByLine(module).get(line);
  if (list === undefined) return generatedColumn;
  let inserted = 0;
  for (let i = 0; i < list.length; i += 2) {
    const column = list[i];
    const length = list[i + 1];
    const start = column + inserted;
    if (generatedColumn < start) break;
    if (generatedColumn < start + length) return column; // inside inserted text: where it was inserted
    inserted += length;
  }
  return generatedColumn - inserted;
}

function traceMapOf(module: InstrumentedModule): TraceMap | null {
  let map = traceMaps.get(module);
  if (map === undefined) {
    map = null;
    if (module.inputMap !== undefined) {
      try {
        map = new TraceMap(module.inputMap as never);
      } catch {
        map = null;
      }
    }
    traceMaps.set(module, map);
  }
  return map;
}

/** Original source, line (1-based) and column (0-based) of a position in a module's input code. */
export function originalPosition(module: InstrumentedModule, line: number, column: number): { source: string; line: number; column: number } {
  const map = traceMapOf(module);
  if (map !== null) {
    for (const bias of [GREATEST_LOWER_BOUND, LEAST_UPPER_BOUND] as const) {
      const p = originalPositionFor(map, { line, column, bias });
      if (p.source !== null && p.line !== null && p.column !== null) return { source: p.source, line: p.line, column: p.column };
    }
  }
  return { source: module.sources[0] ?? module.file, line, column };
}

/**
 * Folders whose frames are a tool's, not the program's, and are hidden like the engine's own
 * (`node:…`): trapdoor's loaders register theirs (Bun runs CommonJS modules from a function in
 * the loader). A set on globalThis, so that the loaders need not import the runtime to add to it.
 */
const TOOL_DIRS = Symbol.for('trapdoor.tool-dirs');

function isToolFile(file: string): boolean {
  const dirs = (globalThis as { [TOOL_DIRS]?: Set<string> })[TOOL_DIRS];
  if (dirs === undefined || dirs.size === 0) return false;
  const path = toPath(file);
  for (const dir of dirs) if (path.startsWith(dir)) return true;
  return false;
}

/** Places an engine frame in an announced script, or undefined when it cannot be shown. */
export function mapFrame(scripts: Scripts, frame: EngineFrame): MappedFrame | undefined {
  if (frame.file === undefined || frame.line <= 0) return undefined;
  let module = scripts.moduleLoadedFrom(frame.file);
  // A file one module was loaded from is that module's own output (its shifts and input map
  // place every frame there), unless it is a bundle made from other modules too (that module's
  // name is not the file's, and the file has a map of its own): then only that map can tell
  // the module's lines from the others'.
  const file = frame.file;
  const isBundle = (): boolean => module !== undefined && toUrl(module.file) !== toUrl(file) && fileMapSources(file) !== undefined;
  let bundled = isBundle();
  // A file of modules not all registered yet (one stuck in a call before its registration at its end).
  if ((module === undefined || bundled) && adoptTables(frame)) {
    scripts.update();
    module = scripts.moduleLoadedFrom(frame.file);
    bundled = isBundle();
  }
  if (module !== undefined && !bundled) {
    const column = inputColumn(module, frame.line, Math.max(0, frame.column - 1));
    const original = originalPosition(module, frame.line, column);
    const script = scripts.ensure(toUrl(original.source), { instrumented: true });
    if (script === undefined) return undefined;
    return { script, lineNumber: original.line - 1, columnNumber: original.column, functionName: frame.functionName };
  }
  if (frame.file.startsWith('node:') || frame.file.startsWith('ext:') || frame.file.startsWith('bun:')) return undefined;
  if (isToolFile(frame.file)) return undefined;
  if (!frame.file.startsWith('file:') && !frame.file.startsWith('/') && !/^[a-zA-Z]:[\\/]/.test(frame.file)) return undefined;
  // A bundle (or a build beside its sources): the file's own map leads to an instrumented module's source.
  const mapped = throughFileMap(frame.file, frame.line, Math.max(0, frame.column - 1));
  const source = mapped === undefined ? undefined : scripts.moduleSourceFor(mapped.source);
  if (mapped !== undefined && source !== undefined) {
    const script = scripts.ensure(source, { instrumented: true });
    if (script !== undefined) return { script, lineNumber: mapped.line - 1, columnNumber: mapped.column, functionName: frame.functionName };
  }
  // A module of the bundle that was not instrumented: its own file, when the map leads to one.
  if (mapped !== undefined) {
    const file = sourceFile(scripts, frame.file, mapped.source);
    const script = file === undefined ? undefined : scripts.ensure(file);
    if (script !== undefined) return { script, lineNumber: mapped.line - 1, columnNumber: mapped.column, functionName: frame.functionName };
  }
  // Already original (Deno applied an inline map) or a file that was not instrumented.
  const script = scripts.ensure(toUrl(frame.file));
  if (script === undefined) return undefined;
  return { script, lineNumber: frame.line - 1, columnNumber: Math.max(0, frame.column - 1), functionName: frame.functionName };
}

/** Files whose code was searched for tables of unregistered modules (once each: a file's code does not change). */
const searched = new Set<string>();

/**
 * Registers the modules of `file` that have not registered (module-tables.ts says when that
 * happens) from the tables in its code; true when there was one. Each file is read once, and only
 * a program's file (not the engine's, a tool's or the runtime's).
 */
function adoptTables({ file, line, column }: EngineFrame): boolean {
  if (file === undefined || searched.has(file)) return false;
  searched.add(file);
  if (/^(?:node|ext|bun):/.test(file) || isToolFile(file) || isRuntimeFile(file, line, column)) return false;
  let adopted = false;
  for (const table of tablesIn(file)) adopted = adopt(table, file) || adopted;
  return adopted;
}

/**
 * The file: URL of a source a bundle's map names, for a module that was not instrumented. A
 * file: URL is itself; a bundler's own scheme (`webpack://app/./src/main.ts`) is read the way the
 * same map names an instrumented module whose file is known (`webpack://app/./src/spin.ts` is
 * `/project/src/spin.ts`, so `webpack://app/./` is `/project/`). Undefined when nothing tells.
 */
function sourceFile(scripts: Scripts, bundle: string, source: string): string | undefined {
  if (source.startsWith('file:')) return source;
  for (const sibling of fileMapSources(bundle) ?? []) {
    if (sibling === source) continue;
    const known = scripts.moduleSourceFor(sibling);
    if (known === undefined || !known.startsWith('file:')) continue;
    // The longest common tail of the two names, whole path segments only.
    let n = 0;
    while (n < sibling.length && n < known.length && sibling[sibling.length - 1 - n] === known[known.length - 1 - n]) n++;
    const tail = sibling.slice(sibling.length - n);
    const cut = tail.indexOf('/');
    if (cut < 0) continue;
    const prefix = sibling.slice(0, sibling.length - n + cut);
    if (!source.startsWith(`${prefix}/`)) continue;
    return known.slice(0, known.length - n + cut) + source.slice(prefix.length).replace(/^\/(?:\.\/)+/, '/');
  }
  return undefined;
}
