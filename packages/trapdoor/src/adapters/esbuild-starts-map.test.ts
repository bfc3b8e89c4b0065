/**
 * The esbuild plugin hands esbuild a map with segments where tokens start only (insert-map.ts,
 * `startsOnly`): esbuild maps each node by its first character and takes the segment at or before
 * it as it is, so the rest are never found. Proved on a real package's sources (rxjs, 251
 * TypeScript modules) and the examples' project: the bundle and its map are byte for byte those
 * that the full token map (starts and ends) gives.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { expect, it } from 'vitest';
import { instrumentForBundler } from './bundler-instrument.js';
import { withInlineMap } from './esbuild-load.js';
import { trapdoor } from './factory.js';

const require = createRequire(import.meta.url);
const rxjs = join(dirname(require.resolve('rxjs/package.json')), 'src');
const examples = fileURLToPath(new URL('../../../../examples/build-tools/src/', import.meta.url));

/** The plugin's onLoad as it was, with the full token map. */
const fullMap: esbuild.Plugin = {
  name: 'full-token-map',
  setup(build) {
    build.onLoad({ filter: /\.ts$/ }, (args) => {
      const code = readFileSync(args.path, 'utf8');
      const result = instrumentForBundler(code, args.path, '@trapdoor-js/runtime');
      if (result.sites.length === 0) return undefined;
      return { contents: withInlineMap(result.code, args.path, result.insertMap.mappings), loader: 'ts', resolveDir: dirname(args.path) };
    });
  },
};

async function bundle(entry: string, plugin: esbuild.Plugin): Promise<{ code: string; map: string }> {
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    write: false,
    outdir: '/out',
    format: 'esm',
    platform: 'node',
    sourcemap: 'external',
    logLevel: 'silent',
    external: ['@trapdoor-js/runtime'],
    plugins: [plugin],
  });
  const text = (suffix: string) => result.outputFiles.find((file) => file.path.endsWith(suffix))!.text;
  return { code: text('.js'), map: text('.js.map') };
}

it.each([
  ['rxjs', join(rxjs, 'index.ts'), rxjs],
  ['examples/build-tools', join(examples, 'main.ts'), examples],
])('%s: the same bundle and the same map as with the full token map', async (_name, entry, folder) => {
  const ours = await bundle(entry, trapdoor.esbuild({ include: [`${folder.replace(/\/$/, '')}/**`] }) as esbuild.Plugin);
  const full = await bundle(entry, fullMap);
  expect(ours.code).toContain('__td_F');
  expect(ours.code).toBe(full.code);
  expect(ours.map).toBe(full.map);
});
