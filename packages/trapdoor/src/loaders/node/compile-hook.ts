/**
 * Changing the text Node compiles for a CommonJS module without a frame of trapdoor's under the
 * module's top level (issue 7, item 4). A wrapper of `Module.prototype._compile` is on the stack
 * while the module body runs, so V8 prints it in every stack trace taken there. Node 20 has no
 * `module.registerHooks`; what it does for `require` (internal/modules/cjs/loader) is:
 * `Module._load` → `module.load` → `Module._nodeModulePaths(dirname)` →
 * `Module._extensions['.js'](module, filename)` → `loadSource()` → `fs.readFileSync(filename,
 * 'utf8')` → `module._compile(source, filename, format)`. Only calls that *return* before the
 * compile can be hooked without a frame:
 *
 * - `Module._nodeModulePaths` (wrapped; it returns before the handler runs) opens a one-shot window
 *   for the module Node is about to load: on `fs.readFileSync` (the public `fs` object's property,
 *   which Node's loader looks up at call time) and on `Module.prototype._compile` (an accessor until
 *   its first lookup, then the data property again).
 * - The window's `readFileSync` closes itself at its first call. For Node's own read of a module it
 *   is loading (in `require.cache`, not loaded, `filename` set, `'utf8'`, Node's own `.js` handler
 *   for its extension) it returns the changed text when the format Node chose stays: nothing else
 *   is needed, and `_compile` is left as it is. Anything else passes through to the function it
 *   replaced (another hook's handler reading the file, a read of the program's).
 * - The `_compile` getter, at Node's lookup of the method for that module, puts the data property
 *   back and returns: a bound `_compile` with the changed text and format where the format changes
 *   (TypeScript) or Node read no file (a module the ES module loader created with its text already
 *   read: `import` of CommonJS, an `--import`ed entry point), bound functions not being frames; or,
 *   when another hook's handler calls `_compile` with its own output, a wrapper, the only case with
 *   a frame (next to that hook's own frames).
 *
 * Both are data properties again before any of the program's code runs, so V8 finds `_compile`
 * and `.js` where it looks for a frame's method name (it prints `Module._compile` and
 * `Object..js` in worker threads from there). What a program can see: `Module._nodeModulePaths` is
 * a wrapper. After a `_nodeModulePaths` call that no module load follows (`createRequire`,
 * `require.resolve` with `paths`, a `.node` addon), the window stays open until the next
 * `fs.readFileSync` call, module load or the end of the current job: such a call passes through
 * the window's function (one frame more if it throws), and `_compile` reads through the getter.
 */
import fs from 'node:fs';
import Module from 'node:module';
import { basename } from 'node:path';

export type NodeFormat = 'commonjs' | 'module' | undefined;

/** A CommonJS module object as far as this file looks at it. */
export interface ModuleObject {
  id?: string;
  filename?: string | null;
  loaded?: boolean;
  [key: symbol]: unknown;
}

export interface Changed {
  content: string;
  format: NodeFormat;
}

export interface CompileHookOptions {
  /**
   * Extensions to load with Node's `.js` handler where nothing handles them yet (`.ts`): a bound
   * copy, so that the `.js` property stays the only one holding Node's function and V8 still names
   * its frame `Object..js` (worker threads name it from there).
   */
  alsoJs?: string[];
  /** Whether the module at `filename` may need its text changed. Cheap: it runs for every module. */
  wants(filename: string): boolean;
  /** The text to compile instead of `content`, and its format; undefined to leave it as it is. */
  change(content: string, filename: string, format: NodeFormat, module: ModuleObject): Changed | undefined;
  /**
   * Whether the text Node is about to compile for `filename` was changed already, before Node's
   * handler ran (Node 22.15+'s load hooks, install.ts), so that Node's own `_compile` runs it:
   * asked once per compile, it forgets the file.
   */
  changedBefore?(filename: string): boolean;
}

type Compile = (this: unknown, content: string, filename: string, ...rest: unknown[]) => unknown;
type ReadFileSync = (this: unknown, ...args: unknown[]) => unknown;
type Handler = (module: unknown, filename: string) => unknown;

interface Statics {
  _extensions: Record<string, Handler>;
  _cache: Record<string, ModuleObject | undefined>;
  _nodeModulePaths(this: unknown, from: string): string[];
}

/** Node's private-by-convention symbols on a module object, found by their description. */
function symbolOf(module: ModuleObject, description: string): symbol | undefined {
  return Object.getOwnPropertySymbols(module).find((s) => s.description === description);
}

