// The oxc parse (parse-oxc.ts) against the Babel one: instrument() must give byte for byte the
// same code, map and sites either way, on the semantic corpus, the real packages of
// test/real-packages.test.ts, rxjs's TypeScript sources and the TypeScript fixtures; the same
// error where the input is bad; and it must still run where oxc cannot load.
import { describe, expect, it, afterEach } from 'vitest';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { instrument, instrumentAsync, type InstrumentOptions } from './index.js';
import { parserInUse, transferInUse, useParser, useTransfer } from './parse.js';
import { readSource as read, ROOT, sourceFilesUnder as filesUnder } from '../../../test/helpers/source-files.js';

/** Everything instrument() returns, as text; an error as its code and message. */
function outcome(code: string, options: InstrumentOptions): string {
  try {
    const r = instrument(code, options);
    // The full-resolution map is built from the same insertions as insertMap: compared where it is cheap.
    return JSON.stringify([r.code, r.insertMap, code.length < 1e6 ? r.map : null, r.sites, r.moduleType, r.skipped]);
  } catch (error) {
    const e = error as { code?: string; message?: string };
    return `error ${e.code}: ${e.message}`;
  }
}

/** The file names whose outcome differs between the two parsers (empty when all agree). */
function differing(inputs: { file: string; code: string; options?: Partial<InstrumentOptions> }[]): string[] {
  const out: string[] = [];
  for (const { file, code, options } of inputs) {
    const o = { filename: file, ...options };
    useParser('babel');
    const babel = outcome(code, o);
    useParser('auto');
    const oxc = outcome(code, o);
    if (babel !== oxc) {
      let i = 0;
      while (babel[i] === oxc[i]) i++;
      out.push(`${file} ${JSON.stringify(options ?? {})} at ${i}: babel …${babel.slice(Math.max(0, i - 60), i + 60)}… oxc …${oxc.slice(Math.max(0, i - 60), i + 60)}…`);
    }
  }
  return out;
}

afterEach(() => useParser('auto'));

