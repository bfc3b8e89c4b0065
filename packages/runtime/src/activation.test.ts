import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runtimes } from './inspector/agent/fixtures/harness.mjs';

const fixture = fileURLToPath(new URL('./fixtures/lazy-inspector.mjs', import.meta.url));

// The inspector (src/inspector/) is loaded on the first activation, not with the runtime.
describe('the inspector is loaded on activation only', () => {
  const cases = [...runtimes.map((runtime) => ({ runtime, build: 'esm' })), { runtime: runtimes[0]!, build: 'cjs' }];
  for (const { runtime, build } of cases) {
    it(`${runtime.name}, ${build} build: not loaded by the import, loaded synchronously by activate(), and serving`, () => {
      const result = spawnSync(runtime.command, [...runtime.args, fixture, build], { encoding: 'utf8', timeout: 30_000, env: { ...process.env, TRAPDOOR_SIGNAL: 'none' } });
      expect(result.status, result.stderr).toBe(0);
      const report = JSON.parse(result.stdout.trim().split('\n').pop()!) as { before: boolean; after: boolean; browser: string };
      expect(report).toEqual({ before: false, after: true, browser: expect.stringMatching(runtime.name === 'node' ? /^node\.js\// : runtime.name === 'bun' ? /^Bun\// : /^Deno\//) });
      expect(result.stderr).toMatch(/^Debugger listening on ws:\/\/127\.0\.0\.1:\d+\//m);
    });
  }
});

/** The compiled files an import of `entry` loads, following static imports (what a bundler would see too). */
function staticGraph(entry: string): string[] {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const code = readFileSync(file, 'utf8');
    for (const match of code.matchAll(/(?:^|\n)\s*(?:import|export)\s[^'";]*?from\s*'(\.[^']+)'|(?:^|\n)\s*import\s*'(\.[^']+)'|require\("(\.[^"]+)"\)/g)) {
      visit(resolve(dirname(file), match[1] ?? match[2] ?? match[3]!));
    }
  };
  visit(entry);
  return [...seen];
}

describe('what every instrumented process loads', () => {
  for (const build of ['esm', 'cjs']) {
    for (const entry of ['index.js', 'production.js']) {
      it(`${build}/${entry} imports nothing of inspector/ (activation.ts requires it on the first activation)`, () => {
        const dist = fileURLToPath(new URL(`../dist/${build}/`, import.meta.url));
        const files = staticGraph(resolve(dist, entry)).map((file) => relative(dist, file));
        expect(files).toContain('activation.js');
        expect(files.filter((file) => file.startsWith('inspector'))).toEqual([]);
      });
    }
  }
});
