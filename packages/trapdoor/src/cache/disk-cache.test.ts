import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cacheDir, cacheKey, CACHE_ENV, DiskCache, UNUSED_DAYS } from './disk-cache.js';

let root: string;
const saved = { ...process.env };
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'trapdoor-cache-test-'));
  delete process.env[CACHE_ENV.enabled];
  delete process.env[CACHE_ENV.dir];
});
afterEach(() => {
  process.env = { ...saved };
  rmSync(root, { recursive: true, force: true });
});

function entryFiles(dir: string): string[] {
  const out: string[] = [];
  const visit = (d: string): void => {
    for (const name of readdirSync(d, { withFileTypes: true })) name.isDirectory() ? visit(join(d, name.name)) : out.push(join(d, name.name));
  };
  if (existsSync(dir)) visit(dir);
  return out;
}

describe('cacheDir', () => {
  it('is node_modules/.cache/trapdoor of the nearest folder with a package.json and node_modules', () => {
    const project = join(root, 'project');
    mkdirSync(join(project, 'node_modules'), { recursive: true });
    writeFileSync(join(project, 'package.json'), '{}');
    const deep = join(project, 'src', 'deep');
    mkdirSync(deep, { recursive: true });
    expect(cacheDir(deep)).toBe(join(project, 'node_modules', '.cache', 'trapdoor'));
  });

  it('TRAPDOOR_CACHE_DIR overrides it (relative to the working directory)', () => {
    process.env[CACHE_ENV.dir] = 'here/cache';
    expect(cacheDir(root)).toBe(join(root, 'here', 'cache'));
  });

  it('outside any project: the OS cache folder (XDG_CACHE_HOME on Linux)', () => {
    if (process.platform !== 'linux') return;
    process.env.XDG_CACHE_HOME = join(root, 'xdg');
    expect(cacheDir(root)).toBe(join(root, 'xdg', 'trapdoor'));
  });

  it('TRAPDOOR_CACHE=0 turns the cache off', () => {
    for (const off of ['0', 'false', 'off']) {
      process.env[CACHE_ENV.enabled] = off;
      process.env[CACHE_ENV.dir] = join(root, 'c');
      expect(cacheDir(root)).toBeUndefined();
      expect(DiskCache.open(root)).toBeUndefined();
    }
    process.env[CACHE_ENV.enabled] = '1';
    expect(cacheDir(root)).toBe(join(root, 'c'));
  });
});

describe('DiskCache', () => {
  it('a miss, then a hit of exactly what was stored, from another instance (another process) too', () => {
    const dir = join(root, 'c');
    const key = cacheKey('a', 1, { b: [2] });
    const one = new DiskCache(dir);
    expect(one.get(key)).toBeUndefined();
    expect(one.set(key, 'value ✓\nwith lines')).toBe(true);
    expect(new DiskCache(dir).get(key)).toBe('value ✓\nwith lines');
    expect(one.hits).toBe(0);
    expect(one.misses).toBe(1);
  });

  it('keys differ when any part differs, including how parts split', () => {
    expect(cacheKey('ab', 'c')).not.toBe(cacheKey('a', 'bc'));
    expect(cacheKey({ x: 1 })).not.toBe(cacheKey({ x: 2 }));
    expect(cacheKey('same')).toBe(cacheKey('same'));
  });

  it('a damaged entry (truncated, edited, another key, garbage) is a miss, and is replaced by the next store', () => {
    const dir = join(root, 'c');
    const cache = new DiskCache(dir);
    const key = cacheKey('k');
    cache.set(key, 'the right value');
    const [file] = entryFiles(dir);
    const good = readFileSync(file!, 'utf8');
    const damaged = [good.slice(0, good.length - 3), good.replace('right', 'wrong'), good.replace(key, cacheKey('other')), 'garbage', ''];
    for (const text of damaged) {
      writeFileSync(file!, text);
      expect(new DiskCache(dir).get(key)).toBeUndefined();
    }
    cache.set(key, 'the right value');
    expect(new DiskCache(dir).get(key)).toBe('the right value');
  });

  it('a folder it cannot write turns it off for the process, without throwing', () => {
    const blocker = join(root, 'file');
    writeFileSync(blocker, 'not a folder');
    const cache = new DiskCache(join(blocker, 'cache'));
    const key = cacheKey('k');
    expect(cache.set(key, 'v')).toBe(false);
    expect(cache.working).toBe(false);
    expect(cache.get(key)).toBeUndefined();
  });

  // Node 20's recursive mkdirSync retries forever where procfs answers ENOENT under a folder that exists.
  it.runIf(existsSync('/proc/self'))('a folder under /proc turns it off too, instead of spinning in mkdir', () => {
    const cache = new DiskCache('/proc/trapdoor-no-such/cache');
    expect(cache.set(cacheKey('k'), 'v')).toBe(false);
    expect(cache.working).toBe(false);
  });

  it('rejects a key that is not a digest (an entry name must not be a path)', () => {
    expect(() => new DiskCache(join(root, 'c')).get('../../etc/passwd')).toThrow(/SHA-256/);
  });

  it('concurrent writers and readers (real processes): a reader sees a whole entry or none, and no temporary file is left', async () => {
    const dir = join(root, 'c');
    const module = fileURLToPath(new URL('../../dist/cache/disk-cache.js', import.meta.url));
    const keys = Array.from({ length: 4 }, (_, i) => cacheKey('shared', i));
    // Each writer stores large values under the same keys, over and over; the readers check what they read.
    const script = `
      const { DiskCache } = await import(${JSON.stringify(module)});
      const [role, id] = process.argv.slice(1);
      const keys = ${JSON.stringify(keys)};
      const cache = new DiskCache(${JSON.stringify(dir)});
      let bad = 0, seen = 0;
      for (let round = 0; round < 60; round++) {
        for (const key of keys) {
          if (role === 'writer') { if (!cache.set(key, key + ':' + id + ':' + 'x'.repeat(200000))) bad++; }
          else {
            const got = cache.get(key);
            if (got === undefined) continue;
            seen++;
            if (!/^[0-9a-f]{64}:[0-9]+:x{200000}$/.test(got) || !got.startsWith(key + ':')) bad++;
          }
        }
      }
      console.log(JSON.stringify({ bad, seen }));`;
    const run = (role: string, id: number) =>
      new Promise<{ bad: number; seen: number }>((resolve, reject) => {
        const child = spawn(process.execPath, ['--input-type=module', '-e', script, role, String(id)], { stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (chunk) => (out += chunk));
        child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as { bad: number; seen: number }) : reject(new Error(`${role} ${id} exited ${code}`))));
      });
    // Seeded first, so a reader that starts before every writer (a loaded host) still has entries to
    // check while they are replaced; id 0 is the seed's.
    const seed = new DiskCache(dir);
    for (const key of keys) expect(seed.set(key, key + ':0:' + 'x'.repeat(200000))).toBe(true);
    const results = await Promise.all([run('writer', 1), run('writer', 2), run('writer', 3), run('reader', 4), run('reader', 5)]);
    for (const result of results) expect(result.bad).toBe(0);
    expect(results[3]!.seen + results[4]!.seen).toBeGreaterThan(0);
    const files = entryFiles(dir);
    expect(files.filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(files).toHaveLength(keys.length);
    for (const key of keys) expect(new DiskCache(dir).get(key)).toMatch(new RegExp(`^${key}:[123]:x{200000}$`));
  });
});

