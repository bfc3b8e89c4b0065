// `trapdoor run` end to end on Node, Bun and Deno: the real bin, real runtimes, small real programs
// in a folder inside the repository (test/.tmp, git-ignored; trapdoor and its runtime resolve
// through the workspace). Each program runs plain and through trapdoor: the output must be the
// same, and the dump (TRAPDOOR_DEBUG_DUMP_MODULES) must show the program's own modules — and only
// those — instrumented, under their original names.
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { instrument } from '@trapdoor-js/transform';
import ts from 'typescript';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const BIN = join(ROOT, 'packages/trapdoor/bin/trapdoor.js');
const TMP = join(ROOT, 'test/.tmp');
const EXECUTABLES = { node: process.execPath, bun: join(ROOT, 'node_modules/.bin/bun'), deno: join(ROOT, 'node_modules/.bin/deno') };
type Runtime = keyof typeof EXECUTABLES;
const RUNTIMES: Runtime[] = ['node', 'bun', 'deno'];

let root: string;
let counter = 0;
const children = new Set<ChildProcess>();

beforeAll(() => {
  if (!existsSync(join(ROOT, 'packages/trapdoor/dist/loaders/node/register.cjs'))) throw new Error('build first: npm run build');
  mkdirSync(TMP, { recursive: true });
  root = mkdtempSync(join(TMP, 'run-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));
afterEach(() => {
  // Each run is its own process group (trapdoor and the runtime it started): end what is left.
  for (const child of children) {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  children.clear();
});

/** A fresh project folder with `files` (path → text); its own package.json unless given. */
function project(files: Record<string, string>): string {
  const dir = join(root, `p${++counter}`);
  for (const [path, text] of Object.entries({ 'package.json': '{}\n', ...files })) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return dir;
}

interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

interface Spawned {
  child: ChildProcess;
  done: Promise<Result>;
  /** Resolves when stdout has shown `text`. */
  output(text: string): Promise<void>;
}

function start(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Spawned {
  const child = spawn(command, args, { cwd, env: { ...process.env, NO_COLOR: '1', ...env }, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ text: string; resolve: () => void }> = [];
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    for (const w of waiters.splice(0)) (stdout.includes(w.text) ? w.resolve() : waiters.push(w));
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const done = new Promise<Result>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => {
      children.delete(child);
      resolve({ code, signal, stdout, stderr });
    });
  });
  const output = (text: string) =>
    new Promise<void>((resolve, reject) => {
      if (stdout.includes(text)) return resolve();
      waiters.push({ text, resolve });
      void done.then((r) => reject(new Error(`exited (${r.code ?? r.signal}) before printing ${JSON.stringify(text)}:\n${r.stdout}\n${r.stderr}`)));
    });
  return { child, done, output };
}

/** The script run by the runtime itself. Deno gets `flags` after `run`, the others before the script. */
function plain(runtime: Runtime, dir: string, script: string, { flags = [] as string[], args = [] as string[] } = {}): Promise<Result> {
  const argv = runtime === 'deno' ? ['run', ...flags, script, ...args] : [...flags, script, ...args];
  return start(EXECUTABLES[runtime], argv, dir).done;
}

interface TrapdoorRun extends Result {
  modules: Array<{ file: string; loadedFrom: string; sites: number; sources: string[] }>;
}

function trapdoorStart(runtime: Runtime, dir: string, script: string, options: { flags?: string[]; args?: string[]; options?: string[]; env?: NodeJS.ProcessEnv } = {}) {
  const dump = join(dir, `.modules-${++counter}.json`);
  const argv = [BIN, 'run', '--runtime', runtime, ...(options.options ?? []), ...(options.flags ?? []), script, ...(options.args ?? [])];
  const spawned = start(process.execPath, argv, dir, { TRAPDOOR_DEBUG_DUMP_MODULES: dump, ...options.env });
  const done: Promise<TrapdoorRun> = spawned.done.then((r) => ({ ...r, modules: existsSync(dump) ? JSON.parse(readFileSync(dump, 'utf8')) : [] }));
  return { ...spawned, done };
}

function trapdoor(runtime: Runtime, dir: string, script: string, options: Parameters<typeof trapdoorStart>[3] = {}): Promise<TrapdoorRun> {
  return trapdoorStart(runtime, dir, script, options).done;
}

/** Instrumented files, relative to `dir`, with their site counts. */
function instrumented(run: TrapdoorRun, dir: string): Record<string, number> {
  return Object.fromEntries(run.modules.map((m) => [relative(dir, m.file).split('\\').join('/'), m.sites]));
}

/** What the transform finds in a file: the site count a runtime must report for it. */
function sitesIn(dir: string, file: string): number {
  return instrument(readFileSync(join(dir, file), 'utf8'), { filename: join(dir, file) }).sites.length;
}

function toPath(source: string): string {
  return source.startsWith('file:') ? fileURLToPath(source) : source;
}

/** The program's own stack frames and error headers in `text`: file:line, columns dropped. */
function frames(text: string, dir: string): string[] {
  const out: string[] = [];
  const pattern = /(?:file:\/\/)?(\/[^\s():]+):(\d+)(?::\d+)?/g;
  for (const match of text.matchAll(pattern)) {
    const file = match[1]!;
    if (file.startsWith(dir + '/')) out.push(`${relative(dir, file)}:${match[2]}`);
  }
  return out;
}

/** Deno needs read permission to require() CommonJS; the same flags go to the plain run and to trapdoor. */
const READ: Record<Runtime, string[]> = { node: [], bun: [], deno: ['--allow-read'] };

const MIXED = {
  'main.mjs': `import { sum, Counter } from './lib/math.mjs';
import util, { double } from './lib/util.cjs';
import { parse } from 'acorn';
import { createRequire } from 'node:module';
const require = createRequire(import.meta.url);
const legacy = require('./lib/legacy.cjs');
console.log('sum', sum([1, 2, 3]), 'double', double(21), util.double(2));
const c = new Counter();
for (let i = 0; i < 3; i++) c.inc();
console.log('count', c.n, legacy.greet('x'), legacy.kids());
console.log('acorn', parse('let a = 1', { ecmaVersion: 2022 }).body[0].type);
console.log('meta', import.meta.url.endsWith('/main.mjs'), process.argv.slice(2).join(' '));
`,
  'lib/math.mjs': `export function sum(xs) {
  let t = 0;
  for (const x of xs) t += x;
  return t;
}
export class Counter { n = 0; inc() { this.n++; } }
`,
  'lib/util.cjs': `'use strict';
exports.double = (x) => { for (;;) return x * 2; }; // a loop, so that the module has a check
`,
  'lib/legacy.cjs': `const util = require('./util.cjs');
module.exports = {
  greet(name) { return 'hi ' + name + ' ' + util.double(2); },
  kids() { return module.children.map((c) => require('path').basename(c.filename)).join(','); },
};
`,
};

const CJS_ENTRY = {
  'main.cjs': `const a = require('./a.cjs');
const fn = require('./fn.cjs');
const data = require('./data.json');
console.log('a', a.name, a.fromB, 'fn', fn(2), typeof fn, 'data', data.v);
console.log('main', require.main === module, module.id, module.filename === __filename);
console.log('cache', Object.keys(require.cache).filter((k) => k.startsWith(__dirname)).map((k) => require('path').basename(k)).sort().join(','));
function loop(n) { let s = 0; for (let i = 0; i < n; i++) s += i; return s; }
console.log('loop', loop(10), process.argv.slice(2).join(' '));
import('./esm.mjs').then((m) => {
  console.log('esm', m.default(3), m.named);
  console.log('children', module.children.map((c) => require('path').basename(c.filename)).join(','));
});
`,
  'a.cjs': `exports.name = 'A';
const b = require('./b.cjs');
exports.fromB = b.sawA;
`,
  'b.cjs': `const a = require('./a.cjs');
exports.sawA = Object.keys(a).join('+') + (function () { for (;;) return 1; })();
`,
  'fn.cjs': 'module.exports = function double(x) { for (;;) return x * 2; };\n',
  'data.json': '{"v": 7}\n',
  'esm.mjs': 'export default function triple(x) { return x * 3; }\nexport const named = [1, 2].map((x) => x + 1).join();\n',
};

const TYPESCRIPT = {
  'main.ts': `import { area, type Shape } from './shapes.ts';
interface Opts { verbose: boolean }
enum Color { Red, Green }

const opts: Opts = { verbose: true };
function total(shapes: Shape[]): number {
  let t = 0;
  for (const s of shapes) t += area(s);
  return t;
}
console.log('total', total([{ kind: 'square', size: 2 }, { kind: 'circle', r: 1 }]).toFixed(2), Color.Green, opts.verbose);
class Box<T> { constructor(private value: T) {} get(): T { return this.value; } }
console.log(new Box<number>(5).get());
`,
  'shapes.ts': `export type Shape = { kind: 'square'; size: number } | { kind: 'circle'; r: number };

export function area(s: Shape): number {
  let result = 0; // a loop, so that the module has a check (a function with neither loop nor call gets none)
  for (const kind of [s.kind]) {
    switch (kind) {
      case 'square': result = (s as { size: number }).size ** 2; break;
      case 'circle': result = Math.PI * (s as { r: number }).r * (s as { r: number }).r; break;
    }
  }
  return result;
}
`,
};

function withAcorn(dir: string): string {
  cpSync(join(ROOT, 'node_modules/acorn'), join(dir, 'node_modules/acorn'), { recursive: true });
  return dir;
}

describe.each(RUNTIMES)('trapdoor run --runtime %s', (runtime) => {
  it('runs an ES module program that imports CommonJS and an npm package, printing what the plain run prints; only its own modules are instrumented', async () => {
    const dir = withAcorn(project(MIXED));
    const expected = await plain(runtime, dir, 'main.mjs', { flags: READ[runtime], args: ['one', '--two'] });
    expect(expected.code, expected.stderr).toBe(0);
    const run = await trapdoor(runtime, dir, 'main.mjs', { flags: READ[runtime], args: ['one', '--two'] });
    expect(run.stderr).toBe(expected.stderr);
    expect(run.stdout).toBe(expected.stdout);
    expect(run.code).toBe(0);
    const files = ['main.mjs', 'lib/math.mjs', 'lib/util.cjs', 'lib/legacy.cjs'];
    expect(instrumented(run, dir)).toEqual(Object.fromEntries(files.map((f) => [f, sitesIn(dir, f)])));
    for (const m of run.modules) expect(m.sources.map(toPath)).toEqual([m.file]);
  });

  it('runs a CommonJS entry point (require cycle, JSON, require.cache, dynamic import) as the plain run does', async () => {
    const dir = project(CJS_ENTRY);
    // Deno runs .cjs as CommonJS; a "type": "commonjs" package is what makes .js CommonJS there.
    const expected = await plain(runtime, dir, 'main.cjs', { flags: READ[runtime], args: ['x'] });
    expect(expected.code, expected.stderr).toBe(0);
    const run = await trapdoor(runtime, dir, 'main.cjs', { flags: READ[runtime], args: ['x'] });
    expect(run.stderr).toBe(expected.stderr);
    expect(run.stdout).toBe(expected.stdout);
    expect(instrumented(run, dir)).toEqual(Object.fromEntries(['main.cjs', 'b.cjs', 'fn.cjs', 'esm.mjs'].map((f) => [f, sitesIn(dir, f)])));
  });

  it('leaves node_modules alone by default, and instruments what --include names', async () => {
    const dir = withAcorn(project(MIXED));
    const run = await trapdoor(runtime, dir, 'main.mjs', {
      flags: READ[runtime],
      options: ['--include', 'node_modules/acorn/**', '--include', 'main.mjs', '--exclude', '**/*.cjs'],
    });
    expect(run.code, run.stderr).toBe(0);
    const files = instrumented(run, dir);
    expect(Object.keys(files).sort()).toEqual(['main.mjs', 'node_modules/acorn/dist/acorn.mjs']);
    expect(files['node_modules/acorn/dist/acorn.mjs']).toBe(sitesIn(dir, 'node_modules/acorn/dist/acorn.mjs'));
  });

  it('reports an uncaught error at the same files and lines as the plain run, with the same exit status', async () => {
    const dir = project({
      'crash.mjs': `import { check } from './check.cjs';
function scan(items) {
  for (const item of items) {
    check(item);
  }
}
scan([1, 2, -3]);
`,
      'check.cjs': `exports.check = function check(n) {
  if (n < 0) { throw new RangeError('negative: ' + n); }
};
`,
    });
    const expected = await plain(runtime, dir, 'crash.mjs', { flags: READ[runtime] });
    const run = await trapdoor(runtime, dir, 'crash.mjs', { flags: READ[runtime] });
    expect(expected.code).not.toBe(0);
    expect(run.code).toBe(expected.code);
    expect(run.stdout).toBe(expected.stdout);
    expect(frames(expected.stderr, dir)).toContain('check.cjs:2');
    expect(frames(run.stderr, dir)).toEqual(frames(expected.stderr, dir));
    expect(run.stderr).toContain('RangeError: negative: -3');
  });

  it('passes runtime options, arguments and the debugger settings on, and exits with the program\'s status', async () => {
    const dir = project({
      '.env.test': 'FROM_ENV_FILE=yes\n',
      'exit.mjs': `console.log(JSON.stringify({
  args: process.argv.slice(2),
  envFile: process.env.FROM_ENV_FILE,
  port: process.env.TRAPDOOR_PORT, host: process.env.TRAPDOOR_HOST, signal: process.env.TRAPDOOR_SIGNAL,
}));
process.exit(3);
`,
    });
    const flags = ['--env-file=.env.test', ...(runtime === 'deno' ? ['--allow-env=FROM_ENV_FILE'] : [])];
    const run = await trapdoor(runtime, dir, 'exit.mjs', {
      options: ['--port', '9339', '--host=127.0.0.2', '--signal', 'usr2'],
      flags,
      args: ['a', '--b', '-c'],
    });
    expect(run.stderr).toBe('');
    expect(JSON.parse(run.stdout)).toEqual({ args: ['a', '--b', '-c'], envFile: 'yes', port: '9339', host: '127.0.0.2', signal: 'SIGUSR2' });
    expect(run.code).toBe(3);
  });

  it('relays SIGTERM to the program', async () => {
    const dir = project({
      'wait.mjs': `process.on('SIGTERM', () => { console.log('got SIGTERM'); process.exit(7); });
setInterval(() => {}, 1000);
console.log('ready');
`,
    });
    const run = trapdoorStart(runtime, dir, 'wait.mjs');
    await run.output('ready');
    process.kill(run.child.pid!, 'SIGTERM');
    const result = await run.done;
    expect(result.stdout).toBe('ready\ngot SIGTERM\n');
    expect(result.code).toBe(7);
  });
});

describe.each(RUNTIMES)('trapdoor run --runtime %s: the checks are live', (runtime) => {
  it('a busy loop in the program comes to the trap when another thread raises the flag', async () => {
    const dir = project({
      'busy.mjs': `import { Worker } from 'node:worker_threads';
import { controlBlock, moduleOf, setTrapHandler } from '@trapdoor-js/runtime';
import { spin } from './spin.mjs';
// trapdoor-ignore-next (the handler's own entry check would call it again)
setTrapHandler((module, site, locals) => {
  const table = moduleOf(module);
  const { kind, line, functionName, locals: names } = table.sites[site];
  console.log('trapped', table.file.split('/').pop(), 'kind', kind, 'line', line, 'in', functionName, 'locals', names.join(','), typeof locals[0]);
  process.exit(0);
});
new Worker(new URL('./raise.mjs', import.meta.url), { workerData: controlBlock });
spin();
`,
      'spin.mjs': 'export function spin() {\n  let i = 0;\n  while (true) { i++; }\n}\n',
      'raise.mjs': "import { workerData } from 'node:worker_threads';\nsetTimeout(() => Atomics.store(workerData, 0, 4), 20);\n",
    });
    const run = await trapdoor(runtime, dir, 'busy.mjs', { flags: READ[runtime] });
    expect(run.stderr).toBe('');
    expect(run.stdout).toBe('trapped spin.mjs kind loop line 3 in spin locals i number\n');
    expect(run.code).toBe(0);
  });
});

describe.each(RUNTIMES)('trapdoor run --runtime %s, a program outside any project', (runtime) => {
  it('runs it: the runtime and the loader resolve from trapdoor, not from the program', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trapdoor-outside-'));
    try {
      writeFileSync(join(dir, 'app.mjs'), 'function f(n) { let s = 0; for (let i = 0; i < n; i++) s += i; return s; }\nconsole.log(f(5));\n');
      const run = await trapdoor(runtime, dir, 'app.mjs');
      expect(run.stderr).toBe('');
      expect(run.stdout).toBe('10\n');
      expect(instrumented(run, dir)).toEqual({ 'app.mjs': 2 });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe.each(['bun', 'deno'] as const)('trapdoor run --runtime %s, TypeScript', (runtime) => {
  it('runs TypeScript as the plain run does; the site tables name the .ts files', async () => {
    const dir = project(TYPESCRIPT);
    const expected = await plain(runtime, dir, 'main.ts');
    expect(expected.code, expected.stderr).toBe(0);
    const run = await trapdoor(runtime, dir, 'main.ts');
    expect(run.stderr).toBe(expected.stderr);
    expect(run.stdout).toBe(expected.stdout);
    const files = instrumented(run, dir);
    expect(Object.keys(files).sort()).toEqual(['main.ts', 'shapes.ts']);
    expect(files['shapes.ts']).toBe(sitesIn(dir, 'shapes.ts'));
    // Deno compiles the enum to a function of its own before trapdoor sees the code.
    if (runtime === 'bun') expect(files['main.ts']).toBe(sitesIn(dir, 'main.ts'));
    else expect(files['main.ts']).toBeGreaterThanOrEqual(sitesIn(dir, 'main.ts'));
    for (const m of run.modules) expect(m.sources.map(toPath)).toEqual([m.file]);
  });

  it('reports an error thrown in TypeScript at the same file and line', async () => {
    const dir = project({
      'fail.ts': `interface Item { n: number }

function check(items: Item[]): void {
  for (const item of items) {
    if (item.n < 0) throw new Error('negative: ' + item.n);
  }
}
try { check([{ n: 1 }, { n: -2 }]); } catch (e) { console.log((e as Error).stack!.split('\\n').slice(0, 3).join('\\n').replace(/:\\d+\\)?$/gm, '')); }
check([{ n: -5 }]);
`,
    });
    const expected = await plain(runtime, dir, 'fail.ts');
    const run = await trapdoor(runtime, dir, 'fail.ts');
    expect(run.code).toBe(expected.code);
    expect(run.stdout).toBe(expected.stdout);
    expect(frames(run.stderr, dir)).toEqual(frames(expected.stderr, dir));
    expect(frames(run.stdout, dir)).toEqual(['fail.ts:5', 'fail.ts:8']);
  });
});

describe('trapdoor run on Node, more', () => {
  it('ends with 128 + the signal when a signal ends the program, and relays SIGINT without a terminal', async () => {
    const dir = project({ 'wait.cjs': "setInterval(() => {}, 1000);\nconsole.log('ready');\n" });
    const killed = trapdoorStart('node', dir, 'wait.cjs');
    await killed.output('ready');
    process.kill(killed.child.pid!, 'SIGTERM');
    expect((await killed.done).code).toBe(128 + 15);

    const interrupted = trapdoorStart('node', dir, 'wait.cjs');
    await interrupted.output('ready');
    process.kill(interrupted.child.pid!, 'SIGINT');
    expect((await interrupted.done).code).toBe(128 + 2);
  });

  it('keeps stack traces mapped like the plain run under --enable-source-maps', async () => {
    const dir = project({
      'mapped.cjs': `function f(n) {
  for (let i = 0; i < n; i++) { if (i === 2) console.log(new Error('at').stack.split('\\n')[1]); }
}
f(3);
`,
    });
    const expected = await plain('node', dir, 'mapped.cjs', { flags: ['--enable-source-maps'] });
    const run = await trapdoor('node', dir, 'mapped.cjs', { flags: ['--enable-source-maps'] });
    expect(run.stdout).toBe(expected.stdout); // columns too: the map puts them back
    expect(instrumented(run, dir)).toEqual({ 'mapped.cjs': 2 });
  });
});

describe('trapdoor run on Node: a program compiled from TypeScript, with its own source maps', () => {
  // Compiled by TypeScript with a map back to src/*.ts; the interface and blank lines make the
  // generated lines differ from the original ones.
  const compile = (file: string, source: string, inline: boolean) => {
    const out = ts.transpileModule(source, {
      fileName: `${file}.ts`,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, sourceMap: true },
    });
    const map = out.sourceMapText!.replace(`"${file}.ts"`, `"../src/${file}.ts"`);
    const code = out.outputText.replace(/\/\/# sourceMappingURL=.*$/m, '');
    return {
      [`src/${file}.ts`]: source,
      [`dist/${file}.mjs`]: `${code}//# sourceMappingURL=${inline ? `data:application/json;base64,${Buffer.from(map).toString('base64')}` : `${file}.mjs.map`}\n`,
      ...(inline ? {} : { [`dist/${file}.mjs.map`]: map }),
    };
  };
  const APP = `import { scan } from './scan.mjs';

interface Job { id: number }

const jobs: Job[] = [{ id: 1 }, { id: -1 }];
try { scan(jobs.map((j) => j.id)); } catch (e) { console.log(String((e as Error).stack).split('\\n').slice(0, 3).join('\\n')); }
`;
  const SCAN = `type N = number;

export function scan(ids: N[]): void {
  for (const id of ids) {

    if (id < 0) throw new Error('bad id ' + id);
  }
}
`;

  it.each([['inline', true], ['external', false]] as const)('stack traces as in the plain run, with and without --enable-source-maps (%s maps); sites name the .ts files', async (_, inline) => {
    const dir = project({ ...compile('app', APP, inline), ...compile('scan', SCAN, inline) });
    const lines = (text: string) => text.split('\n').map((l) => l.replace(/:(\d+):\d+\)?$/, ':$1').replaceAll(dir, '<dir>'));
    for (const flags of [[], ['--enable-source-maps']]) {
      const expected = await plain('node', dir, 'dist/app.mjs', { flags });
      expect(expected.code, expected.stderr).toBe(0);
      const run = await trapdoor('node', dir, 'dist/app.mjs', { flags });
      expect(run.stderr).toBe(expected.stderr);
      // Under --enable-source-maps both runs map to the .ts lines, and trapdoor's frames keep
      // Node's format there (paths); columns match too where the map applies.
      expect(lines(run.stdout)).toEqual(lines(expected.stdout));
      expect(expected.stdout).toContain(flags.length > 0 ? 'src/scan.ts:6' : 'dist/scan.mjs:4');
      expect(run.modules.map((m) => [relative(dir, m.file), m.sources.map((s) => relative(dir, toPath(s)))]).sort()).toEqual([
        ['dist/app.mjs', ['src/app.ts']],
        ['dist/scan.mjs', ['src/scan.ts']],
      ]);
    }
  });
});

describe('loading trapdoor by hand', () => {
  it('node --import trapdoor-js/register and node --require trapdoor-js/register instrument ES modules and CommonJS', async () => {
    const dir = withAcorn(project(MIXED));
    const expected = await plain('node', dir, 'main.mjs');
    for (const flag of ['--import', '--require']) {
      const dump = join(dir, `.by-hand${flag}.json`);
      const run = await start(process.execPath, [flag, 'trapdoor-js/register', 'main.mjs'], dir, { TRAPDOOR_DEBUG_DUMP_MODULES: dump }).done;
      expect(run.stdout).toBe(expected.stdout);
      const modules = JSON.parse(readFileSync(dump, 'utf8')) as TrapdoorRun['modules'];
      expect(modules.map((m) => relative(dir, m.file)).sort()).toEqual(['lib/legacy.cjs', 'lib/math.mjs', 'lib/util.cjs', 'main.mjs']);
    }
  });

  it('bun --preload trapdoor-js/register picks the Bun loader', async () => {
    const dir = project(CJS_ENTRY);
    const dump = join(dir, '.by-hand.json');
    const expected = await plain('bun', dir, 'main.cjs');
    const run = await start(EXECUTABLES.bun, ['--preload', 'trapdoor-js/register', 'main.cjs'], dir, { TRAPDOOR_DEBUG_DUMP_MODULES: dump }).done;
    expect(run.stdout).toBe(expected.stdout);
    expect(JSON.parse(readFileSync(dump, 'utf8')).length).toBe(4);
  });
});

describe('trapdoor run: clear errors', () => {
  it('a missing script, an unknown runtime, a runtime that is not there: a message, no stack, exit 2', async () => {
    const dir = project({ 'ok.js': 'console.log(1);\n' });
    const cases: Array<[string[], NodeJS.ProcessEnv, string]> = [
      [['run', 'nope.js'], {}, 'trapdoor run: no such file: nope.js\n'],
      [['run', '--runtime', 'deno', 'nope.ts'], {}, 'trapdoor run: no such file: nope.ts\n'],
      [['run', '--runtime', 'rust', 'ok.js'], {}, "trapdoor run: unknown runtime 'rust': expected node, bun or deno\n"],
      [['run', '--runtime', 'bun', 'ok.js'], { TRAPDOOR_BUN: '/no/such/bun' }, 'trapdoor run: TRAPDOOR_BUN=/no/such/bun is not an executable file\n'],
    ];
    for (const [argv, env, message] of cases) {
      const r = await start(process.execPath, [BIN, ...argv], dir, env).done;
      expect(r.code, argv.join(' ')).toBe(2);
      expect(r.stderr.startsWith(message), r.stderr).toBe(true);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    }
  });

  it('prints its help', async () => {
    const r = await start(process.execPath, [BIN, 'run', '--help'], root).done;
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: trapdoor run \[options\] \[runtime options\] <script> \[args\.\.\.\]/);
  });
});
