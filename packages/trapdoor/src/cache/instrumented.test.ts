import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { instrumentModule, type Instrumented, type InstrumentModuleOptions } from '../loaders/instrument-module.js';
import { CACHE_ENV, DiskCache } from './disk-cache.js';
import { buildStamp, decodeEntry, encodeEntry, InstrumentCache, instrumentCached, transformVersion } from './instrumented.js';

let root: string;
const saved = { ...process.env };
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'trapdoor-instrument-cache-'));
  delete process.env[CACHE_ENV.enabled];
  process.env[CACHE_ENV.dir] = join(root, 'cache');
});
afterEach(() => {
  process.env = { ...saved };
  rmSync(root, { recursive: true, force: true });
});

const code = 'export function spin(n) {\n  let i = 0;\n  while (i < n) i++;\n  return i;\n}\n';
const options = (overrides: Partial<InstrumentModuleOptions> = {}): InstrumentModuleOptions => ({
  path: join(root, 'spin.mjs'),
  moduleType: 'esm',
  runtimeEsm: 'file:///runtime/esm/index.js',
  runtimeCjs: '/runtime/cjs/index.js',
  inlineMap: 'never',
  readExternalMaps: true,
  ...overrides,
});

/** The transform, counting its calls. */
function counted(): { calls: number; load: () => typeof instrumentModule } {
  const counter = { calls: 0, load: () => (c: string, o: InstrumentModuleOptions): Instrumented => (counter.calls++, instrumentModule(c, o)) };
  return counter;
}

describe('the cache of instrumented modules', () => {
  it('a miss runs the transform and stores its result; a hit (another process opening the same folder) returns it without the transform', () => {
    const transform = counted();
    const first = instrumentCached(InstrumentCache.open(root), code, options(), transform.load);
    expect(transform.calls).toBe(1);
    expect(first.sites).toBeGreaterThan(0);
    expect(first.code).toContain('__td_T');
    const second = instrumentCached(InstrumentCache.open(root), code, options(), transform.load);
    expect(transform.calls).toBe(1);
    expect(second).toEqual({ code: first.code, moduleType: first.moduleType, sites: first.sites });
    expect(second.code).toBe(instrumentModule(code, options()).code);
  });

  it('any change of the code or of an option that decides the result is a miss', () => {
    const cache = InstrumentCache.open(root)!;
    const transform = counted();
    instrumentCached(cache, code, options(), transform.load);
    const changes: Array<[string, InstrumentModuleOptions]> = [
      [code.replace('n)', 'm)'), options()],
      [code, options({ path: join(root, 'other.mjs') })],
      [code, options({ runtimeEsm: 'file:///elsewhere/index.js' })],
      [code, options({ inlineMap: 'always' })],
      [code, options({ moduleType: undefined })],
      [code, options({ commonJsBindings: 'end' })],
      [code, options({ inputSourceMap: { version: 3, sources: ['spin.ts'], names: [], mappings: 'AAAA' } })],
    ];
    for (const [text, changed] of changes) {
      const before = transform.calls;
      const out = instrumentCached(cache, text, changed, transform.load);
      expect(transform.calls, JSON.stringify(changed)).toBe(before + 1);
      expect(out.code).toBe(instrumentModule(text, changed).code);
    }
    // All still there: the original is a hit.
    const before = transform.calls;
    instrumentCached(cache, code, options(), transform.load);
    expect(transform.calls).toBe(before);
  });

  it('the external source map the code names is part of the key (a rebuilt map is a miss)', () => {
    const cache = InstrumentCache.open(root)!;
    const transform = counted();
    const mapped = `${code}//# sourceMappingURL=spin.mjs.map\n`;
    const map = join(root, 'spin.mjs.map');
    writeFileSync(map, JSON.stringify({ version: 3, sources: ['spin.ts'], names: [], mappings: 'AAAA' }));
    instrumentCached(cache, mapped, options(), transform.load);
    instrumentCached(cache, mapped, options(), transform.load);
    expect(transform.calls).toBe(1);
    writeFileSync(map, JSON.stringify({ version: 3, sources: ['renamed.ts'], names: [], mappings: 'AAAA' }));
    const out = instrumentCached(cache, mapped, options(), transform.load);
    expect(transform.calls).toBe(2);
    expect(out.code).toBe(instrumentModule(mapped, options()).code);
  });

  it('a damaged entry is a miss: the transform runs again and the entry is replaced', () => {
    const cache = InstrumentCache.open(root)!;
    const transform = counted();
    const first = instrumentCached(cache, code, options(), transform.load);
    const key = cache.key(code, options());
    // A whole, well-formed entry whose value is not an instrumented module's.
    cache.disk.set(key, '{"not":"an entry"}');
    expect(cache.get(code, options())).toBeUndefined();
    const again = instrumentCached(cache, code, options(), transform.load);
    expect(transform.calls).toBe(2);
    expect(again.code).toBe(first.code);
    expect(cache.get(code, options())?.code).toBe(first.code);
  });

  it('stores a result as one line of JSON, then the code as it is (none when the file is left alone); the former format, or anything else, is a miss', () => {
    const cache = InstrumentCache.open(root)!;
    const transform = counted();
    const first = instrumentCached(cache, code, options({ inlineMap: 'always' }), transform.load);
    const value = cache.disk.get(cache.key(code, options({ inlineMap: 'always' })))!;
    expect(value).toBe(`{"moduleType":"esm","sites":${first.sites}}\n${first.code}`);
    const alone = { code: undefined, moduleType: 'cjs', sites: 0 } as const;
    expect(encodeEntry(alone)).toBe('{"code":null,"moduleType":"cjs","sites":0}');
    expect(decodeEntry(encodeEntry(alone))).toEqual(alone);
    // Code with line breaks, quotes, backslashes and U+2028 comes back as it was.
    const odd = { code: '\n"a"\\\r\n\u2028//# sourceMappingURL=data:x\n', moduleType: undefined, sites: 3 };
    expect(decodeEntry(encodeEntry(odd))).toEqual(odd);
    const former = JSON.stringify({ code: first.code, moduleType: 'esm', sites: first.sites });
    for (const stale of [former, '{"code":null,"moduleType":"esm","sites":1}\ncode', '{"moduleType":"esm"}\ncode', '{"moduleType":"x","sites":1}\ncode', 'null\ncode', '{"moduleType":"esm","sites":1']) {
      expect(decodeEntry(stale), stale.slice(0, 60)).toBeUndefined();
    }
  });

  it('a file the transform cannot instrument is not stored (its warning comes again); one with nothing to instrument is', () => {
    const cache = InstrumentCache.open(root)!;
    const transform = counted();
    instrumentCached(cache, 'export const x = ;', options(), transform.load);
    instrumentCached(cache, 'export const x = ;', options(), transform.load);
    expect(transform.calls).toBe(2);
    const plain = instrumentCached(cache, 'export const x = 1;\n', options(), transform.load);
    instrumentCached(cache, 'export const x = 1;\n', options(), transform.load);
    expect(transform.calls).toBe(3);
    expect(plain.code).toBeUndefined();
  });

  it('TRAPDOOR_CACHE=0: no cache, every call runs the transform, nothing is written', () => {
    process.env[CACHE_ENV.enabled] = '0';
    expect(InstrumentCache.open(root)).toBeUndefined();
    const transform = counted();
    instrumentCached(InstrumentCache.open(root), code, options(), transform.load);
    instrumentCached(InstrumentCache.open(root), code, options(), transform.load);
    expect(transform.calls).toBe(2);
    delete process.env[CACHE_ENV.enabled];
    expect(new DiskCache(join(root, 'cache')).get(InstrumentCache.open(root)!.key(code, options()))).toBeUndefined();
  });

  it('the transform version is stable within a process and names the transform build (a 64-digit key)', () => {
    expect(transformVersion()).toMatch(/^[0-9a-f]{64}$/);
    expect(transformVersion()).toBe(transformVersion());
  });
});

