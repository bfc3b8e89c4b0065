/**
 * The cache of instrumented modules (packages/trapdoor/src/cache/) as `trapdoor run` uses it, on
 * Node, Bun and Deno, in a project outside the repository: the first run instruments every module
 * and stores it in the project's node_modules/.cache/trapdoor, the second one reads every module
 * from there, a changed file is instrumented again, and the output is always the plain run's.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const BIN = join(ROOT, 'packages/trapdoor/bin/trapdoor.js');
const RUNTIMES = {
  node: [process.execPath],
  bun: [join(ROOT, 'node_modules/.bin/bun')],
  deno: [join(ROOT, 'node_modules/.bin/deno'), 'run'],
} as const;

let project: string;
beforeAll(() => {
  project = mkdtempSync(join(tmpdir(), 'trapdoor-e2e-cache-'));
});
afterAll(() => rmSync(project, { recursive: true, force: true }));

function writeProgram(dir: string, factor: number): void {
  mkdirSync(join(dir, 'node_modules'), { recursive: true });
  writeFileSync(join(dir, 'package.json'), '{ "name": "cache-e2e", "private": true, "type": "module" }\n');
  writeFileSync(
    join(dir, 'main.mjs'),
    `import { collatz } from './util.mjs';
import lib from './lib.cjs';
let longest = { start: 0, steps: 0 };
for (let start = 1; start < 3000; start++) {
  const steps = collatz(start);
  if (steps > longest.steps) longest = { start, steps };
}
console.log('longest', JSON.stringify(longest), lib.scale(longest.steps));
try { lib.fail(); } catch (error) { console.log('caught', error.name, error.message); }
`,
  );
  writeFileSync(join(dir, 'util.mjs'), `export function collatz(n) {\n  let steps = 0;\n  while (n !== 1) { n = n % 2 === 0 ? n / 2 : 3 * n + 1; steps++; }\n  return steps;\n}\n`);
  writeFileSync(join(dir, 'lib.cjs'), `exports.scale = function scale(x) { return x * ${factor}; };\nexports.fail = () => { throw new RangeError('out of range'); };\n`);
}

function entries(dir: string): string[] {
  const root = join(dir, 'node_modules', '.cache', 'trapdoor');
  const out: string[] = [];
  const visit = (d: string): void => {
    for (const e of readdirSync(d, { withFileTypes: true })) e.isDirectory() ? visit(join(d, e.name)) : out.push(e.name);
  };
  if (existsSync(root)) visit(root);
  return out;
}

function run(command: readonly string[], args: string[], cwd: string, env: Record<string, string> = {}) {
  const [file, ...rest] = command;
  const result = spawnSync(file!, [...rest, ...args], { cwd, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1', TRAPDOOR_CACHE_DIR: '', TRAPDOOR_CACHE: '', ...env } });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe.each(Object.keys(RUNTIMES) as Array<keyof typeof RUNTIMES>)('trapdoor run --runtime %s with the cache', (runtime) => {
  it('first run: every module instrumented and stored; second: every module read from the cache; a changed file instrumented again; output always the plain run\'s', () => {
    const dir = join(project, runtime);
    writeProgram(dir, 2);
    const log = join(dir, 'cache-log.txt');
    const plain = run(RUNTIMES[runtime], ['main.mjs'], dir);
    expect(plain.status, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(/^longest \{"start":2919,"steps":216\} 432\ncaught RangeError out of range\n$/);

    const trapdoor = (): ReturnType<typeof run> => run([process.execPath, BIN], ['run', '--runtime', runtime, 'main.mjs'], dir, { TRAPDOOR_DEBUG_CACHE: log });
    const lookups = (): string[] => {
      const lines = readFileSync(log, 'utf8').trim().split('\n').sort();
      rmSync(log);
      return lines;
    };
    const modules = (verdict: string, names: string[]) => names.map((name) => `${verdict} ${join(dir, name)}`).sort();

    const first = trapdoor();
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toBe(plain.stdout);
    expect(lookups()).toEqual(modules('miss', ['lib.cjs', 'main.mjs', 'util.mjs']));
    expect(entries(dir)).toHaveLength(3);

    const second = trapdoor();
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toBe(plain.stdout);
    expect(second.stderr).toBe(first.stderr);
    expect(lookups()).toEqual(modules('hit', ['lib.cjs', 'main.mjs', 'util.mjs']));

    // A changed file is a miss (never its stale entry); the others are still hits.
    writeProgram(dir, 3);
    const changed = trapdoor();
    expect(changed.status, changed.stderr).toBe(0);
    expect(changed.stdout).toBe(run(RUNTIMES[runtime], ['main.mjs'], dir).stdout);
    expect(changed.stdout).toContain(' 648\n');
    expect(lookups()).toEqual([...modules('hit', ['main.mjs', 'util.mjs']), ...modules('miss', ['lib.cjs'])].sort());

    // TRAPDOOR_CACHE=0: nothing read or written.
    const off = run([process.execPath, BIN], ['run', '--runtime', runtime, 'main.mjs'], dir, { TRAPDOOR_DEBUG_CACHE: log, TRAPDOOR_CACHE: '0' });
    expect(off.stdout).toBe(changed.stdout);
    expect(existsSync(log)).toBe(false);
    expect(entries(dir)).toHaveLength(4);
  });
});
