/**
 * Breakpoints, in trap mode.
 *
 * Only checks can stop the program (a loop's check runs at the start of every iteration, a
 * function's at every call), so a breakpoint resolves to a check of the function the requested
 * position is in, never to another function's (`resolveLocation`), and `locations` reports where
 * that is; with none, it stays pending and `reason` says why. Breakpoints set by URL or URL
 * pattern also resolve in scripts registered later (`Debugger.breakpointResolved`).
 *
 * While any breakpoint is resolved (and breakpoints are active), the inspector keeps
 * `Request.BREAK` set so that every check comes to the trap; `at()` is the trap's fast test for
 * "is there a breakpoint at this site" (one Map lookup per module, one per site).
 *
 * As in V8, breakpoints belong to the session that set them: they go when it disables the
 * debugger or leaves, and only its own ids are listed in its `hitBreakpoints`.
 */
import type { Protocol } from 'devtools-protocol';
import { ProtocolError } from './protocol.js';
import type { InstrumentedModule } from '../modules.js';
import type { Script, Scripts, SiteRef } from './scripts.js';

export interface Breakpoint {
  id: string;
  session: number;
  url?: string;
  urlRegex?: RegExp;
  scriptId?: string;
  lineNumber: number;
  columnNumber: number;
  condition: string;
  /** Resolved sites, and where they are. */
  sites: SiteRef[];
  locations: Protocol.Debugger.Location[];
  /** Why it did not resolve in the last matching script, if it did not. */
  reason?: string;
}

export type BreakpointSpec = Pick<Breakpoint, 'url' | 'scriptId' | 'lineNumber' | 'columnNumber' | 'condition'> & { urlRegex?: string };

/** Sites at the nearest position at or after (line, column): several when modules share a source. */
export function nearestSites(script: Script, lineNumber: number, columnNumber: number): SiteRef[] {
  const first = script.sites.find((s) => s.lineNumber > lineNumber || (s.lineNumber === lineNumber && s.columnNumber >= columnNumber));
  if (first === undefined) return [];
  return script.sites.filter((s) => s.lineNumber === first.lineNumber && s.columnNumber === first.columnNumber);
}

interface Position {
  line: number;
  column: number;
}

const isBefore = (a: Position, b: Position): boolean => a.line < b.line || (a.line === b.line && a.column < b.column);

/** The checks at one position of a script (several when modules share a source). */
interface Check {
  start: Position;
  /** Exclusive; undefined when the module table does not say. */
  end: Position | undefined;
  kind: SiteRef['kind'];
  sites: SiteRef[];
  functionName: string;
  /** The innermost function whose extent holds this check's start (not itself). */
  owner: Check | undefined;
  /** A function the transform gave no check (`InstrumentedModule.bare`): no sites; nothing stops there. */
  bare: boolean;
}

interface Layout {
  /** `script.sites.length` when built (sites are only ever added). */
  count: number;
  /** The checks and the functions without one (`bare`), by position. */
  checks: Check[];
  /** Only the checks: where a breakpoint can stop. */
  stops: Check[];
  /** Whether the tables gave extents (transforms before them did not). */
  extents: boolean;
}

const layouts = new WeakMap<Script, Layout>();

