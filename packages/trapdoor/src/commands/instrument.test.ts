// `trapdoor instrument` end to end: the real bin on real trees, in a folder inside the repository
// (test/.tmp, git-ignored) so instrumented programs resolve '@trapdoor-js/runtime' through the workspace.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';
import ts from 'typescript';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../../bin/trapdoor.js', import.meta.url));
const TMP = fileURLToPath(new URL('../../../../test/.tmp/', import.meta.url));
// The runtime bindings: at the top on a line without code, else after the last line (transform/src/emit.ts).
const ESM_HEADER = /(?:^|\n;function \w+_M\(\).*)import \{ flags as \w+, trap as \w+, register as \w+ \} from "@trapdoor-js\/runtime";/;
const CJS_HEADER = /require\("@trapdoor-js\/runtime"\)/;

let root: string;
let dir: string;

beforeAll(() => {
  if (!existsSync(fileURLToPath(new URL('../../dist/cli.js', import.meta.url)))) throw new Error('build first: npm run build');
  mkdirSync(TMP, { recursive: true });
  root = mkdtempSync(join(TMP, 'instrument-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));
beforeEach((context) => {
  dir = join(root, context.task.name.replace(/\W+/g, '-').slice(0, 60));
  mkdirSync(dir);
  // Files here would otherwise be governed by the repository's own package.json ("type": "module").
  writeFileSync(join(dir, 'package.json'), '{}\n');
});

/** Writes `files` (path → text) under the test's directory. */
function tree(files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
}

function trapdoor(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, 'instrument', ...args], { cwd: dir, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

function read(path: string): string {
  return readFileSync(join(dir, path), 'utf8');
}

/** Every file under `path`, relative, sorted. */
function list(path: string): string[] {
  return (readdirSync(join(dir, path), { recursive: true }) as string[])
    .filter((p) => statSync(join(dir, path, p)).isFile())
    .map((p) => p.split('\\').join('/'))
    .sort();
}

function node(script: string) {
  const r = spawnSync(process.execPath, [script], { cwd: dir, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const instrumented = (code: string) => code.includes('"@trapdoor-js/runtime"');

describe('a file', () => {
  const source = 'function sum(xs) {\n  let s = 0;\n  for (const x of xs) s += x;\n  return s;\n}\nmodule.exports = sum;\n';

  it('writes the instrumented file and <out>.map, with a comment pointing at it', () => {
    tree({ 'src/sum.js': source });
    const r = trapdoor('src/sum.js', '-o', 'out/sum.instrumented.js');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^trapdoor instrument: 1 file instrumented, 0 files copied, 2 sites inserted, in \d+\.\d+s\n$/);
    const code = read('out/sum.instrumented.js');
    expect(code).toMatch(CJS_HEADER);
    expect(code.endsWith('\n//# sourceMappingURL=sum.instrumented.js.map\n')).toBe(true);
    const map = JSON.parse(read('out/sum.instrumented.js.map'));
    expect(map).toMatchObject({ version: 3, file: 'sum.instrumented.js', sources: ['../src/sum.js'], sourcesContent: [source] });
    expect(list('out')).toEqual(['sum.instrumented.js', 'sum.instrumented.js.map']);
  });

  it('keeps the name inside -o when it is a directory or ends with /', () => {
    tree({ 'sum.js': source, 'existing/.keep': '' });
    expect(trapdoor('sum.js', '-o', 'existing').code).toBe(0);
    expect(trapdoor('sum.js', '-o', 'new/').code).toBe(0);
    expect(list('existing')).toEqual(['.keep', 'sum.js', 'sum.js.map']);
    expect(list('new')).toEqual(['sum.js', 'sum.js.map']);
  });

  it('inlines the map with --inline-map', () => {
    tree({ 'sum.js': source });
    expect(trapdoor('sum.js', '-o', 'out/', '--inline-map').code).toBe(0);
    expect(list('out')).toEqual(['sum.js']);
    const comment = /\n\/\/# sourceMappingURL=data:application\/json;charset=utf-8;base64,([A-Za-z0-9+/=]+)\n$/.exec(read('out/sum.js'));
    const map = JSON.parse(Buffer.from(comment![1]!, 'base64').toString('utf8'));
    expect(map).toMatchObject({ version: 3, sources: ['../sum.js'], sourcesContent: [source] });
  });

  it('refuses to write over its input', () => {
    tree({ 'sum.js': source });
    const r = trapdoor('sum.js', '-o', './');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('trapdoor instrument: the output ./ would overwrite the input sum.js');
    expect(read('sum.js')).toBe(source);
  });

  it.runIf(existsSync('/proc/self'))('fails with the reason where no folder can be made (procfs answers ENOENT), instead of never returning', () => {
    tree({ 'sum.js': source });
    // Node 20's recursive mkdir retries such a folder forever: the timeout only ends a hung run.
    const r = spawnSync(process.execPath, [BIN, 'instrument', 'sum.js', '-o', '/proc/trapdoor-test/out/sum.js'], { cwd: dir, encoding: 'utf8', timeout: 60_000 });
    expect(r.signal).toBe(null);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^trapdoor instrument: cannot write \/proc\/trapdoor-test\/out\/sum\.js(\.map)?: ENOENT: no such file or directory, mkdir '\/proc\/trapdoor-test'\n$/);
  });

  it('says a missing input is missing, exit 2', () => {
    const r = trapdoor('nope.js', '-o', 'out.js');
    expect(r).toMatchObject({ code: 2, stderr: 'trapdoor instrument: no such file or directory: nope.js\n' });
  });

  it('copies a file the transform leaves alone, and says why', () => {
    tree({ 'data.js': 'module.exports = { answer: 42 };\n', 'skip.js': `/* trapdoor-ignore-file */\n${source}` });
    const r = trapdoor('data.js', '-o', 'out/');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('data.js is copied unchanged: it has no loops or functions');
    expect(trapdoor('skip.js', '-o', 'out/').stderr).toContain('skip.js is copied unchanged: it has /* trapdoor-ignore-file */');
    expect(list('out')).toEqual(['data.js', 'skip.js']);
    expect(read('out/skip.js')).toBe(read('skip.js'));
  });

  it('sets the runtime specifier with --runtime and the module type with --module-type', () => {
    tree({ 'sum.js': source });
    expect(trapdoor('sum.js', '-o', 'out/', '--runtime', '@acme/trapdoor-runtime', '--module-type', 'esm').code).toBe(0);
    expect(read('out/sum.js')).toMatch(/(?:^|\n;function \w+_M\(\).*)import \{ flags as \w+, trap as \w+, register as \w+ \} from "@acme\/trapdoor-runtime";/);
  });
});

describe('a directory', () => {
  it('mirrors the tree: instruments code, copies everything else, picks import or require per file', () => {
    tree({
      'app/package.json': '{ "type": "module" }',
      'app/index.js': 'export function main() { for (;;) break; }\n',
      'app/lib/deep/helper.js': 'export const helper = () => { while (false); };\n',
      'app/lib/legacy.cjs': 'module.exports = function legacy() { while (false); };\n',
      'app/types.d.ts': 'export declare function main(): void;\n',
      'app/config.json': '{ "retries": 3 }\n',
      'app/logo.svg': '<svg/>\n',
      'app/node_modules/dep/package.json': '{ "name": "dep" }',
      'app/node_modules/dep/index.js': 'module.exports = function dep() { while (false); };\n',
      'app/server/package.json': '{ "type": "commonjs" }',
      'app/server/serve.js': 'exports.serve = function serve() { while (false); };\n',
      'app/server/module.mjs': 'export default function m() { while (false); }\n',
      'app/server/typed.ts': 'export function typed(n: number): number { while (false); return n; }\n',
      'app/untyped/package.json': '{ "name": "untyped" }',
      'app/untyped/esm.js': 'export function e() { while (false); }\n',
      'app/untyped/cjs.js': 'exports.c = function c() { while (false); };\n',
    });
    const r = trapdoor('app', '-o', 'build');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toMatch(/^trapdoor instrument: 8 files instrumented, 8 files copied, 16 sites inserted, in \d+\.\d+s\n$/);
    expect(list('build')).toEqual([
      'config.json',
      'index.js', 'index.js.map',
      'lib/deep/helper.js', 'lib/deep/helper.js.map',
      'lib/legacy.cjs', 'lib/legacy.cjs.map',
      'logo.svg',
      'node_modules/dep/index.js', 'node_modules/dep/package.json',
      'package.json',
      'server/module.mjs', 'server/module.mjs.map',
      'server/package.json',
      'server/serve.js', 'server/serve.js.map',
      'server/typed.ts', 'server/typed.ts.map',
      'types.d.ts',
      'untyped/cjs.js', 'untyped/cjs.js.map',
      'untyped/esm.js', 'untyped/esm.js.map',
      'untyped/package.json',
    ]);
    for (const copied of ['config.json', 'logo.svg', 'types.d.ts', 'package.json', 'node_modules/dep/index.js']) {
      expect(read(`build/${copied}`), copied).toBe(read(`app/${copied}`));
    }
    const header = (path: string) => read(`build/${path}`);
    expect(header('index.js')).toMatch(ESM_HEADER); // "type": "module"
    expect(header('lib/deep/helper.js')).toMatch(ESM_HEADER); // inherited from app/package.json
    expect(header('lib/legacy.cjs')).toMatch(CJS_HEADER); // the extension wins over "type"
    expect(header('server/serve.js')).toMatch(CJS_HEADER); // "type": "commonjs"
    expect(header('server/module.mjs')).toMatch(ESM_HEADER);
    expect(header('server/typed.ts')).toMatch(ESM_HEADER); // TypeScript: its import/export syntax decides
    expect(header('untyped/esm.js')).toMatch(ESM_HEADER); // no "type": the syntax decides
    expect(header('untyped/cjs.js')).toMatch(CJS_HEADER);
  });

  it('instruments only files matching --include and no --exclude, copies the rest unchanged', () => {
    const fn = 'function f() { return g(); }\n';
    tree({
      'p/src/a.js': fn,
      'p/src/nested/b.tsx': 'export const B = () => <b>{[1].map((x) => x)}</b>;\n',
      'p/src/a.test.js': fn,
      'p/vendor/lib.min.js': fn,
      'p/vendor/lib.js': fn,
      'p/scripts/build.js': fn,
      'p/.hidden/h.js': fn,
    });
    const r = trapdoor('p', '-o', 'out', '--include', 'src/**', '--include', 'vendor/**', '--include', '.hidden/*', '--exclude', '**/*.test.js', '--exclude', '**/*.min.js');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('4 files instrumented, 3 files copied');
    for (const path of ['src/a.js', 'src/nested/b.tsx', 'vendor/lib.js', '.hidden/h.js']) expect(instrumented(read(`out/${path}`)), path).toBe(true);
    for (const path of ['src/a.test.js', 'vendor/lib.min.js', 'scripts/build.js']) expect(read(`out/${path}`), path).toBe(fn);
  });

  it('refuses an output directory that is the input or inside it, exit 2', () => {
    tree({ 'p/a.js': 'function f() {}\n' });
    for (const out of ['p', 'p/', 'p/out', './p/deep/out']) {
      const r = trapdoor('p', '-o', out);
      expect(r.code, out).toBe(2);
      expect(r.stderr).toMatch(/^trapdoor instrument: -o \S+ is (the input directory|inside the input directory p); write somewhere outside it\n/);
    }
    expect(list('p')).toEqual(['a.js']);
  });

  it('refuses an output directory that would write into the input inside it, exit 2', () => {
    tree({ 'p/src/a.js': 'function f() {}\n', 'p/src/src/b.js': 'function g() {}\n' });
    const r = trapdoor('p/src', '-o', 'p');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('trapdoor instrument: -o p would write src into the input directory p/src\n');
    expect(list('p')).toEqual(['src/a.js', 'src/src/b.js']);
  });

  it('writes nothing when a file has a syntax error, and reports every failing file with line, column and frame (exit 1)', () => {
    tree({
      'p/ok.js': 'function ok() { while (false); }\n',
      'p/lib/bad.js': 'function ok() { while (false); }\nfunction bad() {\n  return 1 +;\n}\n',
      'p/lib/worse.ts': 'let x: number = ;\n',
      'p/README.md': '# p\n',
    });
    const r = trapdoor('p', '-o', 'out');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^p\/lib\/bad\.js:3:13: Unexpected token.*\n(.*\n)*> 3 \|   return 1 \+;\n/m);
    expect(r.stderr).toMatch(/^p\/lib\/worse\.ts:1:17: Unexpected token.*\n> 1 \| let x: number = ;\n/m);
    expect(r.stderr).toContain('trapdoor instrument: 2 of 3 files could not be instrumented; nothing was written\n');
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });
});

describe('source maps', () => {
  /** src/math.ts compiled by tsc to dist/math.js with an external dist/math.js.map. */
  const TS = [
    'export function power(base: number, exponent: number): number {',
    '  let result: number = 1;',
    '  for (let i: number = 0; i < exponent; i++) { result *= base; }',
    '  return result;',
    '}',
    '',
  ].join('\n');

  /** How tsc can point dist/math.js at src/math.ts. */
  const STYLES = {
    'an external map': (map: { sources: string[]; sourceRoot?: string }) => {
      map.sources = ['../src/math.ts']; // as tsc writes it for outDir dist/, rootDir src/
      return { 'dist/math.js.map': JSON.stringify(map) };
    },
    'an external map with a sourceRoot': (map: { sources: string[]; sourceRoot?: string }) => {
      map.sourceRoot = '../src/';
      map.sources = ['math.ts'];
      return { 'dist/math.js.map': JSON.stringify(map) };
    },
    'an inline map': () => ({}),
  };

  it.each(Object.keys(STYLES) as (keyof typeof STYLES)[])('chains %s: the new map leads to the original TypeScript', (style) => {
    const inline = style === 'an inline map';
    const out = ts.transpileModule(TS, {
      fileName: 'math.ts',
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2020, sourceMap: !inline, inlineSourceMap: inline },
    });
    const js = inline ? out.outputText.replace(/base64,(\S+)/, (_, b64: string) => {
      const map = JSON.parse(Buffer.from(b64, 'base64').toString());
      map.sources = ['../src/math.ts'];
      return `base64,${Buffer.from(JSON.stringify(map)).toString('base64')}`;
    }) : out.outputText;
    tree({ 'src/math.ts': TS, 'dist/math.js': js, ...STYLES[style](JSON.parse(out.sourceMapText ?? '{}')) });
    expect(js).toMatch(inline ? /\/\/# sourceMappingURL=data:/ : /\/\/# sourceMappingURL=math\.js\.map/);

    const r = trapdoor('dist', '-o', 'build/dist');
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toContain('1 file instrumented, 0 files copied'); // an old external map is replaced by the new one

    const code = read('build/dist/math.js');
    expect(code.match(/sourceMappingURL/g)).toHaveLength(1);
    expect(code.endsWith('\n//# sourceMappingURL=math.js.map\n')).toBe(true);
    // The site table names the original by a path the runtime can open: absolute, whether the
    // map was external (the CLI resolves it) or inline (the transform resolves it against the file).
    expect(code).toContain(JSON.stringify(join(dir, 'dist/math.js')));
    expect(code).toContain(JSON.stringify(join(dir, 'src/math.ts')));

    const mapPath = join(dir, 'build/dist/math.js.map');
    expect(JSON.parse(readFileSync(mapPath, 'utf8')).sources).toEqual(['../../src/math.ts']);
    const trace = new TraceMap(readFileSync(mapPath, 'utf8'), mapPath);
    const lines = code.split('\n');
    const line = lines.findIndex((l) => l.includes('result *= base')) + 1;
    const column = lines[line - 1]!.indexOf('result *= base');
    const original = originalPositionFor(trace, { line, column });
    expect(original.source).toBe(join(dir, 'src/math.ts'));
    expect(original.line).toBe(3);
    expect(original.column).toBe(TS.split('\n')[2]!.indexOf('result *= base'));
  });

  it('ignores an input map it cannot read, with a warning, and maps to the input instead', () => {
    tree({ 'lib.js': 'function f() { while (false); }\n//# sourceMappingURL=lib.js.map\n', 'broken.js': 'function g() { while (false); }\n//# sourceMappingURL=broken.js.map\n', 'broken.js.map': '{ not json' });
    let r = trapdoor('lib.js', '-o', 'out/');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^trapdoor instrument: warning: lib\.js: ignoring its source map lib\.js\.map: ENOENT/m);
    expect(read('out/lib.js').match(/sourceMappingURL=.*/g)).toEqual(['sourceMappingURL=lib.js.map']);
    expect(JSON.parse(read('out/lib.js.map')).sources).toEqual(['../lib.js']);

    r = trapdoor('broken.js', '-o', 'out/');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/^trapdoor instrument: warning: broken\.js: ignoring its source map broken\.js\.map: .*JSON/m);
    expect(JSON.parse(read('out/broken.js.map')).sources).toEqual(['../broken.js']);
  });
});

describe('instrumented programs run as the originals do', () => {
  const PROGRAM = {
    lib: (exp: string) => `'use strict';
function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
class Counter {
  #count = 0;
  constructor(start) { this.value = start; }
  inc() { this.value++; this.#count++; return this; }
  get count() { return this.#count; }
  static of(n) { const c = new Counter(0); while (c.value < n) c.inc(); return c; }
}
function* range(n) { for (let i = 0; i < n; i++) yield i; }
async function later(x) { await null; return x * 2; }
${exp}`,
    main: (imports: string) => `${imports}
let total = 0;
outer: for (const n of range(12)) {
  for (let k = 0; ; k++) { if (k > n) continue outer; if (k % 3 === 2) break; total += fib(k); }
}
const c = Counter.of(7);
const words = 'b a c'.split(' ').sort((x, y) => (x < y ? -1 : 1)).map((w) => w.toUpperCase());
let i = 0;
do { i += 2; } while (i < 9);
later(21).then((v) => console.log(JSON.stringify({ total, value: c.value, count: c.count, words, i, v, json: config.retries })));
`,
  };

  it('CommonJS', () => {
    tree({
      'cjs/package.json': '{ "type": "commonjs" }',
      'cjs/config.json': '{ "retries": 3 }',
      'cjs/lib.js': PROGRAM.lib('module.exports = { fib, Counter, range, later };'),
      'cjs/main.js': PROGRAM.main("const { fib, Counter, range, later } = require('./lib');\nconst config = require('./config.json');"),
    });
    const original = node('cjs/main.js');
    expect(original.code, original.stderr).toBe(0);
    expect(trapdoor('cjs', '-o', 'out').code).toBe(0);
    expect(read('out/main.js')).toMatch(CJS_HEADER);
    expect(read('out/lib.js')).toMatch(/^'use strict';var \{ flags/);
    expect(node('out/main.js')).toEqual(original);
  });

  it('ES modules', () => {
    tree({
      'esm/package.json': '{ "type": "module" }',
      'esm/config.json': '{ "retries": 3 }',
      'esm/lib.js': PROGRAM.lib('export { fib, Counter, range, later };'),
      'esm/main.js': PROGRAM.main("import { fib, Counter, range, later } from './lib.js';\nimport config from './config.json' with { type: 'json' };"),
    });
    const original = node('esm/main.js');
    expect(original.code, original.stderr).toBe(0);
    expect(trapdoor('esm', '-o', 'out').code).toBe(0);
    expect(read('out/main.js')).toMatch(ESM_HEADER);
    expect(node('out/main.js')).toEqual(original);
  });
});
