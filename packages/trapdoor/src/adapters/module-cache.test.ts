/**
 * The adapter's `cache` option with real bundlers (Rollup, and esbuild's own onLoad, in this
 * process): what is stored, that a later build takes the module from the store, and what never is stored.
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { rollup, type RollupLog } from 'rollup';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CACHE_ENV, DiskCache } from '../cache/disk-cache.js';
import { trapdoor } from './factory.js';
import { decodeEntry, encodeEntry, type AdapterOutput } from './module-cache.js';

let root: string;
let cacheFolder: string;
const saved = { ...process.env };
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'trapdoor-adapter-cache-'));
  cacheFolder = join(root, 'cache');
  delete process.env[CACHE_ENV.enabled];
  process.env[CACHE_ENV.dir] = cacheFolder;
});
afterEach(() => {
  process.env = { ...saved };
  rmSync(root, { recursive: true, force: true });
});

const SPIN = 'export function spin(n) {\n  let i = 0;\n  while (i < n) i++;\n  return i;\n}\n';

/** Builds `main.js` (with `files` written first) and returns the output's code. */
async function build(files: Record<string, string>, options: Record<string, unknown> = { cache: true }): Promise<string> {
  const src = join(root, 'src');
  mkdirSync(src, { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(src, name), text);
  const bundle = await rollup({ input: join(src, 'main.js'), plugins: [trapdoor.rollup({ root: src, ...options })], onwarn: (_: RollupLog) => undefined });
  const { output } = await bundle.generate({ format: 'es' });
  await bundle.close();
  return output[0].code;
}

/** The keys of the entries in the cache folder. */
function keys(): string[] {
  const dir = join(cacheFolder, 'v1');
  try {
    return readdirSync(dir).flatMap((sub) => readdirSync(join(dir, sub)).filter((name) => /^[0-9a-f]{64}$/.test(name)));
  } catch {
    return [];
  }
}

describe("the adapter's cache option", () => {
  it('stores what it answers for each module (instrumented, or left alone), and a later build takes it from the store', async () => {
    const files = { 'main.js': "import { spin } from './spin.js';\nconsole.log(spin(3));\n", 'spin.js': SPIN };
    const first = await build(files);
    expect(first).toContain('__td_');
    // spin.js has checks (a function entry, a loop); main.js none, so it is stored as left alone.
    const disk = new DiskCache(cacheFolder);
    const entries = () => keys().map((key) => ({ key, entry: { output: decodeEntry(disk.get(key)!) as { code: string; map: { mappings: string } } | null } }));
    expect(entries().map(({ entry }) => (entry.output === null ? 'left alone' : 'instrumented')).sort()).toEqual(['instrumented', 'left alone']);
    // The store is what the next build uses: an entry changed on disk comes out in the bundle.
    for (const { key, entry } of entries()) {
      if (entry.output === null) continue;
      expect(entry.output.code).toContain('__td_');
      expect(entry.output.map.mappings).not.toBe('');
      entry.output.code = `${entry.output.code}\nconsole.log('from the store');\n`;
      disk.set(key, encodeEntry(entry.output)!);
    }
    const second = await build(files);
    expect(second).toContain("console.log('from the store')");
    const lines = (code: string) => code.split('\n').filter((line) => line !== '');
    expect(lines(second).filter((line) => !line.includes('from the store'))).toEqual(lines(first));
  });

  it('a changed module, a changed option: a new entry; a module with no check is stored as left alone', async () => {
    await build({ 'main.js': SPIN });
    expect(keys()).toHaveLength(1);
    await build({ 'main.js': `${SPIN}// changed\n` });
    expect(keys()).toHaveLength(2);
    await build({ 'main.js': `${SPIN}// changed\n` }, { cache: true, runtime: '/elsewhere/runtime.js' });
    expect(keys()).toHaveLength(3);
    await build({ 'main.js': 'export const x = 1;\n' });
    const disk = new DiskCache(cacheFolder);
    expect(keys().filter((key) => decodeEntry(disk.get(key)!) === null)).toHaveLength(1);
  });

  it('stores the map without its mappings as JSON, then the mappings, then the code as they are; a value that does not read so is a miss, and is replaced', async () => {
    const files = { 'main.js': SPIN };
    const first = await build(files);
    const disk = new DiskCache(cacheFolder);
    const [key] = keys();
    const value = disk.get(key!)!;
    const output = decodeEntry(value) as { code: string; map: { mappings: string; sources: string[] } };
    expect(value).toBe(`${JSON.stringify({ ...output.map, mappings: undefined })}\n${output.map.mappings}\n${output.code}`);
    expect(output.code).toContain('__td_');
    expect(output.map.sources).toHaveLength(1);
    // The former format (one JSON text), or anything else, under the same key: a miss, then the build's own answer is stored.
    for (const stale of [JSON.stringify({ output }), 'null\n', '[]\n\ncode', '{"version":3\n']) {
      expect(decodeEntry(stale)).toBeUndefined();
      disk.set(key!, stale);
      expect(await build(files)).toBe(first);
      expect(disk.get(key!)).toBe(value);
    }
    // A code with line breaks, quotes and backslashes comes back as it was.
    const odd: AdapterOutput = { code: 'a\n"b"\\\n\r\n\u2028', map: { version: 3, sources: ['x'], names: [], mappings: 'AAAA;AACA' } };
    expect(decodeEntry(encodeEntry(odd)!)).toEqual(odd);
  });

  it('never stores a module with a syntax error: the build fails with file:line:column each time', async () => {
    const broken = { 'main.js': 'export function f() {\n  while (true) {\n}\n' };
    for (let i = 0; i < 2; i++) await expect(build(broken)).rejects.toMatchObject({ loc: { file: join(root, 'src', 'main.js'), line: 4 } });
    expect(keys()).toEqual([]);
  });

  it("esbuild's onLoad too: a later build takes the module from the store, and a build with a map after one without gets the map the plain path gives", async () => {
    const src = join(root, 'src');
    mkdirSync(src, { recursive: true });
    writeFileSync(join(src, 'main.ts'), "import { spin } from './spin.ts';\nconsole.log(spin(3));\n");
    writeFileSync(join(src, 'spin.ts'), SPIN.replace('(n)', '(n: number): number'));
    const esbuilt = async (options: Record<string, unknown>, sourcemap: boolean) => {
      const result = await esbuild.build({ entryPoints: [join(src, 'main.ts')], bundle: true, write: false, outdir: join(root, 'out'), format: 'esm', platform: 'node', sourcemap: sourcemap ? 'external' : false, logLevel: 'silent', plugins: [trapdoor.esbuild({ root: src, ...options })] });
      // The bundle first, then its map.
      return result.outputFiles.sort((a, b) => Number(a.path.endsWith('.map')) - Number(b.path.endsWith('.map'))).map((file) => file.text);
    };
    const [plainCode, plainMap] = await esbuilt({}, true);
    expect(keys()).toEqual([]);
    // The first build writes no map; what it stores has one, for the next build that writes one.
    expect(await esbuilt({ cache: true }, false)).toEqual([plainCode]);
    expect(keys()).toHaveLength(2);
    expect(await esbuilt({ cache: true }, true)).toEqual([plainCode, plainMap]);
    const disk = new DiskCache(cacheFolder);
    for (const key of keys()) {
      const output = decodeEntry(disk.get(key)!);
      if (output === null || output === undefined) continue;
      disk.set(key, encodeEntry({ ...output, code: `${output.code}\nconsole.log('from the store');\n` })!);
    }
    const [fromStore] = await esbuilt({ cache: true }, false);
    expect(fromStore).toContain('console.log("from the store")');
    expect(keys()).toHaveLength(2);
  });

  it('is off by default (bundlers keep their own caches) and under TRAPDOOR_CACHE=0', async () => {
    await build({ 'main.js': SPIN }, {});
    expect(keys()).toEqual([]);
    process.env[CACHE_ENV.enabled] = '0';
    expect(await build({ 'main.js': SPIN })).toContain('__td_');
    expect(keys()).toEqual([]);
  });
});
