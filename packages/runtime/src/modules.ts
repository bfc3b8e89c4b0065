/**
 * Instrumented modules and their site tables.
 *
 * Each instrumented module declares a hoisted function (`function __td_M() { return '{…}' }`)
 * that returns its table: a JSON text (ModuleTableV2), or from older transforms the object itself
 * (ModuleTableV1). Hoisting means the function exists before the module body runs, so a function
 * of the module called early through an import cycle can still trap. The table is parsed only
 * when the runtime first needs it.
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
   * are `let`/`var`/parameters the trap may assign back), source index into `sources`,
   * and, from transforms that know them: end line and column of the loop or function (0, 0 when
   * unknown), flags (`SiteFlag`)]. Tables without the last three are read as before.
   */
  sites: Array<[SiteKindCode, number, number, string, string, string, number] | [SiteKindCode, number, number, string, string, string, number, number, number, number]>;
  /**
   * Every text insertion, as flat (line, column, length) triples in the coordinates of the code
   * the transform was given, in order. No insertion holds a newline, so a generated position
   * maps back by subtracting the lengths inserted before it on its line.
   */
  shifts: number[];
  /**
   * Functions the transform gave no entry check (a function with neither loop nor call, in trap
   * mode): [line (1-based), column (0-based), end line, end column (exclusive; 0, 0 when unknown),
   * function name, source index]. Not sites (no check stops there); breakpoints need them to know
   * which function a position is in. Absent from older tables and when there are none.
   */
  bare?: Array<[number, number, number, number, string, number]>;
  /** The map from that code to the original sources, when the transform was given one. */
  inputMap?: { version: number; sources: (string | null)[]; sourcesContent?: (string | null)[]; names: string[]; mappings: string; sourceRoot?: string };
}

/**
 * What the transform emits, version 2: the fields of version 1, as JSON in a string the module's
 * table function returns (`return /*trapdoor:2*\/'{"v":2,…}'`), parsed by the runtime; `sources`
 * is left out when it is `[file]`.
 */
export type ModuleTableV2 = Omit<ModuleTableV1, 'v' | 'sources'> & { v: 2; sources?: string[] };

/** A table of either version, as parsed. */
export type ModuleTable = ModuleTableV1 | ModuleTableV2;

export type SiteKindCode = 0 | 1 | 2;
export const SITE_KINDS = ['loop', 'function', 'statement'] as const;
export type SiteKind = (typeof SITE_KINDS)[number];

/** A module's table function: the JSON text of a ModuleTableV2, or (older transforms, adopted tables) a parsed table. */
export type ModuleThunk = () => ModuleTable | string;

/** The table a module's function gives, parsed. */
export function tableOf(thunk: ModuleThunk): ModuleTable {
  const table = thunk();
  return typeof table === 'string' ? (JSON.parse(table) as ModuleTable) : table;
}

export const SiteFlag = {
  /** The check passes `this` after the locals. */
  THIS: 1,
  /** A function whose own code has no effect outside its locals (the transform's analysis). */
  SIDE_EFFECT_FREE: 2,
  /** The check passes the locals (and `this`) as separate arguments, not in one array. */
  ARGS: 4,
  /** The check throws what `trap()` returns when that is not a write-back array (statement checks). */
  THROWS: 8,
} as const;

export interface Site {
  kind: SiteKind;
  line: number;
  column: number;
  functionName: string;
  source: string;
  locals: string[];
  /** locals[i] can be assigned back when `writable[i]`. */
  writable: boolean[];
  /** Where the loop or function ends (exclusive; line 1-based); line 0 when the table does not say. */
  endLine: number;
  endColumn: number;
  /** The locals array ends with the frame's `this`. */
  capturesThis: boolean;
  sideEffectFree: boolean;
  /** How the check calls `trap()` (SiteFlag.ARGS, SiteFlag.THROWS; both unset in older tables). */
  passesArgs: boolean;
  throwsReturned: boolean;
}

/** A function without a check of its own (`ModuleTableV1['bare']`). */
export interface BareFunction {
  line: number;
  column: number;
  /** Exclusive; line 0 when the table does not say. */
  endLine: number;
  endColumn: number;
  functionName: string;
  source: string;
}

export interface InstrumentedModule {
  id: number;
  /** The filename the transform was given (usually the original file's path). */
  file: string;
  /** The URL or path the module was loaded from (`import.meta.url` / `__filename`), when known. */
  loadedFrom: string | undefined;
  shifts: number[];
  inputMap: ModuleTableV1['inputMap'];
  sources: string[];
  sites: Site[];
  /** Functions without a check, by position. */
  bare: BareFunction[];
}

const KEY = Symbol.for('trapdoor.modules');
type Registry = {
  thunks: ModuleThunk[];
  known: Map<ModuleThunk, InstrumentedModule | null>;
  loadedFrom: Map<ModuleThunk, string | undefined>;
  listeners: Set<(thunk: ModuleThunk) => void>;
  /** Modules registered from their table before their own registration (`adopt`), by `adoptionKey`. */
  adopted?: Map<string, ModuleThunk>;
};
type Holder = { [KEY]?: Registry };

