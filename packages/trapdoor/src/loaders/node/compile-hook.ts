/**
 * Changing the text Node compiles for a CommonJS module without a frame of trapdoor's under the
 * module's top level (issue 7, item 4). A wrapper of `Module.prototype._compile` is on the stack
 * while the module body runs, so V8 prints it in every stack trace taken there. Node 20 has no
 * `module.registerHooks`; what it does for `require` (internal/modules/cjs/loader) is:
 * `Module._load` → `module.load` → `Module._extensions['.js'](module, filename)` → `loadSource()`
 * → `fs.readFileSync(filename, 'utf8')` → `module._compile(source, filename, format)`. Only calls
 * that *return* before the compile can be hooked without a frame. Three are used:
 *
 * - `Module._extensions['.js']` becomes an accessor. Its getter runs when Node looks the handler up
 *   to call it: if the handler is still Node's own, it opens a one-shot window on
 *   `fs.readFileSync` (the public `fs` object's property, which Node's loader looks up at call
 *   time). The setter keeps what a hook (tsx, ts-node, pirates) assigns; no window opens for
 *   theirs.
 * - The window's `readFileSync` closes itself at its first call. For the read of a module Node is
 *   loading (in `require.cache`, not loaded, `filename` set, `'utf8'`), it returns the changed text
 *   when the format Node chose stays; anything else passes through to the function it replaced.
 * - `Module.prototype._compile` becomes an accessor. Its getter runs when Node looks the method up,
 *   and closes the window if it is still open. It returns Node's `_compile` for a module whose text
 *   the window changed; a bound `_compile` with the changed text and format where the format
 *   changes (TypeScript) or Node read no file (a module the ES module loader created with its text
 *   already read: `import` of CommonJS, an `--import`ed entry point); bound functions are not
 *   frames. Otherwise (another hook's handler calls `_compile` with its own output) a wrapper, the
 *   only case with a frame, where the other hook's frames are there too. The setter keeps an
 *   assignment to the prototype and makes an assignment to a module its own property, as before.
 *
 * What a program can see: the two properties are accessors (their values are what it would read
 * otherwise), and `fs.readFileSync` is another function between Node's lookup of the `.js` handler
 * and its read. A hook that redefines `_compile` with `Object.defineProperty` (not an assignment)
 * removes the fallback for the modules that other hooks compile.
 */
import fs from 'node:fs';
import Module from 'node:module';

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
  /** Whether the module at `filename` may need its text changed. Cheap: it runs for every module. */
  wants(filename: string): boolean;
  /** The text to compile instead of `content`, and its format; undefined to leave it as it is. */
  change(content: string, filename: string, format: NodeFormat, module: ModuleObject): Changed | undefined;
}

type Compile = (this: unknown, content: string, filename: string, ...rest: unknown[]) => unknown;
type ReadFileSync = (this: unknown, ...args: unknown[]) => unknown;
type Handler = (module: unknown, filename: string) => unknown;

interface Statics {
  _extensions: Record<string, Handler>;
  _cache: Record<string, ModuleObject | undefined>;
}

/** Node's private-by-convention symbols on a module object, found by their description. */
function symbolOf(module: ModuleObject, description: string): symbol | undefined {
  return Object.getOwnPropertySymbols(module).find((s) => s.description === description);
}

/** The format Node's `.js` handler chose for the module (`loadSource` keeps it as `module[kFormat]`). */
function formatOf(module: ModuleObject): NodeFormat {
  const key = symbolOf(module, 'kFormat');
  const format = key === undefined ? undefined : module[key];
  return format === 'commonjs' || format === 'module' ? format : undefined;
}

/**
 * Installs the hook; `fallback` is the `_compile` wrapper used where no frame-free path exists
 * (given the `_compile` it wraps). Returns a function that removes it (for tests).
 */