function layoutOf(script: Script): Layout {
  const cached = layouts.get(script);
  if (cached !== undefined && cached.count === script.sites.length) return cached;
  const checks: Check[] = [];
  let extents = script.sites.length > 0;
  for (const site of script.sites) {
    const last = checks[checks.length - 1];
    if (last !== undefined && last.start.line === site.lineNumber && last.start.column === site.columnNumber) {
      last.sites.push(site);
      continue;
    }
    const end = site.endLineNumber < 0 ? undefined : { line: site.endLineNumber, column: site.endColumnNumber };
    if (end === undefined) extents = false;
    const functionName = site.module.sites[site.index]?.functionName ?? '';
    checks.push({ start: { line: site.lineNumber, column: site.columnNumber }, end, kind: site.kind, sites: [site], functionName, owner: undefined, bare: false });
  }
  const stops = [...checks];
  const bare = bareFunctions(script, checks);
  if (bare.length > 0) {
    checks.push(...bare);
    checks.sort((a, b) => a.start.line - b.start.line || a.start.column - b.start.column); // stable: a check before a function at its start
  }
  // Functions nest: a stack of the open ones gives each check its owner in one pass.
  const open: Check[] = [];
  for (const check of checks) {
    while (open.length > 0 && !isBefore(check.start, open[open.length - 1]!.end!)) open.pop();
    check.owner = open[open.length - 1];
    if (check.kind === 'function' && check.end !== undefined) open.push(check);
  }
  const layout = { count: script.sites.length, checks, stops, extents };
  layouts.set(script, layout);
  return layout;
}

/**
 * The functions without a check in this script, from the tables of the modules that have sites
 * here: without them a position in one would be taken for its enclosing function's, and a
 * breakpoint there would stop at a check of that other function. One that another module
 * sharing the source does check is left out (its check is in `checks`).
 */
function bareFunctions(script: Script, checks: Check[]): Check[] {
  const sourcesOf = new Map<InstrumentedModule, Set<string>>();
  for (const site of script.sites) {
    const source = site.module.sites[site.index]?.source;
    if (source === undefined) continue;
    let sources = sourcesOf.get(site.module);
    if (sources === undefined) sourcesOf.set(site.module, (sources = new Set()));
    sources.add(source);
  }
  const key = (p: Position) => `${p.line}:${p.column}`;
  const seen = new Set(checks.filter((c) => c.kind === 'function').map((c) => key(c.start)));
  const bare: Check[] = [];
  for (const [module, sources] of sourcesOf) {
    for (const f of module.bare ?? []) {
      if (!sources.has(f.source) || f.endLine === 0) continue;
      const start = { line: f.line - 1, column: f.column };
      if (seen.has(key(start))) continue;
      seen.add(key(start));
      bare.push({ start, end: { line: f.endLine - 1, column: f.endColumn }, kind: 'function', sites: [], functionName: f.functionName, owner: undefined, bare: true });
    }
  }
  return bare;
}

function contains(check: Check, p: Position): boolean {
  return check.end !== undefined && !isBefore(p, check.start) && isBefore(p, check.end);
}

/** The innermost function check whose extent holds `p`; undefined at top level. */
function functionAt(checks: Check[], p: Position): Check | undefined {
  let found: Check | undefined;
  for (const check of checks) {
    if (isBefore(p, check.start)) break;
    if (check.kind === 'function' && contains(check, p)) found = check;
  }
  return found;
}

/** Column of the first non-blank character of a line (0-based), if the line has one. */
function firstNonBlank(source: string, line: number): number | undefined {
  let start = 0;
  for (let l = 0; l < line; l++) {
    const next = source.indexOf('\n', start);
    if (next === -1) return undefined;
    start = next + 1;
  }
  const end = source.indexOf('\n', start);
  const match = /\S/.exec(source.slice(start, end === -1 ? undefined : end));
  return match === null ? undefined : match.index;
}

export interface Resolution {
  sites: SiteRef[];
  /** Why nothing resolved. */
  reason?: string;
}

/**
 * Where a breakpoint at (line, column) stops, in trap mode. A column at or before the line's
 * first non-blank character means the whole line. Let F be the innermost function holding the
 * position (or the top level). In order:
 *  1. a check of F on that line at or after the position (the line of a loop, or F's own first line);
 *  2. the innermost loop of F whose body holds the position: its check runs before every
 *     iteration, so a line inside a loop body stops there;
 *  3. a function that starts on that line at or after the position (`export function f() {`,
 *     `app.get('/', (req, res) => {`): its entry;
 *  4. the first loop of F after the position.
 * Never a check of another function. Otherwise nothing, with the reason. F can be a function the
 * transform gave no check (`bare`: neither loop nor call): then only 3 can stop, and the reason says so.
 */