describe('oxc parse', () => {
  it('is the one used here (Node on linux-x64 has the binary), so the comparisons below compare two parsers', () => {
    expect(parserInUse()).toBe('oxc');
    useParser('babel');
    expect(parserInUse()).toBe('babel');
  });

  it('gives the same output as Babel on every file of the semantic corpus, in both check forms and module types', () => {
    const files = filesUnder(path.join(ROOT, 'test/corpus')).map(read);
    expect(files.length).toBeGreaterThan(50);
    const inputs = files.flatMap((f) => [f, { ...f, options: { target: 'node' as const, moduleType: 'cjs' as const, coverageHints: true } }, { ...f, options: { entryChecks: 'all' as const } }]);
    expect(differing(inputs)).toEqual([]);
  });

  it("gives the same output as Babel on rxjs's 251 TypeScript modules and on the repository's own TypeScript", () => {
    const files = [
      ...filesUnder(path.join(ROOT, 'node_modules/rxjs/src')),
      ...filesUnder(path.join(ROOT, 'examples')),
      ...filesUnder(path.join(ROOT, 'test/typescript-node')),
      ...filesUnder(path.join(ROOT, 'packages/transform/src')),
      ...filesUnder(path.join(ROOT, 'packages/runtime/src/inspector')),
    ].map(read);
    expect(files.length).toBeGreaterThan(300);
    expect(files.some((f) => f.file.endsWith('.tsx'))).toBe(true);
    expect(differing(files)).toEqual([]);
  });

  it('gives the same output as Babel on the real packages (acorn, marked, terser, prettier, typescript.js)', () => {
    const files = ['acorn/dist/acorn.js', 'acorn/dist/acorn.mjs', 'marked/lib/marked.esm.js', 'marked/lib/marked.umd.js', 'terser/dist/bundle.min.js', 'prettier/index.mjs', 'prettier/plugins/typescript.js', 'typescript/lib/typescript.js'].map((f) =>
      path.join(ROOT, 'node_modules', f),
    );
    const inputs = files.filter((f) => existsSync(f)).map((f) => ({ ...read(f), options: { moduleType: f.endsWith('.mjs') ? ('esm' as const) : ('cjs' as const) } }));
    expect(inputs.length).toBe(files.length);
    expect(differing(inputs)).toEqual([]);
  }, 120_000);

  // Syntax where the two ASTs differ in shape (ESTree vs Babel), line terminators and UTF-16
  // offsets, and input one of the parsers rejects.
  const snippets: [string, string][] = [
    ['bad.js', 'function f( {'],
    ['bad.js', 'let a; let a;'],
    ['bad.mjs', 'return 1'],
    ['bad.js', '"use strict"; with (a) {}'],
    ['bad.js', 'class A { constructor() {} constructor() {} }'],
    ['bad.js', 'function f(a, a) { "use strict" }'],
    ['bad.mjs', 'export { a }'],
    ['bad.mjs', 'let await = 1'],
    ['bad.js', 'const x;'],
    ['top-level-return.cjs', 'for (;;) { g() } return 1'],
    ['assert.js', 'import x from "y" assert { type: "json" }; while (x) {}'],
    ['flow.js', '/* @flow */ function f(x: number) { while (x) {} }'],
    ['ignore-next.js', '// trapdoor-ignore-next\nfunction f() { while (1) {} } function g() { for(;;){} }'],
    ['decorators.js', '@dec class A { m() { while (1) {} } }'],
    ['using.js', 'function f() { using x = g(); for (;;) {} }'],
    ['generic.tsx', 'const f = <T,>(x: T) => { while (x) {} return <div>{x}</div> }'],
    ['html-comments.cjs', 'x = 1 <!-- y\n--> z\nwhile (x) {}'],
    ['unicode.js', 'function 𝒳é(a𝒳) { "𝒳"; while (a𝒳) { g() } }\u2028function h() { for(;;) g() }\r\nfunction k() { do { g() } while (0) }\rfunction m() { for(;;) g() }'],
    ['bom.js', '\ufeff"use strict"; function f() { "use strict"; for (;;) g() }'],
    ['hashbang.mjs', '#!/usr/bin/env node\n// c\nexport function f() { for (;;) g() }'],
    ['defaults.mjs', 'export default function () { for (;;) g() }'],
    ['class.mjs', 'export default class { static { for(;;) g() } #p = () => { while(1) {} }; get #q() { return 1 } static async *m() { for await (const x of y) {} } }'],
    ['ts.ts', 'enum E { A = (() => { for(;;) g(); return 1 })(), "s" = 2 } namespace N.M { "use strict"; export function f() { while (1) g() } } class C extends D { constructor(private x: number, @Inject() y) { super(); } declare z: number; f(): void; f() { for(;;) g() } } abstract class Q { abstract q(): void; abstract p: number }'],
    ['ts-expressions.ts', 'const x = y as any satisfies Z; const z = <T>w; a!.b?.c!.d(); f<T>; (a?.b)!.c; function f(this: A, x?: number) { for (;;) g(this) } declare function h(): void; declare const k: 1'],
    ['objects.js', 'const r = /a[/]b/gu, b = 10n, n = null, t = true, o = { async *[k]() {}, get a() { return 1 }, set a(v) {}, "s"() { while(1) g() }, 1: function () {}, f, ...s }; label: for (;;) { continue label }'],
    ['modules.mjs', 'import("x", { with: { type: "json" } }); const u = import.meta.url; await f(); for (const [a, { b = () => { while(1) g() } }] of c) {}'],
    ['templates.js', 'var s = `a${() => { while(1) g() }}b`; tag`x${y}`; if (a) while (b) c(); else for (;;) d();'],
    ['scopes.js', 'with (o) { while (1) g() } function f(a = function () { for(;;) g() }) { try { g() } catch ({ e }) { while (e) g() } finally {} switch (a) { case 1: let z = 1; for(;;) g(z); default: } }'],
    ['jsx.jsx', 'const A = () => <A.B x="1" {...p} y={() => { while(1) g() }}>{/* c */}<>t</></A.B>'],
    ['class-ts.ts', 'class A { @d() m() { for (;;) g() } @d() static p = () => { for(;;) g() } accessor q = 1; static { this.x = 1 } }'],
    ['derived.js', 'class A extends B { constructor() { const a = 1; super(); for (;;) g(this) } }'],
    ['import-equals.cts', 'import x = require("y"); export = function f() { while (1) g() }'],
    ['chains.js', 'x = a?.[b]?.(c).d; a.b?.c.d(); delete a.b; a in b; a instanceof b; class C { #x; m(o) { return #x in o && this.#x } }'],
    ['pure.js', 'function f(a) { return Math.max(a.length, "x".length) + [1].map((x) => x * 2).length; } function g(s) { return s.map(h) }'],
    ['header-spot.cjs', '"use strict"; // c\n\nconst a = require("a");\n\nfunction f() { for (;;) g() }\n'],
    ['empty.js', '// only a comment\n'],
    ['declare.ts', 'declare const a: number; export declare let b: 1; declare class C { m(): void } declare abstract class D {} declare enum E { A } declare namespace N { const c: 1 } function f(x = 1) { for (;;) g(x) }'],
    ['declare-fields.ts', 'class A { static declare x: 1; @dec() declare y; declare; readonly declare z; declare = 1; m() { for (;;) g() } }'],
    ['parameter-properties.ts', 'class D extends E { constructor(private x, public y = 1, readonly z?: number) { super(); for (;;) g(x, y, z) } }'],
    // Which TypeScript is a module by Babel's rule (the runtime is imported, not required).
    ...['export = x', 'import x = require("y")', 'export as namespace X', 'import type { A } from "a"', 'export import X = Y.Z', 'namespace N { export import X = Y.Z }', 'declare global { export const a: 1 }', 'namespace N { export type T = 1 }', 'export declare const a: 1', 'export interface I {}', 'declare module "m" { import x from "y" }', 'namespace N { import X = Y.Z }', 'const u = import.meta.url', 'await f()', 'export as namespace X; await f()', 'export {}'].map((s, i): [string, string] => [`module-${i}.ts`, `${s}\nfunction f() { for (;;) g() }`]),
  ];

  it('gives the same output (or the same error) as Babel on syntax whose ESTree and Babel shapes differ', () => {
    expect(differing(snippets.map(([file, code]) => ({ file, code })))).toEqual([]);
    expect(differing(snippets.map(([file, code]) => ({ file, code, options: { target: 'node', entryChecks: 'all' } })))).toEqual([]);
  });

  it("reports a syntax error with Babel's message at Babel's file:line:column while oxc parses the rest", () => {
    expect(parserInUse()).toBe('oxc');
    let error: (Error & { code?: string; line?: number; column?: number }) | undefined;
    try {
      instrument('function f() {\n  return 1 +;\n}', { filename: 'src/bad.ts' });
    } catch (e) {
      error = e as typeof error;
    }
    expect(error).toMatchObject({ code: 'ERR_TRAPDOOR_SYNTAX', line: 2, column: 12 });
    expect(error!.message).toMatch(/^src\/bad\.ts:2:13: Unexpected token/);
    expect(error!.message).toContain('> 2 |   return 1 +;');
  });

  it('instruments with Babel alone when oxc is not used, with the same result', () => {
    const { code } = read(path.join(ROOT, 'test/corpus/loops.cjs'));
    const withOxc = instrument(code, { filename: 'loops.cjs' });
    useParser('babel');
    expect(parserInUse()).toBe('babel');
    expect(instrument(code, { filename: 'loops.cjs' }).code).toBe(withOxc.code);
  });

  // Deno 2 has oxc's raw transfer (the AST decoded from one buffer; Node 20 gets JSON), so the
  // comparison runs there too, on the built package.
  it('on Deno: Babel without --allow-ffi (no prompt, no error); with -A oxc through raw transfer, and on Bun, the same output as Babel on the corpus and rxjs', () => {
    const dist = path.join(ROOT, 'packages/transform/dist');
    expect(existsSync(path.join(dist, 'parse-oxc.js')), 'npm run build first').toBe(true);
    const dir = mkdtempSync(path.join(os.tmpdir(), 'trapdoor-oxc-deno-'));
    try {
      const list = path.join(dir, 'files.json');
      writeFileSync(list, JSON.stringify([...filesUnder(path.join(ROOT, 'test/corpus')), ...filesUnder(path.join(ROOT, 'node_modules/rxjs/src'))]));
      const probe = path.join(dir, 'probe.mjs');
      writeFileSync(
        probe,
        `import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
const { instrument } = await import(${JSON.stringify(path.join(dist, 'index.js'))});
const { parserInUse, useParser } = await import(${JSON.stringify(path.join(dist, 'parse.js'))});
const raw = parserInUse() === 'oxc' && createRequire(${JSON.stringify(path.join(dist, 'parse.js'))})('oxc-parser').rawTransferSupported();
const files = JSON.parse(readFileSync(${JSON.stringify(list)}, 'utf8'));
const outcome = (code, filename) => { try { const r = instrument(code, { filename }); return JSON.stringify([r.code, r.insertMap, r.sites, r.moduleType]); } catch (e) { return 'error ' + e.message; } };
const differ = [];
for (const file of files) {
  const code = readFileSync(file, 'utf8');
  useParser('babel');
  const babel = outcome(code, file);
  useParser('auto');
  if (outcome(code, file) !== babel) differ.push(file);
}
console.log(JSON.stringify({ parser: parserInUse(), raw, files: files.length, differ }));
`,
      );
      const deno = path.join(ROOT, 'node_modules/.bin/deno');
      const run = (flags: string[]) => {
        // stdin closed: a permission prompt would fail the run rather than wait.
        const r = spawnSync(deno, ['run', '--no-config', '--node-modules-dir=manual', ...flags, probe], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
        expect(r.status, r.stderr).toBe(0);
        return JSON.parse(r.stdout) as { parser: string; raw: boolean; files: number; differ: string[] };
      };
      expect(run(['--allow-read', '--allow-env'])).toMatchObject({ parser: 'babel', differ: [] });
      const withAll = run(['-A']);
      expect(withAll.parser).toBe('oxc');
      expect(withAll.raw).toBe(true);
      expect(withAll.files).toBeGreaterThan(300);
      expect(withAll.differ).toEqual([]);
      // Bun: oxc through JSON (no raw transfer on Bun), the AST built by JavaScriptCore.
      const bun = spawnSync(path.join(ROOT, 'node_modules/.bin/bun'), [probe], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000 });
      expect(bun.status, bun.stderr).toBe(0);
      expect(JSON.parse(bun.stdout)).toMatchObject({ parser: 'oxc', raw: false, differ: [] });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 240_000);
});

// Kept out of the comparisons on purpose: the one known difference, in TypeScript only. Babel
// rejects `export { a }` of a name the file does not declare ("Export 'a' is not defined"); oxc
// accepts it in TypeScript (it may be a global or ambient declaration), as tsc and esbuild do.
it('known difference: a TypeScript file exporting an undeclared name is instrumented rather than rejected', () => {
  expect(() => instrument('export { a }', { filename: 'x.ts' })).not.toThrow();
  useParser('babel');
  expect(() => instrument('export { a }', { filename: 'x.ts' })).toThrow(/Export 'a' is not defined/);
});

// oxc-parser 0.158 has raw transfer (the AST decoded from one buffer, no JSON) on Node 22+ only;
// parse-oxc.ts's RawTransfer makes it work on Node 20 too (parse.ts, transferInUse). The
// comparisons above with Babel ran through it; here against the JSON handover it replaced (which
// instrumentAsync keeps on Node 20, from the same run), and where the buffer cannot be made.
describe('raw transfer', () => {
  afterEach(() => useTransfer('auto'));

  it('is what hands the AST over here (linux-x64, Node 20+), and gives what the JSON handover gives', async () => {
    expect(transferInUse()).toBe('raw');
    useTransfer('json');
    expect(transferInUse()).toBe(Number(process.versions.node.split('.')[0]) >= 22 ? 'raw' : 'json');
    const files = [...filesUnder(path.join(ROOT, 'node_modules/rxjs/src')), ...filesUnder(path.join(ROOT, 'test/corpus'))].map(read);
    // What the deserializer decodes apart: text past the first non-ASCII character, literals, JSX, the hashbang.
    files.push(
      { file: 'unicode.js', code: 'const s = "é𝒳"; function 𝒳é(a𝒳) { "𝒳"; while (a𝒳) { g(`${s}𝒳`) } }\u2028function h() { for(;;) g("ü") }' },
      { file: 'literals.mjs', code: '#!/usr/bin/env node\nconst r = /a[/]b/gu, b = 10n, n = null, t = true; export function f() { for (;;) g(r, b, n, t, 1e3, "x") }' },
      { file: 'jsx.tsx', code: 'const A = <T,>(p: T) => { while (p) g(); return <div title="ä">{p as any}</div> }' },
    );
    const outcomes = () => files.map(({ file, code }) => outcome(code, { filename: file }));
    const json = outcomes();
    useTransfer('auto');
    expect(transferInUse()).toBe('raw');
    const raw = outcomes();
    expect(files.filter((_, i) => raw[i] !== json[i]).map((f) => f.file)).toEqual([]);
    const both = await Promise.all(files.map(({ file, code }) => instrumentAsync(code, { filename: file }).then((r) => JSON.stringify([r.code, r.insertMap, code.length < 1e6 ? r.map : null, r.sites, r.moduleType, r.skipped]), (e: { code?: string; message?: string }) => `error ${e.code}: ${e.message}`)));
    expect(files.filter((_, i) => both[i] !== json[i]).map((f) => f.file)).toEqual([]);
  }, 120_000);

  it('falls back to the JSON handover where the 6 GiB of address space cannot be had, with the same output', () => {
    const dist = path.join(ROOT, 'packages/transform/dist');
    expect(existsSync(path.join(dist, 'parse-oxc.js')), 'npm run build first').toBe(true);
    const probe = `const { instrument, instrumentAsync } = await import(${JSON.stringify(path.join(dist, 'index.js'))});
const { transferInUse } = await import(${JSON.stringify(path.join(dist, 'parse.js'))});
const code = 'function f(x: number) { for (;;) g(x) }';
const sync = instrument(code, { filename: 'a.ts' }).code;
const async = (await instrumentAsync(code, { filename: 'a.ts' })).code;
console.log(JSON.stringify({ transfer: transferInUse(), sync, async }));`;
    const run = (limit: string) => {
      const r = spawnSync('sh', ['-c', `${limit}exec "$0" --input-type=module -e "$1"`, process.execPath, probe], { encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return JSON.parse(r.stdout) as { transfer: string; sync: string; async: string };
    };
    const unlimited = run('');
    expect(unlimited.transfer).toBe('raw');
    // 4 GB of address space: Node runs, the 6 GiB buffer is refused.
    const limited = run('ulimit -v 4000000; ');
    expect(limited).toEqual({ transfer: 'json', sync: unlimited.sync, async: unlimited.sync });
    expect(limited.sync).toContain('for (;;)');
  });
});