describe('DiskCache.prune', () => {
  const DAY = 24 * 60 * 60;
  /** Sets a file's access and modification times to `days` ago (each its own). */
  const age = (file: string, accessedDaysAgo: number, modifiedDaysAgo: number): void => {
    const now = Date.now() / 1000;
    utimesSync(file, now - accessedDaysAgo * DAY, now - modifiedDaysAgo * DAY);
  };
  const fileOf = (dir: string, key: string): string => join(dir, 'v1', key.slice(0, 2), key);

  it(`removes entries neither read nor written for ${UNUSED_DAYS} days and temporary files over an hour old; keeps the rest, and lists as entries only`, () => {
    const dir = join(root, 'cache');
    const cache = new DiskCache(dir);
    const [unused, read, written, fresh] = ['unused', 'read', 'written', 'fresh'].map((name) => cacheKey(name));
    for (const key of [unused, read, written, fresh]) expect(cache.set(key!, `value of ${key}`)).toBe(true);
    age(fileOf(dir, unused!), UNUSED_DAYS + 5, UNUSED_DAYS + 5);
    age(fileOf(dir, read!), 1, UNUSED_DAYS + 5); // written long ago, read yesterday
    age(fileOf(dir, written!), UNUSED_DAYS + 5, 2);
    const leftover = `${fileOf(dir, fresh!)}.123.abcd.tmp`;
    const writing = `${fileOf(dir, fresh!)}.456.abcd.tmp`;
    writeFileSync(leftover, 'half');
    writeFileSync(writing, 'half');
    age(leftover, 0, 0.1); // 2.4 hours
    expect(cache.prune()).toBe(2);
    for (const key of [read, written, fresh]) expect(new DiskCache(dir).get(key!)).toBe(`value of ${key}`);
    expect(new DiskCache(dir).get(unused!)).toBeUndefined();
    expect(existsSync(leftover)).toBe(false);
    expect(existsSync(writing)).toBe(true);
    rmSync(writing);
    // The mark is a folder: a listing of the cache's files shows entries only.
    expect(entryFiles(dir).map((file) => file.slice(-64)).sort()).toEqual([read, written, fresh].sort());
  });

  it("runs from a process's first store, at most once a day per folder; a folder never pruned is marked first", () => {
    const dir = join(root, 'cache');
    const old = cacheKey('old');
    expect(new DiskCache(dir).set(old, 'x')).toBe(true); // the first store marks the folder
    const mark = join(dir, 'v1', '.pruned');
    expect(statSync(mark).isDirectory()).toBe(true);
    age(fileOf(dir, old), UNUSED_DAYS + 1, UNUSED_DAYS + 1);
    // Marked just now: another process's store does not prune.
    expect(new DiskCache(dir).set(cacheKey('a'), 'a')).toBe(true);
    expect(existsSync(fileOf(dir, old))).toBe(true);
    // A day and more later: the next process's first store does, and marks the folder again.
    age(mark, 2, 2);
    const later = new DiskCache(dir);
    expect(later.set(cacheKey('b'), 'b')).toBe(true);
    expect(existsSync(fileOf(dir, old))).toBe(false);
    expect(Date.now() - statSync(mark).mtimeMs).toBeLessThan(60_000);
    // The same object's later stores never look again.
    expect(later.set(old, 'x')).toBe(true);
    age(fileOf(dir, old), UNUSED_DAYS + 1, UNUSED_DAYS + 1);
    age(mark, 2, 2);
    expect(later.set(cacheKey('c'), 'c')).toBe(true);
    expect(existsSync(fileOf(dir, old))).toBe(true);
  });
});