export function resolveLocation(script: Script, lineNumber: number, columnNumber: number): Resolution {
  const layout = layoutOf(script);
  if (!layout.extents) return { sites: nearestSites(script, lineNumber, columnNumber) };
  const { checks, stops } = layout;
  const p = { line: lineNumber, column: columnNumber };
  const first = firstNonBlank(script.source, lineNumber);
  if (first !== undefined && columnNumber <= first) p.column = first;
  const fn = functionAt(checks, p);
  const ownedByF = (c: Check): boolean => (c.kind === 'function' ? c === fn : c.owner === fn);
  const atOrAfter = (c: Check): boolean => !isBefore(c.start, p);
  let hit = stops.find((c) => c.start.line === p.line && atOrAfter(c) && ownedByF(c));
  if (hit === undefined) {
    for (const c of stops) if (c.kind !== 'function' && c.owner === fn && contains(c, p)) hit = c;
  }
  hit ??= stops.find((c) => c.kind === 'function' && c.owner === fn && c.start.line === p.line && atOrAfter(c));
  hit ??= stops.find((c) => c.kind !== 'function' && c.owner === fn && isBefore(p, c.start));
  if (hit !== undefined) return { sites: hit.sites };
  if (fn?.bare === true) {
    const what = fn.functionName === '' ? `the function at line ${fn.start.line + 1}` : `function ${fn.functionName}`;
    return {
      sites: [],
      reason: `${what} has no check: trap mode puts none in a function with neither loop nor call (instrument with entryChecks: 'all' to stop there)`,
    };
  }
  const where = fn === undefined ? 'at the top level' : fn.functionName === '' ? `in the function at line ${fn.start.line + 1}` : `in function ${fn.functionName}`;
  return {
    sites: [],
    reason: `no loop or function entry of its own at or after line ${lineNumber + 1} ${where}: in trap mode only those can stop the program`,
  };
}

/** The checks in [start, end) (all of the script without `end`); with `restrictToFunction`, only those of the function holding `start`. */
export function possibleBreakpoints(script: Script, start: Position, end: Position | undefined, restrictToFunction: boolean): Protocol.Debugger.BreakLocation[] {
  const { checks, stops } = layoutOf(script);
  const fn = restrictToFunction ? functionAt(checks, start) : undefined;
  const locations: Protocol.Debugger.BreakLocation[] = [];
  for (const check of stops) {
    if (isBefore(check.start, start) || (end !== undefined && !isBefore(check.start, end))) continue;
    if (restrictToFunction && (check.kind === 'function' ? check !== fn : check.owner !== fn)) continue;
    locations.push({ scriptId: script.id, lineNumber: check.start.line, columnNumber: check.start.column });
  }
  return locations;
}

export class Breakpoints {
  readonly #byId = new Map<string, Breakpoint>();
  /** module id → site index → breakpoints there. */
  readonly #bySite = new Map<number, Map<number, Set<Breakpoint>>>();
  #resolvedCount = 0;

  /** Whether any breakpoint has a site (then every check must trap). */
  get anyResolved(): boolean {
    return this.#resolvedCount > 0;
  }

  get(id: string): Breakpoint | undefined {
    return this.#byId.get(id);
  }

  /** The breakpoints at a site, if any. The trap's fast path. */
  at(moduleId: number, site: number): Set<Breakpoint> | undefined {
    return this.#bySite.get(moduleId)?.get(site);
  }