export function installCompileHook(options: CompileHookOptions, fallback: (compile: Compile) => Compile): () => void {
  const statics = Module as unknown as Statics;
  const proto = Module.prototype as unknown as { _compile: Compile };
  const extensions = statics._extensions;
  const nodeHandler = extensions['.js']!;
  let handler: Handler = nodeHandler;
  let compile: Compile = proto._compile;
  let busy = false;

  // The window on fs.readFileSync.
  let replaced: ReadFileSync | undefined;
  /** Set by the window when Node's read of a module was seen but its text is changed by a bound `_compile`. */
  let seen: { module: ModuleObject; changed: Changed } | undefined;
  /** Modules whose text the window handed over as they are to be compiled. */
  const delivered = new WeakSet<object>();

  const open = () => {
    const current = fs.readFileSync as unknown as ReadFileSync;
    if (current === window) return;
    replaced = current;
    (fs as unknown as { readFileSync: ReadFileSync }).readFileSync = window;
  };
  /** Closes the window; true if it was still open. */
  const close = (): boolean => {
    if (replaced === undefined) return false;
    if ((fs.readFileSync as unknown) === window) (fs as unknown as { readFileSync: ReadFileSync }).readFileSync = replaced;
    replaced = undefined;
    return true;
  };
  const change = (content: string, filename: string, format: NodeFormat, module: ModuleObject): Changed | undefined => {
    busy = true;
    try {
      return options.change(content, filename, format, module);
    } finally {
      busy = false;
    }
  };

  // Named as what it stands for; the length of fs.readFileSync's.
  const window = {
    readFileSync(this: unknown, path: unknown, encoding?: unknown): unknown {
      const read = replaced!;
      close();
      if (typeof path === 'string' && encoding === 'utf8' && arguments.length === 2) {
        const module = statics._cache[path];
        if (module !== undefined && module.loaded === false && module.filename === path && options.wants(path)) {
          const text = read.call(this, path, encoding) as string;
          const format = formatOf(module);
          const changed = change(text, path, format, module);
          if (changed !== undefined && changed.format !== format) {
            seen = { module, changed };
            return text;
          }
          delivered.add(module);
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

  Object.defineProperty(extensions, '.js', {
    configurable: true,
    enumerable: true,
    get() {
      if (handler === nodeHandler && !busy) open();
      return handler;
    },
    set(value: Handler) {
      handler = value;
    },
  });

  Object.defineProperty(proto, '_compile', {
    configurable: true,
    enumerable: true,
    get(this: ModuleObject) {
      const unread = close();
      const found = seen;
      seen = undefined;
      if ((this as unknown) === proto || busy || this === null || typeof this !== 'object') return compile;
      if (delivered.has(this)) {
        delivered.delete(this);
        return compile;
      }
      const filename = this.filename;
      if (found !== undefined && found.module === this && typeof filename === 'string') {
        return compile.bind(this, found.changed.content, filename, found.changed.format);
      }
      if (typeof filename === 'string' && !options.wants(filename)) return compile;
      // Node's handler read no file: the ES module loader created this module with its text.
      const esm = symbolOf(this, 'kIsCachedByESMLoader');
      if (unread && typeof filename === 'string' && esm !== undefined && this[esm] === true && this.loaded === false && statics._cache[filename] === this) {
        const text = fs.readFileSync(filename, 'utf8');
        const changed = change(text, filename, formatOf(this), this);
        return changed === undefined ? compile : compile.bind(this, changed.content, filename, changed.format);
      }
      return wrapperOf(compile);
    },
    set(this: object, value: Compile) {
      if (this === proto) compile = value;
      else Object.defineProperty(this, '_compile', { value, writable: true, enumerable: true, configurable: true });
    },
  });

  return () => {
    close();
    Object.defineProperty(extensions, '.js', { value: handler, writable: true, enumerable: true, configurable: true });
    Object.defineProperty(proto, '_compile', { value: compile, writable: true, enumerable: true, configurable: true });
  };
}
