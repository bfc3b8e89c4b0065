/**
 * A content-addressed cache on disk, shared by processes: what the loaders (and, later, the test
 * runners and bundler adapters) keep so that a file is not transformed again while neither it nor
 * anything that decides the result changed. Keys are digests of everything that went into a
 * result (cacheKey); an entry is never updated in place, only replaced.
 *
 * Where (`cacheDir`), as Babel's and Jest's caches and find-cache-dir do it:
 *   - `TRAPDOOR_CACHE=0` (or `false`, `off`): no cache at all;
 *   - `TRAPDOOR_CACHE_DIR=<dir>`: there;
 *   - else `node_modules/.cache/trapdoor` of the nearest folder above the working directory that
 *     has a package.json and a node_modules folder;
 *   - else the OS cache folder: `$XDG_CACHE_HOME` or `~/.cache` (Linux), `~/Library/Caches`
 *     (macOS), `%LOCALAPPDATA%` (Windows), + `/trapdoor`.
 * Hand-written rather than find-cache-dir + env-paths: ten lines, and no dependency that every
 * instrumented process would load.
 *
 * Safe with many processes at once and with a crash at any point: an entry is written to a
 * temporary file in the same folder and renamed over its name (atomic on POSIX and NTFS), so a
 * reader sees a whole entry or none. Each entry carries its key and a digest of its value; one
 * that does not match (a damaged file, a different format) is a miss, and is replaced. Any error
 * of the file system (read-only, full, no permission, Deno without --allow-read/--allow-write
 * for the folder) turns the cache off for the process: the program never notices.
 *
 * Bounded: entries no process has read or written for UNUSED_DAYS are removed, and temporary files
 * a crashed writer left, by the first store of a process at most once a day per folder (prune).
 * "Read" is the entry's access time, which Linux's default `relatime` updates at most once a day;
 * where the file system keeps none (`noatime`), an entry in use is made again once a month: a miss
 * costs a transform, never a wrong answer.
 */
