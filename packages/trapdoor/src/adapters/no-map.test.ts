/**
 * Vite and webpack builds without source maps (`build.sourcemap: false`, `devtool: false`): the
 * plugin answers `map: null` and makes no map, and the built output is byte for byte the one of
 * the same plugin doing the map work (with its `cache` on, the map is made for the cache's entry).
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { CACHE_ENV } from '../cache/disk-cache.js';
import { vitePlugin } from './plugin.js';
import { trapdoor } from './factory.js';

const SPIN = 'export function spin(n: number): number {\n  let i = 0;\n  while (i < n) i++;\n  return i;\n}\nconsole.log(spin(3));\n';
let root: string;
const saved = { ...process.env };
beforeEach(() => {
  // In the repository, where the built modules' runtime import resolves.
  const tmp = fileURLToPath(new URL('../../../../test/.tmp/', import.meta.url));
  mkdirSync(tmp, { recursive: true });
  root = mkdtempSync(join(tmp, 'no-map-'));
  mkdirSync(join(root, 'src'));
  writeFileSync(join(root, 'src', 'main.ts'), SPIN);
  delete process.env[CACHE_ENV.enabled];
  process.env[CACHE_ENV.dir] = join(root, 'cache');
});
afterEach(() => {
  process.env = { ...saved };
  rmSync(root, { recursive: true, force: true });
});

async function viteBuild(options: { cache?: boolean }, out: string): Promise<string> {
  const { build } = await import('vite');
  await build({ root, configFile: false, logLevel: 'silent', plugins: [vitePlugin({ root, ...options })], build: { ssr: join(root, 'src', 'main.ts'), outDir: join(root, out), sourcemap: false, minify: false, emptyOutDir: true } });
  return readFileSync(join(root, out, 'main.js'), 'utf8');
}

it('Vite, build.sourcemap false: the same bundle as with the map work', async () => {
  const without = await viteBuild({}, 'a');
  expect(without).toContain('__td_');
  expect(await viteBuild({ cache: true }, 'b')).toBe(without);
});

it("the transform's answer: map null where the build writes none (Vite build, webpack devtool: false), a map elsewhere", async () => {
  const code = readFileSync(join(root, 'src', 'main.ts'), 'utf8');
  const id = join(root, 'src', 'main.ts');
  const vite = (sourcemap: boolean) => {
    const plugin = vitePlugin({ root }) as unknown as { configResolved: (c: object) => void; transform: { handler: (this: object, code: string, id: string) => Promise<{ map: unknown }> } };
    plugin.configResolved({ root, command: 'build', build: { sourcemap } });
    return plugin.transform.handler.call({ environment: { config: { build: { sourcemap } } } }, code, id);
  };
  expect((await vite(false)).map).toBeNull();
  expect((await vite(true)).map).toMatchObject({ mappings: expect.any(String) });
  const webpack = (sourceMap: boolean) => {
    const plugin = trapdoor.raw({ root }, { framework: 'webpack', versions: {} } as never) as unknown as { transform: { handler: (this: object, code: string, id: string) => Promise<{ map: unknown }> } };
    return plugin.transform.handler.call({ getNativeBuildContext: () => ({ framework: 'webpack', loaderContext: { sourceMap } }) }, code, id);
  };
  expect((await webpack(false)).map).toBeNull();
  expect((await webpack(true)).map).toMatchObject({ mappings: expect.any(String) });
});

// Rollup and Rolldown: no map where every output of the build is known before the transforms to
// write none (Rollup: output options passed with the input ones, as its CLI and config files do;
// Rolldown: its outputOptions hook, which runs before its transforms); a map where not known.
type Hooked = { options: (input: object) => unknown; outputOptions?: (output: object) => unknown; transform: { handler: (this: object, code: string, id: string) => Promise<{ map: unknown }> } };
const hooked = (framework: 'rollup' | 'rolldown') => {
  const plugin = trapdoor.raw({ root }, { framework, versions: {} }) as unknown as Hooked & Record<string, object>;
  return Object.assign(plugin, plugin[framework]) as Hooked;
};

it("the transform's answer on Rollup: map null where the input options' outputs write none (and no plugin can change them), a map elsewhere", async () => {
  const code = readFileSync(join(root, 'src', 'main.ts'), 'utf8');
  const id = join(root, 'src', 'main.ts');
  const answer = async (input: object) => {
    const plugin = hooked('rollup');
    plugin.options(input);
    return (await plugin.transform.handler.call({}, code, id)).map;
  };
  expect(await answer({ output: [{ sourcemap: false }] })).toBeNull();
  expect(await answer({ output: { file: 'a.js' } })).toBeNull();
  expect(await answer({ output: [{ sourcemap: false }, { sourcemap: 'hidden' }] })).toMatchObject({ mappings: expect.any(String) });
  // The JS API's rollup() takes no outputs: a write() may ask for a map.
  expect(await answer({})).toMatchObject({ mappings: expect.any(String) });
  // A plugin that may turn output.sourcemap on: its outputOptions hook, or not yet loaded (a promise).
  expect(await answer({ output: [{ sourcemap: false }], plugins: [[{ name: 'x', outputOptions: () => null }]] })).toMatchObject({ mappings: expect.any(String) });
  expect(await answer({ output: [{ sourcemap: false, plugins: [Promise.resolve({ name: 'y' })] }] })).toMatchObject({ mappings: expect.any(String) });
  expect(await answer({ output: [{ sourcemap: false }], plugins: [false, { name: 'z', renderStart() {} }] })).toBeNull();
});

it("the transform's answer on Rolldown: map null after an output without sourcemap, a map after one with it (from then on)", async () => {
  const code = readFileSync(join(root, 'src', 'main.ts'), 'utf8');
  const id = join(root, 'src', 'main.ts');
  const plugin = hooked('rolldown');
  expect((await plugin.transform.handler.call({}, code, id)).map).toMatchObject({ mappings: expect.any(String) });
  plugin.outputOptions!({ sourcemap: false });
  expect((await plugin.transform.handler.call({}, code, id)).map).toBeNull();
  plugin.outputOptions!({ sourcemap: true });
  plugin.outputOptions!({});
  expect((await plugin.transform.handler.call({}, code, id)).map).toMatchObject({ mappings: expect.any(String) });
});

it('Rollup with its outputs in the input options (as its CLI passes them), no sourcemap: the same bundle as with the map work; a write() asking for a map after all is warned about', async () => {
  const { rollup } = await import('rollup');
  const { default: trapdoorRollup } = await import('./rollup.js');
  const bundleWith = async (options: { cache?: boolean }, write: { sourcemap?: boolean }) => {
    const warnings: string[] = [];
    const input = join(root, 'src', 'main.js');
    writeFileSync(input, SPIN.replace(': number', '').replace(': number', ''));
    const output = { format: 'es' as const, sourcemap: false };
    const plugins = [trapdoorRollup({ root, ...options })];
    const bundle = await rollup({ input, plugins, output, onwarn: (w) => void warnings.push(w.message) } as Parameters<typeof rollup>[0]);
    const { output: [chunk] } = await bundle.generate({ ...output, ...write });
    await bundle.close();
    return { code: chunk.code, map: chunk.map, warnings: warnings.filter((w) => w.includes('trapdoor')) };
  };
  const without = await bundleWith({}, {});
  expect(without.code).toContain('__td_');
  expect(without.warnings).toEqual([]);
  expect((await bundleWith({ cache: true }, {})).code).toBe(without.code);
  const late = await bundleWith({}, { sourcemap: true });
  expect(late.code.replace(/\/\/# sourceMappingURL=\S+\s*$/, '')).toBe(without.code);
  expect(late.map).toBeTruthy();
  expect(late.warnings).toEqual([expect.stringContaining('trapdoor made no maps for this build')]);
});

it('Rolldown, output.sourcemap unset: the same bundle as with the map work', async () => {
  const { build } = await import('rolldown');
  const { default: trapdoorRolldown } = await import('./rolldown.js');
  const bundleWith = async (options: { cache?: boolean }, out: string) => {
    await build({ input: join(root, 'src', 'main.ts'), cwd: root, logLevel: 'silent', plugins: [trapdoorRolldown({ root, ...options })], output: { dir: join(root, out), format: 'es' } });
    return readFileSync(join(root, out, 'main.js'), 'utf8');
  };
  const without = await bundleWith({}, 'a');
  expect(without).toContain('__td_');
  expect(await bundleWith({ cache: true }, 'b')).toBe(without);
});
