/**
 * StuckError: what a passed deadline throws from the stuck frame (deadline.ts).
 *
 * Its message is the runner's own ("Test timed out in 5000ms.") followed by where the thread was
 * stuck, in original positions, and the top frame's locals:
 *
 *   Test timed out in 5000ms.
 *   trapdoor: stuck in a synchronous loop at src/spin.test.ts:12:5 (in spin)
 *     locals: i = 1234567, limit = 10
 *
 * Its `stack` is the call stack in original positions, without trapdoor's frames. The top frame
 * is the check's site (the module table has its original position); the frames below are the
 * engine's, mapped by the debugger's own frame mapper (stuck-frames.ts), so that a stuck test and
 * a paused debugger name the same places. That mapper (and the source-map code under it) is
 * loaded when a deadline first fires, not with the deadline: every test process imports this.
 */
import { moduleOf, type ModuleThunk, type Site } from './modules.js';
import { buildDir, createRequire, reportedFile } from './package-files.js';
import { join } from './paths.js';
import type * as StuckFrames from './stuck-frames.js';

// node:path, node:url and node:util on the first error, not with the deadline: every test process
// of `trapdoor test` loads this, and on Bun and Deno each of those modules is a part of the
// executable paged in or of the Node layer set up (bench/startup.mjs's memory rows), for an error
// most processes never build.
const path = (): typeof import('node:path') => process.getBuiltinModule('node:path');
const url = (): typeof import('node:url') => process.getBuiltinModule('node:url');
const util = (): typeof import('node:util') => process.getBuiltinModule('node:util');

/** `error.code` of a StuckError. */
export const STUCK_ERROR_CODE = 'ERR_TRAPDOOR_STUCK';

/** A position in an original source file: absolute path (or a URL that is not `file:`), 1-based line and column. */
export interface StuckLocation {
  file: string;
  line: number;
  column: number;
  /** The enclosing function's name ('' at the top level or in an anonymous function). */
  functionName: string;
}

/** One frame of the stack: `file` undefined for a built-in's frame (`Array.prototype.some`); a path, or the URL the engine named it by. */
export interface StuckFrame {
  file: string | undefined;
  line: number;
  column: number;
  functionName: string;
}

/**
 * Thrown by instrumented code that was still busy when its thread's deadline passed. Check
 * `error.code === 'ERR_TRAPDOOR_STUCK'` rather than `instanceof` (the ESM and CommonJS builds of
 * the runtime each have their own class).
 */
export class StuckError extends Error {
  readonly code = STUCK_ERROR_CODE;
  /** Where it was stuck (the top frame). */
  declare readonly location: StuckLocation;
  /** The top frame's locals, by name, as the check saw them. */
  declare readonly locals: Record<string, unknown>;
  /** The call stack in original positions, top first (what `stack` shows). */
  declare readonly frames: StuckFrame[];

  constructor(message: string, location: StuckLocation, locals: Record<string, unknown>, frames: StuckFrame[]) {
    super(message);
    // Not enumerable: runners and Node print an error's own enumerable properties after its
    // stack, and these repeat what the message and the stack already say.
    for (const [key, value] of [['location', location], ['locals', locals], ['frames', frames]] as const) {
      Object.defineProperty(this, key, { value, enumerable: false, writable: false, configurable: true });
    }
  }
}
Object.defineProperty(StuckError.prototype, 'name', { value: 'StuckError', writable: true, configurable: true });

/** Frames of the runtime above the check's, at most (trap, the deadline's handler, this file). */
const RUNTIME_FRAMES = 32;

/** Shown per local at most (a value's own text is shortened by inspect first). */
const MAX_VALUE_TEXT = 80;

const INSPECT_OPTIONS = {
  depth: 0,
  colors: false,
  // Never run the program's code from here: no custom inspect methods, no getters, no proxy traps.
  customInspect: false,
  getters: false,
  showProxy: true,
  maxArrayLength: 5,
  maxStringLength: 40,
  breakLength: Infinity,
  compact: true,
} as const;

/**
 * Builds the error for the check at `site` of `thunk`'s module, with the values it passed.
 * `stack`: whose frames below the top (programFrames): undefined, decided by the environment;
 * 'engine', the engine's as the environment maps them; 'original', the debugger's mapper's.
 */