  /** Adds a breakpoint and resolves it in every known script. */
  add(session: number, spec: BreakpointSpec, scripts: Scripts): Breakpoint {
    const { lineNumber, columnNumber = 0 } = spec;
    let id: string;
    let urlRegex: RegExp | undefined;
    if (spec.scriptId !== undefined) id = `${spec.scriptId}:${lineNumber}:${columnNumber}`;
    else if (spec.url !== undefined) id = `1:${lineNumber}:${columnNumber}:${spec.url}`;
    else if (spec.urlRegex !== undefined) {
      try {
        urlRegex = new RegExp(spec.urlRegex);
      } catch (error) {
        throw new ProtocolError(`Incorrect urlRegex: ${(error as Error).message}`);
      }
      id = `4:${lineNumber}:${columnNumber}:${spec.urlRegex}`;
    } else throw new ProtocolError('Either url or urlRegex must be specified.');
    id = `${session}/${id}`;
    if (this.#byId.has(id)) throw new ProtocolError('Breakpoint at specified location already exists.');
    const breakpoint: Breakpoint = {
      id,
      session,
      url: spec.url,
      urlRegex,
      scriptId: spec.scriptId,
      lineNumber,
      columnNumber,
      condition: spec.condition ?? '',
      sites: [],
      locations: [],
    };
    this.#byId.set(id, breakpoint);
    for (const script of scripts.all()) this.#resolve(breakpoint, script);
    return breakpoint;
  }

  remove(id: string): boolean {
    const breakpoint = this.#byId.get(id);
    if (breakpoint === undefined) return false;
    this.#byId.delete(id);
    for (const site of breakpoint.sites) {
      const bySite = this.#bySite.get(site.module.id);
      const set = bySite?.get(site.index);
      if (set === undefined) continue;
      set.delete(breakpoint);
      this.#resolvedCount--;
      if (set.size === 0) bySite!.delete(site.index);
    }
    return true;
  }

  removeSession(session: number): void {
    for (const breakpoint of [...this.#byId.values()]) if (breakpoint.session === session) this.remove(breakpoint.id);
  }

  /**
   * Resolves every breakpoint in a script that is new or has new sites. Returns the locations
   * that were added (for `Debugger.breakpointResolved`).
   */
  resolveIn(script: Script): Array<{ breakpoint: Breakpoint; location: Protocol.Debugger.Location }> {
    const added: Array<{ breakpoint: Breakpoint; location: Protocol.Debugger.Location }> = [];
    for (const breakpoint of this.#byId.values()) {
      for (const location of this.#resolve(breakpoint, script)) added.push({ breakpoint, location });
    }
    return added;
  }

  #matches(breakpoint: Breakpoint, script: Script): boolean {
    if (breakpoint.scriptId !== undefined) return breakpoint.scriptId === script.id;
    if (breakpoint.url !== undefined) return breakpoint.url === script.url;
    return breakpoint.urlRegex?.test(script.url) ?? false;
  }

  #resolve(breakpoint: Breakpoint, script: Script): Protocol.Debugger.Location[] {
    if (!this.#matches(breakpoint, script)) return [];
    const added: Protocol.Debugger.Location[] = [];
    const { sites, reason } = resolveLocation(script, breakpoint.lineNumber, breakpoint.columnNumber);
    if (sites.length === 0 && breakpoint.sites.length === 0) breakpoint.reason = reason;
    for (const site of sites) {
      if (breakpoint.sites.some((s) => s.module === site.module && s.index === site.index)) continue;
      breakpoint.sites.push(site);
      let bySite = this.#bySite.get(site.module.id);
      if (bySite === undefined) this.#bySite.set(site.module.id, (bySite = new Map()));
      let set = bySite.get(site.index);
      if (set === undefined) bySite.set(site.index, (set = new Set()));
      set.add(breakpoint);
      this.#resolvedCount++;
      const location = { scriptId: script.id, lineNumber: site.lineNumber, columnNumber: site.columnNumber };
      if (!breakpoint.locations.some((l) => l.scriptId === location.scriptId && l.lineNumber === location.lineNumber && l.columnNumber === location.columnNumber)) {
        breakpoint.locations.push(location);
        added.push(location);
      }
    }
    return added;
  }
}