/** The format Node's `.js` handler chose for the module (`loadSource` keeps it as `module[kFormat]`). */
export function formatOf(module: ModuleObject): NodeFormat {
  const key = symbolOf(module, 'kFormat');
  const format = key === undefined ? undefined : module[key];
  return format === 'commonjs' || format === 'module' ? format : undefined;
}

/**
 * Node's `findLongestRegisteredExtension` (internal, not exported): the handler Node will run for
 * a file, so that the window hands changed text only to Node's own `.js` handler.
 */
function extensionOf(filename: string, extensions: Record<string, unknown>): string {
  const name = basename(filename);
  let index = -1;
  let start = 0;
  while ((index = name.indexOf('.', start)) !== -1) {
    start = index + 1;
    if (index === 0) continue; // a dotfile's first dot
    const ext = name.slice(index);
    if (extensions[ext]) return ext;
  }
  return '.js';
}

/**
 * Whether a `.js` handler is Node's own (internal/modules/cjs/loader): it reads the file with
 * `loadSource`, the read the window waits for. A handler of another hook (tsx's, pirates') reads
 * and compiles by itself. Told by its source text, as nothing else identifies an internal function;
 * where a Node version's handler reads otherwise, every module takes the fallback (a frame, never
 * the wrong text).
 */
function isNodesJsHandler(handler: unknown): boolean {
  if (typeof handler !== 'function') return false;
  try {
    return Function.prototype.toString.call(handler).includes('loadSource(');
  } catch {
    return false;
  }
}

/** Node's own handlers as installCompileHook found them (and its bound copies for `alsoJs`). */
const nodeHandlers = new WeakSet<Handler>();

/**
 * Whether Node's own handler loads `filename` (it compiles the file's text as read), not another
 * hook's (which compiles its own output).
 */
export function loadedByNode(filename: string): boolean {
  const extensions = (Module as unknown as Statics)._extensions;
  const handler = extensions[extensionOf(filename, extensions)];
  return handler !== undefined && nodeHandlers.has(handler);
}

export interface CompileHook {
  /**
   * Keeps the `_compile` lookup hooked until `filename` compiles: Node 22+'s ES module loader
   * creates an `import`ed CommonJS module (its one `_nodeModulePaths` call, the window's opening,
   * long before the compile) and later loads it through another hook's handler (tsx's), whose
   * output only the fallback can change. install.ts calls it from the load hook, for such files.
   */
  expectCompile(filename: string): void;
  /** Removes the hook (for tests). */
  remove(): void;
}

/**
 * Installs the hook; `fallback` is the `_compile` wrapper used where no frame-free path exists
 * (given the `_compile` it wraps).
 */