function obtain(): Registry {
  const holder = globalThis as Holder;
  let registry = holder[KEY];
  if (registry === undefined) {
    registry = { thunks: [], known: new Map(), loadedFrom: new Map(), listeners: new Set() };
    Object.defineProperty(holder, KEY, { value: registry, enumerable: false });
  }
  return registry;
}

const registry = obtain();

/**
 * Called once by each instrumented module at the top of its body, with the URL or path it was
 * loaded from. Cheap: the table is not built here.
 */
export function register(thunk: ModuleThunk, loadedFrom?: string): void {
  if (loadedFrom !== undefined && !registry.loadedFrom.has(thunk)) registry.loadedFrom.set(thunk, loadedFrom);
  if (registry.known.has(thunk)) return;
  // Adopted from its table already (rare: only after a pause found it unregistered): the same module.
  if (registry.adopted !== undefined && registry.adopted.size > 0 && loadedFrom !== undefined) {
    const stand = registry.adopted.get(adoptionKey(loadedFrom, tableOf(thunk).file));
    if (stand !== undefined && stand !== thunk) {
      registry.known.set(thunk, moduleOf(stand));
      return;
    }
  }
  registry.known.set(thunk, null);
  registry.thunks.push(thunk);
  for (const listener of registry.listeners) listener(thunk);
}

/** Whether the module has registered (or been registered by `moduleOf` or a trap). */
export function isRegistered(thunk: ModuleThunk): boolean {
  return registry.known.has(thunk);
}

/** The decoded table of a module, registering it if its body has not run yet (import cycles). */
export function moduleOf(thunk: ModuleThunk): InstrumentedModule {
  let mod = registry.known.get(thunk);
  if (mod) return mod;
  if (mod === undefined) register(thunk);
  mod = decode(registry.thunks.indexOf(thunk), tableOf(thunk), registry.loadedFrom.get(thunk));
  registry.known.set(thunk, mod);
  return mod;
}

/** A file as the engine or `import.meta.url` names it, as a path, with the module's own name. */
function adoptionKey(loadedFrom: string, file: string): string {
  let path = loadedFrom;
  if (path.startsWith('file://')) {
    try {
      path = decodeURIComponent(path.slice('file://'.length));
    } catch {
      // keep it as it is
    }
  }
  return `${path}\0${file}`;
}

/**
 * Registers a module from its site table, read from its code (inspector/module-tables.ts), for an
 * ES module that registers only when its body ends and is stuck in a call before that: its frames
 * can then be placed. When the module registers itself later, it is this same module. Returns
 * false when that module is registered already.
 */
export function adopt(table: ModuleTable, loadedFrom: string): boolean {
  const key = adoptionKey(loadedFrom, table.file);
  registry.adopted ??= new Map();
  if (registry.adopted.has(key)) return false;
  for (const thunk of registry.thunks) {
    const from = registry.loadedFrom.get(thunk);
    if (from !== undefined && adoptionKey(from, moduleOf(thunk).file) === key) return false;
  }
  const stand: ModuleThunk = () => table;
  register(stand, loadedFrom);
  registry.adopted.set(key, stand);
  return true;
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

function decode(id: number, table: ModuleTable, loadedFrom: string | undefined): InstrumentedModule {
  const version = (table as { v: unknown }).v;
  if (version !== 1 && version !== 2) throw new Error(`trapdoor: module ${table.file} was instrumented by an incompatible transform (table v${String(version)})`);
  const sources = table.sources ?? [table.file];
  return {
    id,
    file: table.file,
    loadedFrom,
    shifts: table.shifts ?? [],
    inputMap: table.inputMap,
    sources,
    sites: table.sites.map(([kind, line, column, functionName, locals, writable, source, endLine = 0, endColumn = 0, flags = 0]) => {
      const names = locals === '' ? [] : locals.split(',');
      return {
        kind: SITE_KINDS[kind],
        line,
        column,
        functionName,
        source: sources[source] ?? table.file,
        locals: names,
        writable: names.map((_, i) => writable.charCodeAt(i) === 49 /* '1' */),
        endLine,
        endColumn,
        capturesThis: (flags & SiteFlag.THIS) !== 0,
        sideEffectFree: (flags & SiteFlag.SIDE_EFFECT_FREE) !== 0,
        passesArgs: (flags & SiteFlag.ARGS) !== 0,
        throwsReturned: (flags & SiteFlag.THROWS) !== 0,
      };
    }),
    bare: (table.bare ?? []).map(([line, column, endLine, endColumn, functionName, source]) => ({
      line,
      column,
      endLine,
      endColumn,
      functionName,
      source: sources[source] ?? table.file,
    })),
  };
}