import { existsSync, readdirSync, readFileSync, renameSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { makeDirectory } from '../make-directory.js';
import { homedir, platform } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { readEnv } from '../loaders/settings.js';

/**
 * node:crypto, loaded on first use: `trapdoor run` reads the cache folder's name (cacheDir)
 * before it starts the program, and importing node:crypto costs Node 20 about 1.7 ms there.
 */
let cryptoModule: typeof import('node:crypto') | undefined;
const nodeCrypto = (): typeof import('node:crypto') => (cryptoModule ??= process.getBuiltinModule('node:crypto'));

export const CACHE_ENV = {
  /** `0` / `false` / `off`: no cache. */
  enabled: 'TRAPDOOR_CACHE',
  /** The cache folder, instead of the default one. */
  dir: 'TRAPDOOR_CACHE_DIR',
} as const;

/** Format of the files (bumped when it changes: old entries are then simply not found). */
const FORMAT = 'v1';
const HEADER = 'trapdoor-cache';


/** Whether Deno lets this process read and write `dir` without asking (always true elsewhere). */
function denoMayUse(dir: string): boolean {
  type Descriptor = { name: 'read' | 'write'; path: string };
  const deno = (globalThis as { Deno?: { permissions?: { querySync?(d: Descriptor): { state: string } } } }).Deno;
  if (!deno?.permissions?.querySync) return true;
  try {
    return deno.permissions.querySync({ name: 'read', path: dir }).state === 'granted' && deno.permissions.querySync({ name: 'write', path: dir }).state === 'granted';
  } catch {
    return false;
  }
}

/**
 * The cache folder for a working directory, or undefined when the cache is off (see the top of
 * this file for the rules).
 */
export function cacheDir(cwd: string = process.cwd()): string | undefined {
  const enabled = readEnv(CACHE_ENV.enabled)?.trim().toLowerCase();
  if (enabled === '0' || enabled === 'false' || enabled === 'off') return undefined;
  const given = readEnv(CACHE_ENV.dir);
  if (given !== undefined && given !== '') return resolve(cwd, given);
  for (let dir = resolve(cwd); ; ) {
    try {
      if (existsSync(join(dir, 'package.json')) && existsSync(join(dir, 'node_modules'))) return join(dir, 'node_modules', '.cache', 'trapdoor');
    } catch {
      break; // Deno without read permission there: the OS folder
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  return osCacheDir();
}

function osCacheDir(): string | undefined {
  let home: string;
  try {
    home = homedir();
  } catch {
    return undefined;
  }
  switch (platform()) {
    case 'darwin':
      return join(home, 'Library', 'Caches', 'trapdoor');
    case 'win32':
      return join(readEnv('LOCALAPPDATA') ?? join(home, 'AppData', 'Local'), 'trapdoor', 'Cache');
    default:
      return join(readEnv('XDG_CACHE_HOME') || join(home, '.cache'), 'trapdoor');
  }
}

/** A key from the parts that decide a result (strings, numbers, JSON values): a SHA-256 digest. */
export function cacheKey(...parts: unknown[]): string {
  const hash = nodeCrypto().createHash('sha256');
  for (const part of parts) {
    const text = typeof part === 'string' ? part : JSON.stringify(part) ?? 'undefined';
    // Length-prefixed, so that ('ab', 'c') and ('a', 'bc') differ.
    hash.update(`${text.length}:`).update(text);
  }
  return hash.digest('hex');
}

/**
 * An entry's value written as one line of JSON, then, after a line break, the rest as it is (the
 * formats of instrumented.ts and adapters/module-cache.ts, whose bulk is then neither escaped nor
 * parsed): the head parsed and the rest (undefined without a line break); undefined when the head
 * is not JSON.
 */
export function readHeadLine(text: string): { head: unknown; rest: string | undefined } | undefined {
  const newline = text.indexOf('\n');
  try {
    return { head: JSON.parse(newline < 0 ? text : text.slice(0, newline)), rest: newline < 0 ? undefined : text.slice(newline + 1) };
  } catch {
    return undefined;
  }
}

function digest(text: string): string {
  return nodeCrypto().createHash('sha256').update(text).digest('hex');
}

/** Entries unused this long are removed by prune. */
export const UNUSED_DAYS = 30;
const DAY_MS = 24 * 60 * 60 * 1000;
/** A temporary file this old belongs to no writer that is still running. */
const TEMPORARY_MS = 60 * 60 * 1000;
/**
 * The folder whose modification time says when the cache was last pruned: a folder, not a file,
 * so that whoever lists the cache's files sees entries only.
 */
const PRUNED_MARK = '.pruned';

/** One cache folder. Every method is safe to call whatever the file system does: errors turn it off. */
export class DiskCache {
  /** The folder (entries are in `<dir>/v1/<first two hex digits>/<key>`). */
  readonly dir: string;
  #working: boolean;
  /** Lookups that found an entry / found none, since this object was made. */
  hits = 0;
  misses = 0;
  /** Whether this object has looked whether a prune is due (once: at its first store). */
  #pruneLooked = false;

  constructor(dir: string) {
    this.dir = dir;
    this.#working = denoMayUse(dir);
  }

  /** The cache of the working directory (`cacheDir`), or undefined when the cache is off. */
  static open(cwd?: string): DiskCache | undefined {
    const dir = cacheDir(cwd);
    return dir === undefined ? undefined : new DiskCache(dir);
  }

  /** Whether the cache still works in this process (an error of the file system turns it off). */
  get working(): boolean {
    return this.#working;
  }

  #file(key: string): string {
    if (!/^[0-9a-f]{64}$/.test(key)) throw new TypeError(`trapdoor: a cache key is a SHA-256 hex digest (cacheKey), not ${JSON.stringify(key)}`);
    return join(this.dir, FORMAT, key.slice(0, 2), key);
  }

  /** The value stored under `key`, or undefined (none, damaged, or the cache does not work). */
  get(key: string): string | undefined {
    const file = this.#file(key);
    if (!this.#working) return undefined;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      this.misses++;
      return undefined;
    }
    // `trapdoor-cache v1 <key> <sha256 of value> <value length>\n<value>`
    const newline = text.indexOf('\n');
    const [header, format, storedKey, sum, length] = text.slice(0, newline).split(' ');
    const value = text.slice(newline + 1);
    if (newline < 0 || header !== HEADER || format !== FORMAT || storedKey !== key || Number(length) !== value.length || sum !== digest(value)) {
      this.misses++;
      return undefined;
    }
    this.hits++;
    return value;
  }

  /** Stores `value` under `key` (atomically: a reader sees the whole entry or none). Returns whether it was stored. */
  set(key: string, value: string): boolean {
    const file = this.#file(key);
    if (!this.#working) return false;
    const temporary = `${file}.${process.pid}.${nodeCrypto().randomBytes(4).toString('hex')}.tmp`;
    try {
      makeDirectory(dirname(file));
      writeFileSync(temporary, `${HEADER} ${FORMAT} ${key} ${digest(value)} ${value.length}\n${value}`);
      renameSync(temporary, file);
      if (!this.#pruneLooked) {
        this.#pruneLooked = true;
        this.prune(Date.now(), false);
      }
      return true;
    } catch {
      // Read-only, full, no permission, or (Windows) the entry is open elsewhere: no cache from now on.
      this.#working = false;
      try {
        rmSync(temporary, { force: true });
      } catch {
        // nothing left to do
      }
      return false;
    }
  }

  /**
   * Removes entries unused for UNUSED_DAYS and temporary files older than an hour, when the last
   * prune of this folder is a day old (`force`: now); a folder pruned never before is marked now
   * and pruned a day later. Stores call it (once per object): a store comes from a miss, which
   * already pays a transform, so a warm start never walks the folder. Returns the files removed.
   * Errors (a file another process removed first, no permission) end the prune, nothing else.
   */
  prune(now = Date.now(), force = true): number {
    if (!this.#working) return 0;
    const root = join(this.dir, FORMAT);
    const mark = join(root, PRUNED_MARK);
    let removed = 0;
    try {
      let last: number | undefined;
      try {
        last = statSync(mark).mtimeMs;
      } catch {
        makeDirectory(mark);
      }
      if (!force && (last === undefined || now - last < DAY_MS)) return 0;
      // Marked first, so that processes storing at the same time do not all walk the folder.
      const seconds = now / 1000;
      utimesSync(mark, seconds, seconds);
      for (const group of readdirSync(root)) {
        if (!/^[0-9a-f]{2}$/.test(group)) continue;
        const folder = join(root, group);
        for (const name of readdirSync(folder)) {
          const file = join(folder, name);
          let stats;
          try {
            stats = statSync(file);
          } catch {
            continue; // removed meanwhile
          }
          const stale = name.endsWith('.tmp') ? now - stats.mtimeMs > TEMPORARY_MS : /^[0-9a-f]{64}$/.test(name) && now - Math.max(stats.atimeMs, stats.mtimeMs) > UNUSED_DAYS * DAY_MS;
          if (!stale) continue;
          rmSync(file, { force: true });
          removed++;
        }
      }
    } catch {
      // A prune that cannot go on stops; the cache works as before.
    }
    return removed;
  }
}