export function installCompileHook(options: CompileHookOptions, fallback: (compile: Compile) => Compile): CompileHook {
  const statics = Module as unknown as Statics;
  const proto = Module.prototype as unknown as { _compile: Compile };
  const extensions = statics._extensions;
  // Node's own `.js` handler, unless a hook installed before trapdoor (`--import tsx`) replaced it:
  // then every module is compiled by that hook's handler and reaches the fallback.
  const jsHandler = extensions['.js']!;
  const ownHandlers = new Set<unknown>(isNodesJsHandler(jsHandler) ? [jsHandler] : []);
  for (const ext of options.alsoJs ?? []) {
    if (extensions[ext] !== undefined) continue;
    const handler = jsHandler.bind(extensions);
    if (ownHandlers.has(jsHandler)) ownHandlers.add(handler);
    extensions[ext] = handler;
  }
  for (const handler of ownHandlers) nodeHandlers.add(handler as Handler);
  const nodeModulePaths = statics._nodeModulePaths;
  let busy = false;

  /** The read window: the function it replaced on `fs`, while open. */
  let replaced: ReadFileSync | undefined;
  /** The `_compile` accessor is on the prototype (set by `open`, removed by `restore`). */
  let accessor = false;
  /** Set by the read window when Node's read of a module was seen but its text goes to a bound `_compile`. */
  let seen: { module: ModuleObject; changed: Changed } | undefined;

  const change = (content: string, filename: string, format: NodeFormat, module: ModuleObject): Changed | undefined => {
    busy = true;
    try {
      return options.change(content, filename, format, module);
    } finally {
      busy = false;
    }
  };
  const define = (target: object, value: unknown) => Object.defineProperty(target, '_compile', { value, writable: true, enumerable: true, configurable: true });

  /** Closes the read window; true if it was still open. */
  const closeRead = (): boolean => {
    if (replaced === undefined) return false;
    if ((fs.readFileSync as unknown) === window) (fs as unknown as { readFileSync: ReadFileSync }).readFileSync = replaced;
    replaced = undefined;
    return true;
  };
  /** Puts `_compile` back as a data property holding `value`; returns what it held. */
  const restore = (value?: Compile): Compile => {
    const current = value ?? (accessor ? held : proto._compile);
    if (accessor) {
      accessor = false;
      define(proto, current);
    }
    return current;
  };
  let held: Compile = proto._compile;
  /** Files expectCompile waits for: the `_compile` accessor stays until each one's lookup. */
  const expected = new Set<string>();
  const arm = () => {
    if (accessor) return;
    held = proto._compile;
    accessor = true;
    Object.defineProperty(proto, '_compile', { configurable: true, enumerable: true, get: lookUp, set: assign });
  };

  // Whatever is still open when the current job ends is closed then: loads are synchronous, so
  // none is under way between jobs (the ES module loader's early _nodeModulePaths call for an
  // imported CommonJS module is one that no load follows at once).
  let closing = false;
  const closeAll = () => {
    closing = false;
    closeRead();
    if (expected.size === 0) restore();
    seen = undefined;
  };
  const open = () => {
    closeRead();
    seen = undefined;
    if (!closing) {
      closing = true;
      queueMicrotask(closeAll);
    }
    const current = fs.readFileSync as unknown as ReadFileSync;
    if (current !== window) {
      replaced = current;
      (fs as unknown as { readFileSync: ReadFileSync }).readFileSync = window;
    }
    arm();
  };

  // Named as what it stands for; the length of fs.readFileSync's.
  const window = {
    readFileSync(this: unknown, path: unknown, encoding?: unknown): unknown {
      const read = replaced!;
      closeRead();
      if (typeof path === 'string' && encoding === 'utf8' && arguments.length === 2 && !busy) {
        const module = statics._cache[path];
        if (module !== undefined && module.loaded === false && module.filename === path) {
          // Another hook's handler reading the file: its output reaches the fallback through _compile.
          if (!ownHandlers.has(extensions[extensionOf(path, extensions)])) return read.call(this, path, encoding);
          const text = read.call(this, path, encoding) as string;
          const format = formatOf(module);
          const changed = options.wants(path) ? change(text, path, format, module) : undefined;
          if (changed !== undefined && changed.format !== format) {
            seen = { module, changed };
            return text;
          }
          restore();
          return changed === undefined ? text : changed.content;
        }
      }
      // eslint-disable-next-line prefer-rest-params
      return read.apply(this, arguments as unknown as unknown[]);
    },
  }.readFileSync as ReadFileSync;

  const wrappers = new WeakMap<Compile, Compile>();
  const wrapperOf = (c: Compile): Compile => {
    let w = wrappers.get(c);
    if (w === undefined) wrappers.set(c, (w = fallback(c)));
    return w;
  };

  function lookUp(this: ModuleObject): Compile {
    // A module the change itself loads (the transform, the TypeScript stripper): the window stays for the one being changed.
    if (busy) return held;
    if (expected.size === 0) return lookUpOnce.call(this);
    if (this !== null && typeof this === 'object' && typeof this.filename === 'string') expected.delete(this.filename);
    try {
      return lookUpOnce.call(this);
    } finally {
      if (expected.size > 0) arm();
    }
  }
  function lookUpOnce(this: ModuleObject): Compile {
    const unread = closeRead();
    const found = seen;
    seen = undefined;
    const compile = restore();
    if ((this as unknown) === proto || busy || this === null || typeof this !== 'object') return compile;
    const filename = this.filename;
    if (typeof filename !== 'string') return wrapperOf(compile);
    if (found !== undefined && found.module === this) return compile.bind(this, found.changed.content, filename, found.changed.format);
    if (!options.wants(filename) || options.changedBefore?.(filename) === true) return compile;
    // Node's handler read no file: the ES module loader created this module with its text.
    const esm = symbolOf(this, 'kIsCachedByESMLoader');
    if (unread && esm !== undefined && this[esm] === true && this.loaded === false && statics._cache[filename] === this && ownHandlers.has(extensions[extensionOf(filename, extensions)])) {
      const text = fs.readFileSync(filename, 'utf8');
      const changed = change(text, filename, formatOf(this), this);
      return changed === undefined ? compile : compile.bind(this, changed.content, filename, changed.format);
    }
    return wrapperOf(compile);
  }
  function assign(this: object, value: Compile): void {
    if (this === proto) restore(value);
    else define(this, value);
  }

  statics._nodeModulePaths = function _nodeModulePaths(this: unknown, from: string) {
    const paths = nodeModulePaths.call(this, from);
    if (!busy) open();
    return paths;
  };

  return {
    expectCompile(filename) {
      expected.add(filename);
      arm();
    },
    remove() {
      expected.clear();
      closeRead();
      restore();
      statics._nodeModulePaths = nodeModulePaths;
    },
  };
}
