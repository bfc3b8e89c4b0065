/**
 * The Vite plugin (plugin.ts: vitePlugin) in a real Vite dev server, as Vitest runs it: the SSR
 * transform of a TypeScript module, its map's text and positions, a module another plugin changed
 * first, the disk cache's hits; and what importing trapdoor-js/vite and trapdoor-js/vitest loads.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { originalPositionFor, TraceMap, type SourceMapInput } from '@jridgewell/trace-mapping';
import MagicString from 'magic-string';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Plugin } from 'vite';
import { CACHE_ENV } from '../cache/disk-cache.js';
import { vitePlugin } from './plugin.js';

const SPIN = ['export function spin(n: number): number {', '  let i: number = 0;', '  while (i < n) i++;', '  return i;', '}', ''].join('\n');

let root: string;
const saved = { ...process.env };
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'trapdoor-vite-dev-'));
  mkdirSync(join(root, 'src'));
  writeFileSync(join(root, 'src', 'spin.ts'), SPIN);
  delete process.env[CACHE_ENV.enabled];
  process.env[CACHE_ENV.dir] = join(root, 'cache');
});
afterEach(() => {
  process.env = { ...saved };
  rmSync(root, { recursive: true, force: true });
});

interface Transformed {
  code: string;
  map: { sources: string[]; sourcesContent?: (string | null)[] };
}

/** The SSR transform of src/spin.ts by a dev server with these plugins (a fresh server each time, as each Vitest run). */
async function transform(plugins: Plugin[]): Promise<Transformed> {
  const { createServer } = await import('vite');
  const server = await createServer({ root, configFile: false, logLevel: 'silent', plugins, server: { middlewareMode: true, ws: false, watch: null } });
  try {
    return (await server.environments.ssr.transformRequest('/src/spin.ts')) as unknown as Transformed;
  } finally {
    await server.close();
  }
}

/** The original line of the first check (`__td_F[1] = <site>`) in the transformed code, through its map. */
function checkLine(result: Transformed): number | null {
  const lines = result.code.split('\n');
  const map = new TraceMap(result.map as unknown as SourceMapInput);
  for (let i = 0; i < lines.length; i++) {
    const at = lines[i]!.search(/\[1\] ?= ?\d+/);
    if (at >= 0) return originalPositionFor(map, { line: i + 1, column: at }).line;
  }
  return null;
}

describe("the Vite plugin in Vite's dev server", () => {
  it('instruments the module as read; its map names the original lines and carries the file as written, from a cold and a warm cache alike', async () => {
    for (const run of ['cold', 'warm']) {
      const result = await transform([vitePlugin({ cache: true })]);
      expect(result.code, run).toMatch(/__td_/);
      // The function's entry check, on line 1 of the .ts file.
      expect(checkLine(result), run).toBe(1);
      const index = result.map.sources.findIndex((source) => source.endsWith('spin.ts'));
      expect(index, run).toBeGreaterThanOrEqual(0);
      expect(result.map.sourcesContent?.[index], run).toBe(SPIN);
    }
  });

  it('maps a module a plugin before it changed back to the file as written (its map is chained), cached or not', async () => {
    // A plugin placed first that adds two lines at the top, with its map.
    const before: Plugin = {
      name: 'adds-lines',
      enforce: 'pre',
      transform(code, id) {
        if (!id.endsWith('spin.ts')) return undefined;
        const text = new MagicString(code);
        text.prepend('const added1 = 1;\nconst added2 = 2;\n');
        return { code: text.toString(), map: text.generateMap({ hires: true, source: id, includeContent: true }) };
      },
    };
    for (const cache of [false, true, true]) {
      const result = await transform([before, vitePlugin({ cache })]);
      expect(result.code).toMatch(/__td_/);
      expect(checkLine(result), `cache: ${cache}`).toBe(1);
      // The site table carries the incoming map, through which the runtime names original lines.
      expect(result.code).toMatch(/\\?"inputMap\\?":\{/);
    }
  });
});

describe('what the plugins load', () => {
  // Vitest's main process loads trapdoor-js/vitest on every run of `trapdoor test`; a run whose
  // modules all come from the cache needs neither unplugin (and the source-map libraries it
  // loads) nor the transform and its parsers.
  it.each(['vite', 'vitest'])('importing trapdoor-js/%s and making its plugin loads neither unplugin, @jridgewell/* nor the transform', (name) => {
    const entry = fileURLToPath(new URL(name === 'vite' ? '../../dist/adapters/vite.js' : '../../dist/test-runners/vitest-plugin.js', import.meta.url));
    const log = join(root, 'loaded.txt');
    const hooks = `data:text/javascript,${encodeURIComponent(
      `import { appendFileSync } from 'node:fs'; export async function load(url, context, next) { appendFileSync(${JSON.stringify(log)}, url + '\\n'); return next(url, context); }`,
    )}`;
    const program = `import { register } from 'node:module'; register(${JSON.stringify(hooks)}); const plugin = (await import(${JSON.stringify(entry)})).default; plugin();`;
    const result = spawnSync(process.execPath, ['--input-type=module', '-e', program], { cwd: root, encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    const loaded = readFileSync(log, 'utf8').trim().split('\n');
    expect(loaded.some((url) => url.endsWith(name === 'vite' ? '/adapters/vite.js' : '/test-runners/vitest-plugin.js'))).toBe(true);
    expect(loaded.filter((url) => /\/node_modules\/(?:unplugin|@jridgewell|@babel|oxc-parser)\/|\/transform\/dist\/|bundler-instrument/.test(url))).toEqual([]);
  });
});
