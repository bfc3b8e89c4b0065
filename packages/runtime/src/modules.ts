/**
 * Instrumented modules and their site tables.
 *
 * Each instrumented module declares a hoisted function (`function __td_M() { return {...} }`)
 * that returns its table. Hoisting means the function exists before the module body runs, so a
 * function of the module called early through an import cycle can still trap. The table object
 * is built only when the runtime first needs it.
 */

/** What the transform emits, version 1. Positions are in the original source. */
export interface ModuleTableV1 {
  v: 1;
  /** The filename given to the transform (a path or URL). */
  file: string;
  /** Original sources (from the input source map, else `[file]`). */
  sources: string[];
  /**
   * One row per site: [kind, line (1-based), column (0-based), enclosing function name,
   * captured locals ("a,b,c", in the order the check passes them), writable flags ("101": a and c
   * are `let`/`var`/parameters the trap may assign back), source index into `sources`].
   */
  sites: Array<[SiteKindCode, number, number, string, string, string, number]>;
}

export type SiteKindCode = 0 | 1 | 2;
export const SITE_KINDS = ['loop', 'function', 'statement'] as const;
export type SiteKind = (typeof SITE_KINDS)[number];

export type ModuleThunk = () => ModuleTableV1;

export interface Site {
  kind: SiteKind;
  line: number;
  column: number;
  functionName: string;
  source: string;
  locals: string[];
  /** locals[i] can be assigned back when `writable[i]`. */
  writable: boolean[];
}

export interface InstrumentedModule {
  id: number;
  file: string;
  sources: string[];
  sites: Site[];
}

const KEY = Symbol.for('trapdoor.modules');
type Registry = { thunks: ModuleThunk[]; known: Map<ModuleThunk, InstrumentedModule | null>; listeners: Set<(thunk: ModuleThunk) => void> };
type Holder = { [KEY]?: Registry };

function obtain(): Registry {
  const holder = globalThis as Holder;
  let registry = holder[KEY];
  if (registry === undefined) {
    registry = { thunks: [], known: new Map(), listeners: new Set() };
    Object.defineProperty(holder, KEY, { value: registry, enumerable: false });
  }
  return registry;
}

const registry = obtain();

/** Called once by each instrumented module at the top of its body. Cheap: the table is not built here. */
export function register(thunk: ModuleThunk): void {
  if (registry.known.has(thunk)) return;
  registry.known.set(thunk, null);
  registry.thunks.push(thunk);
  for (const listener of registry.listeners) listener(thunk);
}

/** The decoded table of a module, registering it if its body has not run yet (import cycles). */
export function moduleOf(thunk: ModuleThunk): InstrumentedModule {
  let mod = registry.known.get(thunk);
  if (mod) return mod;
  if (mod === undefined) register(thunk);
  mod = decode(registry.thunks.indexOf(thunk), thunk());
  registry.known.set(thunk, mod);
  return mod;
}

/** Every module registered so far, in load order. */
export function allModules(): InstrumentedModule[] {
  return registry.thunks.map(moduleOf);
}

/** Calls `listener` for every module registered from now on. Returns an unsubscribe function. */
export function onRegister(listener: (thunk: ModuleThunk) => void): () => void {
  registry.listeners.add(listener);
  return () => registry.listeners.delete(listener);
}

function decode(id: number, table: ModuleTableV1): InstrumentedModule {
  if (table.v !== 1) throw new Error(`trapdoor: module ${table.file} was instrumented by an incompatible transform (table v${table.v})`);
  return {
    id,
    file: table.file,
    sources: table.sources,
    sites: table.sites.map(([kind, line, column, functionName, locals, writable, source]) => {
      const names = locals === '' ? [] : locals.split(',');
      return {
        kind: SITE_KINDS[kind],
        line,
        column,
        functionName,
        source: table.sources[source] ?? table.file,
        locals: names,
        writable: names.map((_, i) => writable.charCodeAt(i) === 49 /* '1' */),
      };
    }),
  };
}
