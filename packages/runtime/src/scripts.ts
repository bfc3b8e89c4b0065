/**
 * Scripts: what the debugger announces with `Debugger.scriptParsed`.
 *
 * One script per ORIGINAL source file of the registered modules (the `.ts` a module was compiled
 * from when the transform was given a source map, else the file the transform was given), with
 * its `file://` URL and its original text, so that clients show and set breakpoints in the files
 * the user wrote. Positions announced anywhere (sites, call frames, breakpoint locations) are in
 * those files' coordinates.
 *
 * Files that are on the stack but were not instrumented (a preload, an uninstrumented package)
 * get a script too, on demand, when a call frame needs one (DevTools drops frames whose script was
 * never announced). Engine internals (`node:…`, native frames) get none.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Protocol } from 'devtools-protocol';
import { allModules, type InstrumentedModule } from './modules.js';
import { CONTEXT_ID } from './protocol.js';

/** One check of a module, placed in its original script (0-based line, as CDP counts). */
export interface SiteRef {
  module: InstrumentedModule;
  index: number;
  kind: 'loop' | 'function' | 'statement';
  lineNumber: number;
  columnNumber: number;
  /** Where its loop or function ends (exclusive); -1 when the module table does not say. */
  endLineNumber: number;
  endColumnNumber: number;
}

export interface Script {
  id: string;
  url: string;
  /** The original text ('' when it cannot be read). */
  source: string;
  /** Whether the program's own instrumented code maps here (else a file seen on the stack). */
  instrumented: boolean;
  isModule: boolean;
  /** The checks in this script, by position. */
  sites: SiteRef[];
  event: Protocol.Debugger.ScriptParsedEvent;
}

/**
 * A path or URL as a URL: absolute paths become `file://` URLs, relative ones are resolved from
 * the working directory, URLs (file:, webpack:, …) stay as they are.
 */
export function toUrl(pathOrUrl: string): string {
  if (/^[a-zA-Z][a-zA-Z\d+.-]+:/.test(pathOrUrl)) return pathOrUrl;
  return pathToFileURL(isAbsolute(pathOrUrl) ? pathOrUrl : resolve(pathOrUrl)).href;
}

function readSource(url: string): string | undefined {
  if (!url.startsWith('file:')) return undefined;
  try {
    return readFileSync(fileURLToPath(url), 'utf8');
  } catch {
    return undefined;
  }
}

function scriptParsed(id: string, url: string, source: string, isModule: boolean): Protocol.Debugger.ScriptParsedEvent {
  let endLine = 0;
  let lastBreak = -1;
  for (let i = source.indexOf('\n'); i !== -1; i = source.indexOf('\n', i + 1)) {
    endLine++;
    lastBreak = i;
  }
  return {
    scriptId: id,
    url,
    startLine: 0,
    startColumn: 0,
    endLine,
    endColumn: source.length - lastBreak - 1,
    executionContextId: CONTEXT_ID,
    hash: createHash('sha256').update(source).digest('hex'),
    buildId: '',
    executionContextAuxData: { isDefault: true },
    isLiveEdit: false,
    sourceMapURL: '',
    hasSourceURL: false,
    isModule,
    length: source.length,
    scriptLanguage: 'JavaScript',
    embedderName: url,
  };
}

export class Scripts {
  readonly #byId = new Map<string, Script>();
  readonly #byUrl = new Map<string, Script>();
  /** Modules by the URL they were loaded from (what engine stack frames name). */
  readonly #byLoadedFrom = new Map<string, InstrumentedModule>();
  readonly #seenModules = new Set<number>();
  readonly #onCreated: (script: Script) => void;
  #next = 0;

  /** `onCreated` is told of every script as it is created (to announce it). */
  constructor(onCreated: (script: Script) => void) {
    this.#onCreated = onCreated;
  }

  all(): IterableIterator<Script> {
    return this.#byId.values();
  }

  byId(id: string): Script | undefined {
    return this.#byId.get(id);
  }

  byUrl(url: string): Script | undefined {
    return this.#byUrl.get(url);
  }

  /** The instrumented module an engine frame's file (path or URL) belongs to. */
  moduleLoadedFrom(file: string): InstrumentedModule | undefined {
    return this.#byLoadedFrom.get(toUrl(file));
  }

  /**
   * Takes in the modules registered since the last call. Returns every script that was created
   * or received new sites (breakpoints may now resolve in them).
   */
  update(): Script[] {
    const changed = new Set<Script>();
    for (const module of allModules()) {
      if (this.#seenModules.has(module.id)) continue;
      this.#seenModules.add(module.id);
      if (module.loadedFrom !== undefined) this.#byLoadedFrom.set(toUrl(module.loadedFrom), module);
      const isModule = module.loadedFrom?.startsWith('file:') ?? false;
      const used = new Set(module.sites.map((site) => site.source));
      const sources = module.sources.filter((source, i) => used.has(source) || (i === 0 && module.inputMap === undefined));
      const scripts = new Map<string, Script>();
      for (const source of sources) {
        const script = this.ensure(toUrl(source), { instrumented: true, isModule });
        if (script !== undefined) scripts.set(source, script);
      }
      module.sites.forEach((site, index) => {
        const script = scripts.get(site.source);
        if (script === undefined) return;
        script.sites.push({
          module,
          index,
          kind: site.kind,
          lineNumber: site.line - 1,
          columnNumber: site.column,
          endLineNumber: site.endLine - 1,
          endColumnNumber: site.endLine === 0 ? -1 : site.endColumn,
        });
        changed.add(script);
      });
      for (const script of scripts.values()) {
        script.sites.sort((a, b) => a.lineNumber - b.lineNumber || a.columnNumber - b.columnNumber);
        changed.add(script);
      }
    }
    return [...changed];
  }

  /**
   * The script for `url`, created (and announced) if needed. A file that cannot be read gets a
   * script only when `instrumented` (its sites still need a place); else undefined.
   */
  ensure(url: string, { instrumented = false, isModule = false } = {}): Script | undefined {
    const existing = this.#byUrl.get(url);
    if (existing !== undefined) {
      if (instrumented) existing.instrumented = true;
      return existing;
    }
    const source = readSource(url);
    if (source === undefined && !instrumented) return undefined;
    const id = String(++this.#next);
    const text = source ?? '';
    const script: Script = { id, url, source: text, instrumented, isModule, sites: [], event: scriptParsed(id, url, text, isModule) };
    this.#byId.set(id, script);
    this.#byUrl.set(url, script);
    this.#onCreated(script);
    return script;
  }
}
