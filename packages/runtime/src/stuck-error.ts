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
import { createRequire } from 'node:module';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { inspect } from 'node:util';
import { moduleOf, type ModuleThunk, type Site } from './modules.js';
import { buildDir, reportedFile } from './package-files.js';
import type * as StuckFrames from './stuck-frames.js';

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

/** One frame of the stack: `file` undefined for a native frame (`Array.prototype.some`). */
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

/** Builds the error for the check at `site` of `thunk`'s module, with the values it passed. */
export function stuckError(runnerMessage: string, thunk: ModuleThunk, siteIndex: number, values: unknown[]): StuckError {
  const module = moduleOf(thunk);
  const site = module.sites[siteIndex];
  const limit = stackLimit();
  // The runtime's frames above the program's count against the capture's limit too.
  // Captured from here, inside the trap: the program's frames are below.
  const stuckFrames = loadStuckFrames();
  if (site === undefined) {
    // A table that does not match its checks (should not happen): still fail the test, without a place.
    const frames = stuckFrames.originalFrames(limit + RUNTIME_FRAMES).slice(0, limit);
    const top = frames.find((frame): frame is StuckLocation => frame.file !== undefined) ?? unknownLocation();
    return finish(new StuckError(`${runnerMessage}\ntrapdoor: stuck in synchronous code`, top, {}, frames), frames);
  }
  const location: StuckLocation = { file: sourcePath(site.source), line: site.line, column: site.column + 1, functionName: site.functionName };
  // The first program frame is the check's own: the site gives its exact original position.
  const frames: StuckFrame[] = [location, ...stuckFrames.originalFrames(limit + RUNTIME_FRAMES, 1)].slice(0, Math.max(1, limit));
  const locals = localsOf(site, values);
  const lines = [runnerMessage, `trapdoor: ${site.kind === 'loop' ? 'stuck in a synchronous loop' : 'stuck in synchronous code'} at ${displayed(location)}${site.functionName === '' ? '' : ` (in ${site.functionName})`}`];
  const shown = Object.entries(locals).map(([name, value]) => `${name} = ${short(value)}`);
  if (shown.length > 0) lines.push(`  locals: ${shown.join(', ')}`);
  return finish(new StuckError(lines.join('\n'), location, locals, frames), frames);
}

function unknownLocation(): StuckLocation {
  return { file: '<unknown>', line: 0, column: 0, functionName: '' };
}

/** `Error.stackTraceLimit` as the program left it (10 by default; 0 or less: no frames). */
function stackLimit(): number {
  const limit = Error.stackTraceLimit;
  return typeof limit === 'number' && limit >= 0 ? Math.min(limit, 1000) : 10;
}

function finish(error: StuckError, frames: StuckFrame[]): StuckError {
  const text = [`${error.name}: ${error.message}`, ...frames.map(frameLine)].join('\n');
  Object.defineProperty(error, 'stack', { value: text, writable: true, configurable: true, enumerable: false });
  return error;
}

/** One stack line, as V8 writes it. */
function frameLine(frame: StuckFrame): string {
  if (frame.file === undefined) return `    at ${frame.functionName || '<anonymous>'} (native)`;
  const where = `${frame.file}:${frame.line}:${frame.column}`;
  return frame.functionName === '' ? `    at ${where}` : `    at ${frame.functionName} (${where})`;
}

/** The file as runners show it in a message: relative to the working directory when inside it. */
function displayed(location: StuckLocation): string {
  let file = location.file;
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
      return fileURLToPath(source);
    } catch {
      return source;
    }
  }
  if (/^[a-zA-Z][a-zA-Z\d+.-]+:/.test(source) && !/^[a-zA-Z]:[\\/]/.test(source)) return source; // webpack://…, a virtual id
  try {
    return resolve(source);
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
    text = inspect(value, INSPECT_OPTIONS);
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