export function stuckError(runnerMessage: string, thunk: ModuleThunk, siteIndex: number, values: unknown[], stack?: 'original' | 'engine'): StuckError {
  const module = moduleOf(thunk);
  const site = module.sites[siteIndex];
  const limit = stackLimit();
  // The runtime's frames above the program's count against the capture's limit too.
  if (site === undefined) {
    // A table that does not match its checks (should not happen): still fail the test, without a place.
    const frames = programFrames(limit, undefined, stack);
    const top = frames.find((frame): frame is StuckLocation => frame.file !== undefined) ?? unknownLocation();
    return withStack(new StuckError(`${runnerMessage}\ntrapdoor: stuck in synchronous code`, top, {}, frames), frames);
  }
  const location: StuckLocation = { file: sourcePath(site.source), line: site.line, column: site.column + 1, functionName: site.functionName };
  const frames = programFrames(limit, location, stack);
  const locals = localsOf(site, values);
  const lines = [runnerMessage, `trapdoor: ${site.kind === 'loop' ? 'stuck in a synchronous loop' : 'stuck in synchronous code'} at ${displayed(location)}${site.functionName === '' ? '' : ` (in ${site.functionName})`}`];
  const shown = Object.entries(locals).map(([name, value]) => `${name} = ${short(value)}`);
  if (shown.length > 0) lines.push(`  locals: ${shown.join(', ')}`);
  return withStack(new StuckError(lines.join('\n'), location, locals, frames), frames);
}

/**
 * The program's frames, top first, from the check's down; with `top`, the check's own frame is
 * placed at the site's exact original position (the engine's would be somewhere in the inserted
 * check), keeping the engine's name for it ("Spinner.spin").
 *
 * Which positions: where the program's environment maps stacks itself (a test runner's
 * interceptor, Vitest's module runner or Jest's source-map-support, set `Error.prepareStackTrace`;
 * or Node's source maps are on), the engine's frames as that mapping gives them: it knows the maps
 * of what was transformed after trapdoor (TypeScript, Vite's SSR transform), which the runtime
 * does not, and an error thrown by the program itself there would show the same frames. Else the
 * debugger's mapper (stuck-frames.ts, loaded now).
 */
function programFrames(limit: number, top: StuckLocation | undefined, stack: 'original' | 'engine' | undefined): StuckFrame[] {
  const engine = stack === 'original' || (stack === undefined && !environmentMapsStacks()) ? undefined : engineFrames(limit + RUNTIME_FRAMES);
  let frames: StuckFrame[];
  if (engine !== undefined) frames = engine;
  else {
    // Captured from inside the trap: the program's frames are below the runtime's.
    const below = loadStuckFrames().originalFrames(limit + RUNTIME_FRAMES, top === undefined ? 0 : 1);
    frames = top === undefined ? below : [{ ...top }, ...below];
  }
  if (top !== undefined && frames.length > 0) frames[0] = { ...top, functionName: frames[0]!.functionName || top.functionName };
  if (top !== undefined && frames.length === 0) frames = [{ ...top }];
  return frames.slice(0, Math.max(top === undefined ? 0 : 1, limit));
}

function unknownLocation(): StuckLocation {
  return { file: '<unknown>', line: 0, column: 0, functionName: '' };
}

/** `Error.stackTraceLimit` as the program left it (10 by default; 0 or less: no frames). */
function stackLimit(): number {
  const limit = Error.stackTraceLimit;
  return typeof limit === 'number' && limit >= 0 ? Math.min(limit, 1000) : 10;
}

function withStack(error: StuckError, frames: StuckFrame[]): StuckError {
  const text = [`${error.name}: ${error.message}`, ...frames.map(frameLine)].join('\n');
  Object.defineProperty(error, 'stack', { value: text, writable: true, configurable: true, enumerable: false });
  return error;
}

/**
 * The engine's frames of this point, without the runtime's, as the environment's own stack
 * mapping (if any) writes them; undefined when the text is not in V8's format.
 */
function engineFrames(limit: number): StuckFrame[] | undefined {
  const holder: { stack?: unknown } = {};
  const saved = Error.stackTraceLimit;
  try {
    Error.stackTraceLimit = limit;
    Error.captureStackTrace(holder);
    void holder.stack; // formatted here, while the limit holds
  } catch {
    return undefined;
  } finally {
    Error.stackTraceLimit = saved;
  }
  if (typeof holder.stack !== 'string') return undefined;
  const lines = holder.stack.split('\n').filter((line) => /^\s+at /.test(line));
  if (lines.length === 0) return undefined;
  const frames: StuckFrame[] = [];
  const runtime = runtimeRoots();
  for (const line of lines) {
    if (runtime.some((root) => line.includes(root))) continue;
    const frame = parseFrame(line);
    if (frame === undefined) return undefined;
    frames.push(frame);
  }
  return frames;
}