describe('build stamps (the transform version without a stat of every compiled file)', () => {
  // The script both builds run after tsc (packages/transform/package.json, this package's).
  const script = fileURLToPath(new URL('../../../transform/scripts/build-id.mjs', import.meta.url));
  let dist: string;
  beforeEach(() => {
    dist = mkdtempSync(join(tmpdir(), 'trapdoor-stamp-'));
    mkdirSync(join(dist, 'sub'));
  });
  afterEach(() => rmSync(dist, { recursive: true, force: true }));
  const build = (index: string, files: string[] = []): string | undefined => {
    writeFileSync(join(dist, 'index.js'), index);
    writeFileSync(join(dist, 'sub', 'emit.js'), 'export const emit = 1;\n');
    writeFileSync(join(dist, 'index.js.map'), '{}');
    execFileSync(process.execPath, [script, dist, ...files]);
    return buildStamp(dist, 'index.js');
  };

  it('a rebuild with other code gets another stamp, one with the same code the same', () => {
    const first = build('export const a = 1;\n');
    expect(first).toMatch(/^build [0-9a-f]{64}$/);
    expect(build('export const a = 1;\n')).toBe(first);
    const other = build('export const a = 2;\n');
    expect(other).toMatch(/^build [0-9a-f]{64}$/);
    expect(other).not.toBe(first);
    // Only the files named count, when some are.
    const named = build('export const a = 3;\n', ['sub/emit.js']);
    expect(build('export const a = 4;\n', ['sub/emit.js'])).toBe(named);
  });

  it('counts no stamp older than the entry (a tsc run alone after the build) and none that is missing', () => {
    expect(build('export const a = 1;\n')).toBeDefined();
    // Written within a moment, in any order (a package manager's store): it counts.
    const stamped = statSync(join(dist, 'build-id.json')).mtimeMs;
    const soon = new Date(stamped + 500);
    utimesSync(join(dist, 'index.js'), soon, soon);
    expect(buildStamp(dist, 'index.js')).toBeDefined();
    const later = new Date(stamped + 10_000);
    utimesSync(join(dist, 'index.js'), later, later);
    expect(buildStamp(dist, 'index.js')).toBeUndefined();
    rmSync(join(dist, 'build-id.json'));
    expect(buildStamp(dist, 'index.js')).toBeUndefined();
  });

  it("the built transform's stamp is the hash of its code as it is now", () => {
    const transformDist = fileURLToPath(new URL('../../../transform/dist/', import.meta.url));
    const stamp = buildStamp(transformDist, 'index.js');
    expect(stamp).toMatch(/^build [0-9a-f]{64}$/);
    // Hash it again, into a copy, and compare.
    const copy = join(dist, 'transform');
    execFileSync('cp', ['-R', transformDist, copy]);
    execFileSync(process.execPath, [script, copy]);
    expect(buildStamp(copy, 'index.js')).toBe(stamp);
  });
});
