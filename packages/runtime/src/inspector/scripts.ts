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
import { Buffer } from 'node:buffer';
import { basename, isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Protocol } from 'devtools-protocol';
import { allModules, type InstrumentedModule } from '../modules.js';
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

/** A module's site as a script lists it: CDP's 0-based lines; an end of -1 where the table has none. */
export function siteRef(module: InstrumentedModule, index: number): SiteRef {
  const site = module.sites[index]!;
  return {
    module,
    index,
    kind: site.kind,
    lineNumber: site.line - 1,
    columnNumber: site.column,
    endLineNumber: site.endLine - 1,
    endColumnNumber: site.endLine === 0 ? -1 : site.endColumn,
  };
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

interface MapText {
  sources?: (string | null)[];
  sourcesContent?: (string | null)[];
  sourceRoot?: string;
}

/** The source map a compiled file names in its `sourceMappingURL` comment (inline or a file beside it), and where it is. */
function mapOfFile(file: string): { map: MapText; url: string } | undefined {
  let path: string;
  try {
    path = file.startsWith('file:') ? fileURLToPath(file) : resolve(file);
  } catch {
    return undefined;
  }
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  const at = text.lastIndexOf('sourceMappingURL=');
  const ref = at === -1 ? null : /^sourceMappingURL=([^\s'"*]+)/.exec(text.slice(at));
  if (ref === null) return undefined;
  const url = ref[1]!;
  try {
    if (url.startsWith('data:')) {
      const comma = url.indexOf(',');
      const body = url.slice(comma + 1);
      const json = url.slice(0, comma).endsWith(';base64') ? Buffer.from(body, 'base64').toString('utf8') : decodeURIComponent(body);
      return { map: JSON.parse(json) as MapText, url: pathToFileURL(path).href };
    }
    const mapUrl = new URL(url, pathToFileURL(path)).href;
    return { map: JSON.parse(readFileSync(fileURLToPath(mapUrl), 'utf8')) as MapText, url: mapUrl };
  } catch {
    return undefined;
  }
}

/**
 * The text of an original source that cannot be read (a build moved away from its sources),
 * from the `sourcesContent` of a map: the module table's, else the map the compiled file names.
 */
function embeddedSource(module: InstrumentedModule, source: string): string | undefined {
  const wanted = toUrl(source);
  const table = module.inputMap;
  const i = table?.sources.indexOf(source) ?? -1;
  if (i >= 0 && typeof table?.sourcesContent?.[i] === 'string') return table.sourcesContent[i]!;
  for (const file of new Set([module.loadedFrom, module.file])) {
    if (file === undefined) continue;
    const found = mapOfFile(file);
    if (found === undefined || !Array.isArray(found.map.sources)) continue;
    const { map } = found;
    const root = map.sourceRoot ? map.sourceRoot.replace(/\/?$/, '/') : '';
    const urls = map.sources!.map((s) => {
      try {
        return s === null ? '' : new URL(root + s, found.url).href;
      } catch {
        return '';
      }
    });
    let index = urls.indexOf(wanted);
    if (index === -1) {
      // Maps rewritten on the way (a bundler's, a copied build) may name the file from elsewhere: the same name, if only one.
      const same = urls.flatMap((u, k) => (u !== '' && basename(u) === basename(wanted) ? [k] : []));
      if (same.length === 1) index = same[0]!;
    }
    const content = index === -1 ? undefined : map.sourcesContent?.[index];
    if (typeof content === 'string') return content;
  }
  return undefined;
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

  /** Files more than one module says it was loaded from: bundles. */
  readonly #shared = new Set<string>();

  /**
   * The instrumented module an engine frame's file (path or URL) belongs to; undefined for a file
   * several modules were loaded from (a bundle: its own map tells them apart).
   */
  moduleLoadedFrom(file: string): InstrumentedModule | undefined {
    const url = toUrl(file);
    return this.#shared.has(url) ? undefined : this.#byLoadedFrom.get(url);
  }

  /**
   * The instrumented module's source that a map's `source` names (a path or URL), or undefined.
   * Bundlers write sources their own way (`webpack://app/src/a.ts`, paths relative to some outDir
   * of a plugin's): when none is the same file, the one source that shares the longest tail of
   * path segments with it (at least its file name) is taken, and none if two share it.
   */
  moduleSourceFor(source: string): string | undefined {
    const url = toUrl(source);
    const known = new Set<string>();
    for (const module of allModules()) for (const s of [module.file, ...module.sources]) known.add(toUrl(s));
    if (known.has(url)) return url;
    const tail = (u: string) => u.split(/[\\/]/).reverse();
    const wanted = tail(url);
    let best: string | undefined;
    let bestLength = 0;
    let tie = false;
    for (const candidate of known) {
      const have = tail(candidate);
      let n = 0;
      while (n < wanted.length && n < have.length && wanted[n] === have[n] && wanted[n] !== '') n++;
      if (n > bestLength) [best, bestLength, tie] = [candidate, n, false];
      else if (n === bestLength && n > 0) tie = true;
    }
    return bestLength > 0 && !tie ? best : undefined;
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
      if (module.loadedFrom !== undefined) {
        const from = toUrl(module.loadedFrom);
        const other = this.#byLoadedFrom.get(from);
        if (other !== undefined && other !== module) this.#shared.add(from);
        this.#byLoadedFrom.set(from, module);
      }
      const isModule = module.loadedFrom?.startsWith('file:') ?? false;
      const used = new Set(module.sites.map((site) => site.source));
      const sources = module.sources.filter((source, i) => used.has(source) || (i === 0 && module.inputMap === undefined));
      const scripts = new Map<string, Script>();
      for (const source of sources) {
        const script = this.ensure(toUrl(source), { instrumented: true, isModule, embedded: () => embeddedSource(module, source) });
        if (script !== undefined) scripts.set(source, script);
      }
      module.sites.forEach((site, index) => {
        const script = scripts.get(site.source);
        if (script === undefined) return;
        script.sites.push(siteRef(module, index));
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
  ensure(url: string, { instrumented = false, isModule = false, embedded }: { instrumented?: boolean; isModule?: boolean; embedded?: () => string | undefined } = {}): Script | undefined {
    const existing = this.#byUrl.get(url);
    if (existing !== undefined) {
      if (instrumented) existing.instrumented = true;
      return existing;
    }
    const source = readSource(url) ?? embedded?.();
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
