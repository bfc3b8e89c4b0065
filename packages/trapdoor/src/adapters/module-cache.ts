/**
 * The bundler adapter's cache of instrumented modules (the factory's `cache` option, on for
 * `trapdoor-js/vitest`): what the adapter's transform returned for a module, kept in trapdoor's
 * disk cache (../cache/disk-cache.ts: same folder, same atomic entries, `TRAPDOOR_CACHE=0` turns
 * it off) so that the next run of a test runner does not parse and instrument the module again.
 *
 * The key is everything that decides the result: the code as the bundler hands it over; the
 * module's path; every resolved adapter option; the bundler (the map's form depends on it); the
 * incoming map's text (when plugins before this one changed the module); and the transform's
 * version (../cache/instrumented.ts: the transform's, Babel's parser's and this package's
 * versions and compiled files) together with this folder's plugin file (plugin.ts), which shapes the result.
 * The value is the adapter's answer: the code and the map, or "left alone" (no check to insert),
 * so a hit needs no parse at all. Modules with a syntax error are never stored: the bundler's
 * error comes again on every build.
 *
 * An entry's value is `<the map without its mappings, as JSON>\n<mappings>\n<code>` (`null` for
 * left alone), not one JSON text: the code and the mappings, nearly all of it, are then neither
 * escaped nor parsed (a VLQ string and JSON have no line break). The disk cache's own header
 * keeps it self-validating (its key, the digest of the value, renamed into place); the format's
 * name is in the key, so an entry of another format is simply not found, and a value that does
 * not read as one is a miss.
 */
import { appendFileSync, existsSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { cacheKey, DiskCache, readHeadLine } from '../cache/disk-cache.js';
import { readEnv } from '../loaders/settings.js';
import { transformVersion } from '../cache/instrumented.js';

/** What the adapter's transform answers for a module: its new code and map, or null (left alone). */
export type AdapterOutput = { code: string; map: unknown } | null;

/** `TRAPDOOR_DEBUG_CACHE=<file>`: `adapter hit <path>` / `adapter miss <path>` per lookup (as the loaders' cache writes `hit`/`miss`). */
const DEBUG_FILE = readEnv('TRAPDOOR_DEBUG_CACHE') || undefined;

let factoryVersion: string | undefined;

/** Size and modification time of the plugin's file, plugin.ts (compiled, or its source when run from the sources). */
function factoryStats(): string {
  if (factoryVersion !== undefined) return factoryVersion;
  const compiled = fileURLToPath(new URL('./plugin.js', import.meta.url));
  const file = existsSync(compiled) ? compiled : compiled.replace(/\.js$/, '.ts');
  try {
    const stat = statSync(file);
    factoryVersion = `${file} ${stat.size} ${stat.mtimeMs}`;
  } catch (error) {
    // Cannot tell: a key no other process makes, so nothing is reused.
    factoryVersion = `unknown ${process.pid} ${Date.now()} ${String(error)}`;
  }
  return factoryVersion;
}

export class AdapterCache {
  readonly disk: DiskCache;
  /** What the key holds besides the module: the adapter's options and the bundler. */
  readonly #settings: string;

  constructor(disk: DiskCache, settings: unknown) {
    this.disk = disk;
    this.#settings = JSON.stringify(settings);
  }

  /** The cache of the folder (see cacheDir), or undefined when `TRAPDOOR_CACHE=0`. */
  static open(cwd: string, settings: unknown): AdapterCache | undefined {
    const disk = DiskCache.open(cwd);
    return disk === undefined ? undefined : new AdapterCache(disk, settings);
  }

  key(code: string, path: string, inputMap: unknown): string {
    return cacheKey(ENTRY_FORMAT, transformVersion(), factoryStats(), this.#settings, path, inputMap === undefined ? null : JSON.stringify(inputMap), code);
  }

  /** The stored answer (null: left alone), or undefined when there is none. */
  get(key: string, path: string): AdapterOutput | undefined {
    const found = this.#read(key);
    if (DEBUG_FILE !== undefined) debugLine(`adapter ${found === undefined ? 'miss' : 'hit'} ${path}`);
    return found;
  }

  #read(key: string): AdapterOutput | undefined {
    if (!this.disk.working) return undefined;
    const text = this.disk.get(key);
    return text === undefined ? undefined : decodeEntry(text);
  }

  set(key: string, output: AdapterOutput): void {
    if (!this.disk.working) return;
    const value = encodeEntry(output);
    if (value !== undefined) this.disk.set(key, value);
  }
}

/** Named in every key: entries of an older format are other keys, never read as this one. */
const ENTRY_FORMAT = 'adapter-4';

/** An adapter's answer as an entry's value (see the top of this file). */
export function encodeEntry(output: AdapterOutput): string | undefined {
  if (output === null) return 'null';
  const { mappings, ...rest } = output.map as { mappings?: unknown };
  // A map of another form (none the adapters make) is not stored.
  if (typeof mappings !== 'string' || mappings.includes('\n')) return undefined;
  return `${JSON.stringify(rest)}\n${mappings}\n${output.code}`;
}

/** The answer an entry's value holds, or undefined when it does not read as one (a miss). */
export function decodeEntry(text: string): AdapterOutput | undefined {
  const entry = readHeadLine(text);
  if (entry === undefined) return undefined;
  const { head, rest } = entry;
  if (head === null && rest === undefined) return null;
  const newline = rest === undefined ? -1 : rest.indexOf('\n');
  if (newline < 0 || typeof head !== 'object' || head === null || Array.isArray(head)) return undefined;
  return { code: rest!.slice(newline + 1), map: { ...head, mappings: rest!.slice(0, newline) } };
}

function debugLine(line: string): void {
  try {
    appendFileSync(DEBUG_FILE!, `${line}\n`);
  } catch {
    // a debugging aid only
  }
}