/**
 * Whether something maps this thread's stack traces: a `prepareStackTrace` that is not the
 * engine's own (Node and Bun install a default named ErrorPrepareStackTrace; Vite's module runner
 * and source-map-support install theirs), or source maps switched on (Node's
 * --enable-source-maps or setSourceMapsEnabled, which trapdoor run does for a TypeScript entry;
 * Deno, always).
 */
function environmentMapsStacks(): boolean {
  const prepare = Error.prepareStackTrace as unknown;
  if (typeof prepare === 'function' && prepare.name !== 'ErrorPrepareStackTrace') return true;
  return (process as { sourceMapsEnabled?: boolean }).sourceMapsEnabled === true;
}

/** One V8 stack line: `at name (file:line:column)`, `at file:line:column`, `at name (native)` / `(<anonymous>)`. */
function parseFrame(line: string): StuckFrame | undefined {
  const text = line.replace(/^\s+at /, '');
  const named = /^(.*?) \((.*)\)$/.exec(text);
  const name = named === null ? '' : named[1]!;
  const where = named === null ? text : named[2]!;
  const position = /^(.*):(\d+):(\d+)$/.exec(where);
  // A built-in: `(<anonymous>)` or `(native)` (V8), `native:1:11` (JavaScriptCore).
  if (position === null || position[1] === 'native') return { file: undefined, line: 0, column: 0, functionName: name };
  return { file: position[1]!, line: Number(position[2]), column: Number(position[3]), functionName: name };
}

let roots: string[] | undefined;
/** The runtime package's folder, as a path and as a file: URL (its frames name one or the other). */
function runtimeRoots(): string[] {
  if (roots !== undefined) return roots;
  const { basename, dirname, sep } = path();
  const own = dirname(reportedFile.startsWith('file:') ? url().fileURLToPath(reportedFile) : reportedFile); // dist/esm, dist/cjs or src
  const root = basename(own) === 'src' ? dirname(own) : dirname(dirname(own));
  return (roots = [root + sep, url().pathToFileURL(root).href + '/']);
}

/** One stack line, as V8 writes it. */
function frameLine(frame: StuckFrame): string {
  if (frame.file === undefined) return `    at ${frame.functionName || '<anonymous>'} (<anonymous>)`; // a built-in, as V8 writes it
  const where = `${frame.file}:${frame.line}:${frame.column}`;
  return frame.functionName === '' ? `    at ${where}` : `    at ${frame.functionName} (${where})`;
}

/** The file as runners show it in a message: relative to the working directory when inside it. */
function displayed(location: StuckLocation): string {
  let file = location.file;
  const { isAbsolute, relative } = path();
  if (isAbsolute(file)) {
    try {
      const rel = relative(process.cwd(), file);
      if (rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)) file = rel;
    } catch {
      // no working directory to read (Deno without --allow-read): the absolute path
    }
  }
  return `${file}:${location.line}:${location.column}`;
}

/** A module table's source (a path, maybe relative, or a URL) as an absolute path where it is a file. */
export function sourcePath(source: string): string {
  if (source.startsWith('file:')) {
    try {
      return url().fileURLToPath(source);
    } catch {
      return source;
    }
  }
  if (/^[a-zA-Z][a-zA-Z\d+.-]+:/.test(source) && !/^[a-zA-Z]:[\\/]/.test(source)) return source; // webpack://…, a virtual id
  try {
    return path().resolve(source);
  } catch {
    return source;
  }
}


function localsOf(site: Site, values: unknown[]): Record<string, unknown> {
  const locals: Record<string, unknown> = {};
  // The values are the locals in the site's order, then `this` when the site captures it.
  site.locals.forEach((name, i) => {
    locals[name] = values[i];
  });
  return locals;
}

function short(value: unknown): string {
  let text: string;
  try {
    text = util().inspect(value, INSPECT_OPTIONS);
  } catch {
    text = Object.prototype.toString.call(value);
  }
  return text.length > MAX_VALUE_TEXT ? `${text.slice(0, MAX_VALUE_TEXT - 1)}…` : text;
}

const MODULE_KEY = Symbol.for('trapdoor.stuck-frames-module');
type Holder = { [MODULE_KEY]?: typeof StuckFrames };

/** The frame mapper, loaded synchronously (the trap cannot await) from the CommonJS build, once per thread (as activation.ts loads the inspector). */
function loadStuckFrames(): typeof StuckFrames {
  const holder = globalThis as Holder;
  return (holder[MODULE_KEY] ??= createRequire(reportedFile)(join(buildDir(), '..', 'cjs', 'stuck-frames.js')) as typeof StuckFrames);
}
