/**
 * Breakpoints, in trap mode.
 *
 * Only checks can stop the program, so a breakpoint resolves to the nearest check at or after the
 * requested position in its script (a loop's check runs at the start of every iteration, a
 * function's at every call), and `locations` reports where that is. Breakpoints set by URL or
 * URL pattern also resolve in scripts registered later (`Debugger.breakpointResolved`).
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
}

export type BreakpointSpec = Pick<Breakpoint, 'url' | 'scriptId' | 'lineNumber' | 'columnNumber' | 'condition'> & { urlRegex?: string };

/** Sites at the nearest position at or after (line, column): several when modules share a source. */
export function nearestSites(script: Script, lineNumber: number, columnNumber: number): SiteRef[] {
  const first = script.sites.find((s) => s.lineNumber > lineNumber || (s.lineNumber === lineNumber && s.columnNumber >= columnNumber));
  if (first === undefined) return [];
  return script.sites.filter((s) => s.lineNumber === first.lineNumber && s.columnNumber === first.columnNumber);
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
    for (const site of nearestSites(script, breakpoint.lineNumber, breakpoint.columnNumber)) {
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
