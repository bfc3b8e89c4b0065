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
    const plugin = trapdoor.raw({ root }, { framework: 'webpack' }) as unknown as { transform: { handler: (this: object, code: string, id: string) => Promise<{ map: unknown }> } };
    return plugin.transform.handler.call({ getNativeBuildContext: () => ({ framework: 'webpack', loaderContext: { sourceMap } }) }, code, id);
  };
  expect((await webpack(false)).map).toBeNull();
  expect((await webpack(true)).map).toMatchObject({ mappings: expect.any(String) });
});
