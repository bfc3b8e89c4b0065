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

/** The sources compiled into `files`, by their source maps (an entry is one bundled file: scripts/bundle-entry.mjs). */
function sourcesOf(files: string[]): string[] {
  const root = fileURLToPath(new URL('..', import.meta.url));
  return files.flatMap((file) => {
    const map = JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources: string[] };
    return map.sources.map((source) => relative(root, resolve(dirname(file), source)));
  });
}

describe('what every instrumented process loads', () => {
  for (const build of ['esm', 'cjs']) {
    for (const entry of ['index.js', 'production.js']) {
      it(`${build}/${entry} is one file, imports no Node built-in at load, and holds nothing of inspector/ (activation.ts requires it on the first activation)`, () => {
        const dist = fileURLToPath(new URL(`../dist/${build}/`, import.meta.url));
        const graph = staticGraph(resolve(dist, entry));
        // One file: Node keeps a loader record and compiled code per module (bundle-entry.mjs says what it saves).
        expect(graph.map((file) => relative(dist, file))).toEqual([entry]);
        const sources = sourcesOf(graph);
        expect(sources).toContain('src/activation.ts');
        expect(sources).toContain('src/activation-triggers.ts');
        expect(sources.filter((file) => file.startsWith('src/inspector'))).toEqual([]);
        // No Node built-in at load: on Bun and Deno each is their Node layer paged in (node:fs alone
        // +4 MiB resident on Bun, +7.4 on Deno; bench/startup.mjs's memory rows). The runtime loads
        // them where they are used (process.getBuiltinModule), and on Deno writes with Deno's own API.
        const code = readFileSync(resolve(dist, entry), 'utf8');
        expect(code.match(/(?:from\s*|import\s*|require\()["']node:[^"']+["']/g) ?? []).toEqual([]);
      });
    }
  }
});
