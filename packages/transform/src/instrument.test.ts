import { describe, expect, it } from 'vitest';
import { createRequire } from 'node:module';
import vm from 'node:vm';
import MagicString from 'magic-string';
import { parse } from '@babel/parser';
import { TraceMap, generatedPositionFor, originalPositionFor } from '@jridgewell/trace-mapping';
import { instrument as instrumentDefault, sourceMapComment, TransformError, type InstrumentOptions } from './index.js';

// These tests are about where checks go and what they see, so every function keeps its entry
// check here; which entry checks the default leaves out is elision.test.ts's subject.
const instrument = (code: string, options: InstrumentOptions) => instrumentDefault(code, { entryChecks: 'all', ...options });

const require = createRequire(import.meta.url);
// The real runtime, built by `npm run build` (npm test builds first).
const runtime = require('@trapdoor-js/runtime') as typeof import('@trapdoor-js/runtime');

/** Runs instrumented CommonJS in a fresh context with the real runtime; returns what it exported. */
function run(code: string): Record<string, unknown> {
  const module = { exports: {} as Record<string, unknown> };
  vm.runInNewContext(code, { require: (id: string) => (id === '@trapdoor-js/runtime' ? runtime : require(id)), module, exports: module.exports });
  return module.exports;
}

/** Runs `code` with every check trapping into `handler`. */
function runTrapping(code: string, handler: Parameters<typeof runtime.setTrapHandler>[0]): Record<string, unknown> {
  const previous = runtime.setTrapHandler(handler);
  runtime.flags[0] = 1;
  try {
    return run(code);
  } finally {
    runtime.flags[0] = 0;
    runtime.setTrapHandler(previous);
  }
}

const cjs = (code: string, filename = 'file.cjs') => instrument(code, { filename });

describe('sites', () => {
  it('puts one site in every loop body and every function body', () => {
    const { sites } = cjs(`
      for (;;) break; for (const k in {}) ; for (const v of []) {} while (false) ; do ; while (false)
      async function af() { for await (const x of []) {} }
      function d() {} const e = function () {}; const a = () => 1; const b = async () => {};
      const o = { m() {}, get g() { return 1 }, set s(v) {}, *gen() {}, async *ag() {} };
      class C extends Object { constructor() { super() } static { } #p() {} static sm() {} }
    `);
    expect(sites.filter((s) => s.kind === 'loop')).toHaveLength(6);
    expect(sites.filter((s) => s.kind === 'function').map((s) => s.functionName)).toEqual([
      'af', 'd', 'e', 'a', 'b', 'm', 'get g', 'set s', 'gen', 'ag', 'C', '<static_initializer>', '#p', 'sm',
    ]);
  });

  it('reports original positions, 1-based lines and 0-based columns', () => {
    const { sites } = cjs('function f() {\n  while (x) {}\n}\n');
    expect(sites.map(({ kind, line, column }) => ({ kind, line, column }))).toEqual([
      { kind: 'function', line: 1, column: 0 },
      { kind: 'loop', line: 2, column: 2 },
    ]);
  });

  it('wraps unbraced and empty bodies so the result still parses and runs', () => {
    const src = 'let n = 0; for (let i = 0; i < 3; i++) n++\nwhile (n < 10) n += 2; for (;n < 12;) n++; for (;false;) ; do n++; while (n < 20)\nif (n) for (const x of [1]) n += x; else n = -1\nmodule.exports = n';
    const { code } = cjs(src);
    expect(() => parse(code, { sourceType: 'script' })).not.toThrow();
    expect(run(code)).toBe(eval(`(() => { let module = {}; ${src}; return module.exports })()`));
  });

  it('wraps expression-bodied arrows, including object literals and sequences', () => {
    const { code } = cjs('module.exports = [(x => ({ x }))(1), (y => (y, y + 1))(1), (() => z => z * 2)()(4)]');
    expect(run(code)).toEqual([{ x: 1 }, 2, 8]);
  });

  it('never inserts a newline, so line numbers hold without a map', () => {
    const src = 'function f(a) {\n  for (;;) {\n    return a\n  }\n}\nmodule.exports = f';
    const { code } = cjs(src);
    const lines = code.split('\n');
    expect(lines.slice(0, 6).map((l) => l.includes('return a'))).toEqual(src.split('\n').map((l) => l.includes('return a')));
  });
});

describe('a body that starts its own line', () => {
  it('gets its check at the end of the line before, so that its own line keeps its text', () => {
    const src = [
      '// line 1 holds no code: the bindings go there',
      'const parse = (text) =>',
      '  JSON.parse(text).n;',
      'let total = 0;',
      'for (const x of [1, 2]) // each',
      '  /* a',
      '  b */ total += parse(`{"n":${x}}`);',
      'do',
      '  total++;',
      'while (total < 5);',
      'const same = (x) => x + 1; for (const y of []) same(y);',
      'module.exports = same(total);',
    ].join('\n');
    const { code, sites } = cjs(src);
    const lines = code.split('\n');
    expect(lines[2]).toBe('  JSON.parse(text).n);'); // only the closer after the body
    expect(lines[1]).toMatch(/^const parse = \(text\) =>\(.*__td_T\(__td_M,0,text\).*,$/);
    expect(lines[4]).toMatch(/^for \(const x of \[1, 2\]\)\{if\(.* \/\/ each$/);
    expect(lines[5]).toBe('  /* a');
    expect(lines[6]).toBe('  b */ total += parse(`{"n":${x}}`);}');
    expect(lines[7]).toMatch(/^do\{if\(/);
    expect(lines[8]).toBe('  total++;}');
    // On the same line: in front of the body, as before.
    expect(lines[10]).toMatch(/^const same = \(x\) => \(.*x \+ 1\); for \(const y of \[\]\) \{if\(.*same\(y\);\}$/);
    expect(run(code)).toBe(6); // 1 + 2, then 4 and 5 in the do-while, then same(5)
    // The sites keep their original positions, and where they are in the output.
    expect(sites.map((s) => [s.line, s.column])).toEqual([[2, 14], [5, 0], [8, 0], [11, 13], [11, 27]]);
    for (const s of sites) expect(lines[s.generated.line - 1]!.slice(s.generated.column)).toMatch(s.kind === 'loop' ? /^(for|do)\b/ : /^\(/);
    // The map leads every token of the bodies' lines to itself.
    const trace = new TraceMap(instrument(src, { filename: 'file.cjs' }).map as never);
    for (const [line, column] of [[3, 2], [3, 12], [7, 7], [7, 13], [9, 2]] as const) {
      expect(originalPositionFor(trace, { line, column })).toMatchObject({ line, column });
    }
  });

  it('traps there with the locals the body sees', () => {
    const src = 'const seen = [];\nfor (let i = 0; i < 3; i++)\n  seen.push(i);\nmodule.exports = seen;\n';
    const result = runTrapping(cjs(src).code, (thunk, site, locals) => {
      const info = runtime.moduleOf(thunk).sites[site]!;
      return info.kind === 'loop' ? locals.map((v, i) => (info.locals[i] === 'i' ? (v as number) + 1 : v)) : undefined;
    });
    expect(result).toEqual([1, 3]); // i written back at each check: 0 → 1, 2 → 3
  });
});

describe('the program behaves as before', () => {
  it('keeps directives first', () => {
    const { code } = cjs('"use strict"\nfunction f() { "use strict"\n return this }\nfunction g() { return typeof this }\nmodule.exports = [f(), g(), (function () { "use client"; return 1 })()]');
    expect(code.startsWith('"use strict";')).toBe(true); // the header follows the directive, on its line
    expect(code.split('\n')[1]).toMatch(/^function f\(\) \{/);
    expect(run(code)).toEqual([undefined, 'undefined', 1]);
    const sloppy = cjs('function g() { return typeof this }\nmodule.exports = g()').code;
    expect(run(sloppy)).toBe('object');
  });

  it('keeps Function.prototype.length and name, and never mentions `arguments`', () => {
    const { code } = cjs('function f(a, b = 1, ...c) {} const g = (x, y) => x; module.exports = [f.length, f.name, g.length, g.name]');
    expect(run(code)).toEqual([1, 'f', 2, 'g']);
    expect(code).not.toContain('arguments');
  });

  it('keeps sloppy arguments aliasing', () => {
    const { code } = cjs('function f(a) { arguments[0] = 2; for (let i = 0; i < 1; i++) {} return a } module.exports = f(1)');
    expect(run(code)).toBe(2);
    expect(runTrapping(code, (_m, _s, locals) => locals.slice())).toBe(2);
  });

  it('runs derived constructors that loop before super()', () => {
    const src = 'class B { constructor(n) { this.n = n } } class D extends B { constructor() { let n = 0; while (n < 3) n++; const f = () => n; super(f()) } } module.exports = new D().n';
    const { code } = cjs(src);
    expect(run(code)).toBe(3);
    expect(runTrapping(code, () => undefined)).toBe(3);
  });
});

describe('locals', () => {
  const localsOf = (src: string) => cjs(src).sites.map((s) => s.locals.join(','));

  it('captures parameters, vars and earlier lets, not later or outer lets', () => {
    expect(localsOf('let top = 1; function f(a, { b }, ...c) { let early = 1; while (a) { let inner = 1 } let late = 2; var v }')).toEqual([
      'a,b,c,v',
      'a,b,c,early,v',
    ]);
  });

  it('leaves out a name whose inner declaration is still in its temporal dead zone', () => {
    expect(localsOf('function f() { let x = 1; { while (0) {} let x = 2 } }')).toEqual(['', '']);
  });

  it('sees a switch case\'s lets only inside that case', () => {
    expect(localsOf('function f(k) { switch (k) { case 1: let a = 1; while (0) {} case 2: while (0) {} } }')).toEqual(['k', 'k,a', 'k']);
  });

  it('puts no check inside `with`, where every name is first looked up on the object', () => {
    expect(localsOf('function f(a) { with (a) { while (0) {} const g = () => {} } }')).toEqual(['a']);
  });

  it('writes back only let, var, parameters and catch parameters', () => {
    const { sites } = cjs('function f(p) { var v; let l; const c = 1; class K {} try {} catch (e) { while (0) {} } }');
    const loop = sites.find((s) => s.kind === 'loop')!;
    expect(Object.fromEntries(loop.locals.map((n, i) => [n, loop.writable[i]]))).toEqual({ p: true, v: true, l: true, c: false, K: false, e: true });
  });

  it('passes values to the trap and assigns the returned values back', () => {
    const src = 'let seen = []; function f(n) { let total = 0; for (let i = 0; i < n; i++) { total += i } return total } module.exports = f(3)';
    const result = runTrapping(cjs(src).code, (thunk, site, locals) => {
      const info = runtime.moduleOf(thunk).sites[site]!;
      if (info.kind === 'function') return [10]; // n = 10
      return undefined;
    });
    expect(result).toBe(45);
  });

  it("names what the trap returns with one letter, or the prefixed name where the check passes a local of that name", () => {
    const src = 'function f(n) { return n } function g(w) { return w } module.exports = [f(1), g(1)]';
    const { code } = cjs(src);
    expect(code).toContain('{const w=__td_T(__td_M,0,n);if(w)if(w.length)n=w[0];else throw w;}');
    // `const w` would shadow the parameter it passes (a TDZ error) and the one it assigns back.
    expect(code).toContain('{const __td_w=__td_T(__td_M,1,w);if(__td_w)if(__td_w.length)w=__td_w[0];else throw __td_w;}');
    expect(runTrapping(code, () => [5])).toEqual([5, 5]);
  });
});

describe('where the runtime bindings go', () => {
  const headerLine = (src: string, filename = 'a.cjs') => instrument(src, { filename }).code.split('\n').findIndex((l) => l.includes('register: __td_R') || l.includes('register as __td_R'));

  it('on a line without code before the first statement, else after the last line', () => {
    expect(headerLine('"use strict";\nwhile (0) {}')).toBe(0);
    expect(headerLine('"use strict"; go()\nwhile (0) {}')).toBe(-1); // code follows the directive on its line
    // Line 1 holds a check already: its excerpt shows inserted text anyway, so the bindings go at the
    // top as constants (one shape of F for the engine), not after the last line.
    expect(headerLine('"use strict"; while (0) {}')).toBe(0);
    expect(headerLine('(function (g, f) { f(g) })(this, function () { while (0) {} })')).toBe(0);
    expect(headerLine('"use strict" // why\nwhile (0) {}')).toBe(0);
    expect(headerLine('// license\n\nwhile (0) {}')).toBe(0);
    expect(headerLine('#!/usr/bin/env node\n\nwhile (0) {}')).toBe(1); // never on the hashbang's line
    expect(headerLine('#!/usr/bin/env node\nwhile (0) {}')).toBe(-1);
    expect(headerLine('/* a\n * b\n */\nwhile (0) {}')).toBe(0);
    expect(headerLine('x = 1; /* a\n b */\nwhile (0) {}')).toBe(-1);
    expect(headerLine('import x from "y";\nwhile (0) {}', 'a.mjs')).toBe(-1);
    // Between statements that cannot reach a check: they run first, then the header, then the rest.
    expect(headerLine('const a = require("a");\nconst b = 1;\n\nfunction f() {}')).toBe(2);
    expect(headerLine('import x from "y";\n// z\nfunction f() {}', 'a.mjs')).toBe(1);
    expect(headerLine('const a = f();\n\nfunction f() {}')).toBe(-1); // calls a hoisted function
    expect(headerLine('const a = 1;\nconst g = () => 1; g();\n\nfunction f() {}')).toBe(-1); // a site before the line
    expect(headerLine('eval("f()");\n\nfunction f() {}')).toBe(-1);
    expect(headerLine('const s = `a\n\nb`;\nfunction f() {}')).toBe(-1); // a blank line inside a template is code
    expect(run(cjs('const a = [1];\n\nfunction f(x) { return x + 1 }\nmodule.exports = f(a[0])').code)).toBe(2);
    const bom = instrument('\uFEFF\nwhile (0) {}\nmodule.exports = 1', { filename: 'a.cjs' }).code;
    expect(bom.charCodeAt(0)).toBe(0xfeff);
    expect(run(bom)).toBe(1);
  });
});

describe('the runtime bindings, after the last line', () => {
  it('always, for CommonJS, with commonJsBindings: end (Bun shows compiled lines around an error)', () => {
    const src = '"use strict";\nfunction f(x) { return x + 1 }\nmodule.exports = f(1)';
    const { code } = instrument(src, { filename: 'a.cjs', commonJsBindings: 'end' });
    expect(code.split('\n')[0]).toBe('"use strict";');
    expect(code.split('\n')[3]).toMatch(/^;function __td_M\(\).*require\("@trapdoor-js\/runtime"\)/);
    expect(run(code)).toBe(2);
    expect(instrument('// c\nwhile (0) {}', { filename: 'a.mjs', commonJsBindings: 'end' }).code).toMatch(/^import /); // ES modules as before
    expect(() => instrument('while (0) {}', { filename: 'a.cjs', commonJsBindings: 'top' as 'end' })).toThrow(/unknown commonJsBindings "top"/);
  });

  it('leaves line 1 as it was: an error there shows the plain line and columns', () => {
    for (const filename of ['a.cjs', 'a.mjs', 'a.ts']) {
      const src = 'throw new Error("line one")\nfunction f(x) { return x }\n';
      const { code } = instrument(src, { filename });
      expect(code.split('\n')[0]).toBe('throw new Error("line one")');
      expect(code.split('\n').slice(3, -1)).toEqual([expect.stringMatching(/^;function __td_M\(\)/)]); // after the file's own lines
    }
  });

  it('for an ES module even when line 1 holds a check: line 1 shows only the check', () => {
    for (const src of ['function f(a) { return a.b }\nf({})\n', '(function (g, f) { f(g) })(this, function () { while (0) {} })']) {
      const { code } = instrument(src, { filename: 'a.mjs' });
      const first = code.split('\n')[0]!;
      expect(first.startsWith(src.slice(0, src.indexOf('{') + 1))).toBe(true);
      expect(first).not.toContain('import');
      expect(code).toMatch(/\n;function __td_M\(\).*import \{ flags as __td_F, trap as __td_T, register as __td_r \} from "@trapdoor-js\/runtime";.*__td_r\(__td_M, import\.meta\.url\);\n$/);
    }
  });

  it('binds the runtime at the first check, even one that runs before the end of the file', () => {
    // f runs from line 1, before the footer: its check takes the stand-ins, which bind the runtime,
    // register the module and trap as the check would have.
    const src = 'module.exports = f(3)\nfunction f(n) { let t = 0; for (let i = 0; i < n; i++) t += i; return t }\n';
    const seen: string[] = [];
    const result = runTrapping(cjs(src).code, (thunk, site, locals) => {
      const info = runtime.moduleOf(thunk).sites[site]!;
      seen.push(`${info.kind}:${locals[0]}`);
      return info.kind === 'function' ? [5, ...locals.slice(1)] : undefined; // n = 5
    });
    expect(result).toBe(10);
    expect(seen[0]).toBe('function:3');
    expect(seen.filter((s) => s.startsWith('loop'))).toHaveLength(5);
  });

  it('registers a module whose checks never ran once its body has run', () => {
    const before = runtime.allModules().length;
    run(cjs('function never() {}\nmodule.exports = 1\n', '/abs/never-called.cjs').code);
    const added = runtime.allModules().slice(before);
    expect(added.map((m) => m.file)).toEqual(['/abs/never-called.cjs']);
  });

  it('takes the runtime from require.cache when a loader put it there, without require()', () => {
    const code = cjs('while (0) {}\nmodule.exports = 1\n').code;
    const calls: string[] = [];
    const fakeRequire = Object.assign((id: string) => (calls.push(id), runtime), { cache: { '@trapdoor-js/runtime': { exports: runtime } } });
    const module = { exports: {} };
    vm.runInNewContext(code, { require: fakeRequire, module, exports: module.exports });
    expect(module.exports).toBe(1);
    expect(calls).toEqual([]);
  });
});

describe('module systems', () => {
  it('imports the runtime as the file expects', () => {
    // Line 1 holds code: the bindings follow the last line.
    expect(instrument('go()\nwhile (0) {}', { filename: 'a.mjs' }).code).toMatch(/\n;function __td_M\(\).*import \{ flags as __td_F, trap as __td_T, register as __td_r \} from "@trapdoor-js\/runtime";.*__td_r\(__td_M, import\.meta\.url\);\n$/);
    expect(instrument('go()\nwhile (0) {}', { filename: 'a.cjs' }).code).toMatch(/\n;function __td_M\(\).*require\("@trapdoor-js\/runtime"\).*r\.register\(__td_M, typeof __filename/);
    // A check on line 1 itself: an ES module's import still follows the last line (line 1 shows only the check).
    expect(instrument('while (0) {}', { filename: 'a.mjs' }).code).toMatch(/^while \(0\) \{if\(.*\n;function __td_M\(\).*import \{ flags as __td_F, trap as __td_T, register as __td_r \} from "@trapdoor-js\/runtime";/);
    // A line without code: the header goes there, before the module's body.
    expect(instrument('// a comment\nwhile (0) {}', { filename: 'a.mjs' }).code).toMatch(/^import \{ flags as __td_F, trap as __td_T, register as __td_R \} from "@trapdoor-js\/runtime";__td_R\(__td_M, import\.meta\.url\);\/\/ a comment\n/);
    // `var W` only where an expression check assigns locals back through it.
    const arrow = instrument('// a comment\nlet f = (n) => g(n);', { filename: 'a.mjs' }).code;
    expect(arrow).toMatch(/^import .*__td_R\(__td_M, import\.meta\.url\);var __td_W;\/\/ a comment\n/);
    expect(arrow).toContain('(__td_W=__td_T(__td_M,0,n))&&({0:n}=__td_W)');
    expect(instrument('go()\nlet f = (n) => g(n);', { filename: 'a.cjs' }).code).toMatch(/var __td_W;__td_R\(\);\n$/);
    expect(instrument('go()\nwhile (0) {}', { filename: 'a.cjs' }).code).not.toContain('__td_W');
    expect(instrument('"use strict";\nwhile (0) {}', { filename: 'a.cjs' }).code).toMatch(/^"use strict";var \{ flags: __td_F, trap: __td_T, register: __td_R \} = \(.*require\("@trapdoor-js\/runtime"\)\);__td_R\(/);
    expect(instrument('export const x = 1; while (0) {}', { filename: 'a.js' }).moduleType).toBe('esm');
    expect(instrument('while (0) {}', { filename: 'a.js' }).moduleType).toBe('cjs');
    expect(instrument('while (0) {}', { filename: 'a.js', runtime: 'npm:@trapdoor-js/runtime', moduleType: 'esm' }).code).toContain('from "npm:@trapdoor-js/runtime"');
  });

  it('parses import/export in a file whose runtime import is CommonJS (TypeScript compiled to CommonJS)', () => {
    const { code } = instrument('import { x } from "./x";\nexport function f() { return x }\n', { filename: 'a.ts', moduleType: 'cjs' });
    expect(code).toContain('require("@trapdoor-js/runtime")');
    expect(code).not.toContain('import.meta');
  });

  it('allows top-level return in CommonJS and top-level await in ESM', () => {
    expect(() => instrument('if (x) return; while (0) {}', { filename: 'a.cjs' })).not.toThrow();
    expect(() => instrument('await x; while (0) {}', { filename: 'a.mjs' })).not.toThrow();
  });

  it('picks identifiers that do not clash with the file\'s own', () => {
    const { code } = cjs('const __td_F = 1; while (0) {} module.exports = __td_F');
    expect(code).toContain('__td1_F[0]');
    expect(run(code)).toBe(1);
  });
});

describe('TypeScript, JSX and Flow stay as they were', () => {
  it('inserts into TypeScript without touching types, and skips type-only code', () => {
    const src = 'declare function d(x: number): void;\ninterface I { m(): void }\nenum E { A }\nabstract class K { abstract m(): void; constructor(private p: string) {} f(this: K, x: number): number { for (const y of [x]) {} return x } }\nexport const id = <T,>(x: T): T => x;\n';
    const { code, sites } = instrument(src, { filename: 'a.ts' });
    expect(sites.map((s) => `${s.kind} ${s.functionName} ${s.locals.join(',')}`)).toEqual(['function K p', 'function f x', 'loop f x,y', 'function id x']);
    expect(code).toContain('(this: K, x: number): number');
    expect(() => parse(code, { sourceType: 'module', plugins: ['typescript'] })).not.toThrow();
  });

  it('parses JSX in .jsx and .tsx, and Flow behind @flow', () => {
    expect(instrument('const A = () => <div>{[1].map(x => <b>{x}</b>)}</div>', { filename: 'a.jsx' }).sites).toHaveLength(2);
    expect(instrument('const A = (p: { n: number }) => <div>{p.n}</div>', { filename: 'a.tsx' }).sites).toHaveLength(1);
    expect(instrument('// @flow\nfunction f(x: number): string { return String(x) }', { filename: 'a.js' }).code).toContain('(x: number): string');
  });
});

describe('opt-outs and idempotence', () => {
  it('returns instrumented code unchanged', () => {
    const once = cjs('function f() { while (0) {} }');
    const twice = cjs(once.code);
    expect(twice.code).toBe(once.code);
    expect(twice.skipped).toBe('instrumented');
  });

  it('honours trapdoor-ignore-file and trapdoor-ignore-next', () => {
    expect(cjs('/* trapdoor-ignore-file */ while (0) {}')).toMatchObject({ code: '/* trapdoor-ignore-file */ while (0) {}', skipped: 'ignore-file', sites: [] });
    const { sites } = cjs('// trapdoor-ignore-next\nfunction hot() { while (0) {} }\nfunction cold() {}');
    expect(sites.map((s) => s.functionName)).toEqual(['cold']);
  });

  it('returns a file with nothing to instrument unchanged', () => {
    expect(cjs('module.exports = 1').code).toBe('module.exports = 1');
  });
});

describe('errors', () => {
  it('names file, line and column of a syntax error, with a code frame', () => {
    let error: TransformError | undefined;
    try {
      cjs('function f() {\n  return 1 +;\n}', 'src/bad.js');
    } catch (e) {
      error = e as TransformError;
    }
    expect(error).toBeInstanceOf(TransformError);
    expect(error).toMatchObject({ code: 'ERR_TRAPDOOR_SYNTAX', file: 'src/bad.js', line: 2, column: 12 });
    expect(error!.message).toMatch(/^src\/bad\.js:2:13: Unexpected token/);
    expect(error!.message).toContain('> 2 |   return 1 +;');
  });

  it('rejects bad options by name', () => {
    expect(() => instrument('', { filename: '' })).toThrow(expect.objectContaining({ code: 'ERR_TRAPDOOR_OPTION', option: 'filename' }));
    expect(() => instrument('', { filename: 'a.js', mode: 'debug' })).toThrow(expect.objectContaining({ option: 'mode' }));
    expect(() => instrument('', { filename: 'a.js', moduleType: 'amd' as never })).toThrow(expect.objectContaining({ option: 'moduleType' }));
  });

  it('rejects a broken input map', () => {
    expect(() => instrument('while (0) {}', { filename: 'a.js', inputSourceMap: '{"version": 2}' })).toThrow(expect.objectContaining({ code: 'ERR_TRAPDOOR_SOURCE_MAP' }));
  });
});

describe('source maps', () => {
  it('returns the input map when nothing is inserted', () => {
    const inputSourceMap = { version: 3, sources: ['../src/a.ts'], names: [], mappings: 'AAAA' };
    expect(instrument('const x = 1;\n', { filename: '/x/dist/a.js', inputSourceMap }).map.sources).toEqual(['../src/a.ts']);
  });

  it('resolves the input map\'s relative sources, and keeps its sourcesContent out of the code', () => {
    const inputSourceMap = { version: 3, sources: ['../src/a.ts'], sourcesContent: ['SECRET_ORIGINAL_TEXT'], names: [], mappings: 'AAAA;AACA' };
    const { code, sites } = instrument('let n = 0;\nwhile (n < 1) n++;\n', { filename: '/x/dist/a.js', inputSourceMap });
    expect(sites[0]!.source).toBe('/x/src/a.ts');
    expect(code).not.toContain('SECRET_ORIGINAL_TEXT');
    expect(code).toContain('"/x/src/a.ts"');
  });

  it('maps every original character to the same character in the output, and back', () => {
    const src = 'function f(a) { for (;;) a++ }\nconst g = x => x\n\n  while (0) {}';
    const { code, map } = cjs(src, 'm.js');
    const trace = new TraceMap(map as never);
    const generated = code.split('\n');
    src.split('\n').forEach((line, l) => {
      for (let c = 0; c < line.length; c++) {
        const g = generatedPositionFor(trace, { source: 'm.js', line: l + 1, column: c });
        expect(generated[g.line! - 1]![g.column!]).toBe(line[c]);
        expect(originalPositionFor(trace, { line: g.line!, column: g.column! })).toMatchObject({ line: l + 1, column: c });
      }
    });
  });

  it('chains an inline input map: sites and the map point at the original of that map', () => {
    const original = 'const a = 1;\nfunction f(x) {\n  while (x) x--;\n}\n';
    const s = new MagicString(original);
    s.prepend('// generated banner\n// second line\n');
    const compiled = s.toString() + sourceMapComment(s.generateMap({ source: 'orig.js', hires: true, includeContent: true }) as never);
    const { sites, map, code } = cjs(compiled, 'compiled.js');
    expect(code).not.toContain('sourceMappingURL');
    expect(sites.map(({ line, column, source }) => ({ line, column, source }))).toEqual([
      { line: 2, column: 0, source: 'orig.js' },
      { line: 3, column: 2, source: 'orig.js' },
    ]);
    const trace = new TraceMap(map as never);
    for (const site of sites) {
      expect(originalPositionFor(trace, site.generated)).toMatchObject({ source: 'orig.js', line: site.line, column: site.column });
    }
  });
});

describe('`this`, extents and side-effect-free functions, for the debugger', () => {
  const thisOf = (src: string) => cjs(src).sites.map((s) => `${s.kind} ${s.functionName} ${s.capturesThis}`);

  it('passes `this` in functions, methods, static blocks and at top level; never in arrows or namespaces (the V8 form)', () => {
    const v8 = (src: string) => instrument(src, { filename: 'file.cjs', target: 'node' }).sites.map((s) => `${s.kind} ${s.functionName} ${s.capturesThis}`);
    expect(v8('while (0) {} function f() {} const o = { m() { while (0) {} }, get g() { return 1 } }; const a = () => { while (0) {} }; class K { static { } }')).toEqual([
      'loop  true', 'function f true', 'function m true', 'loop m true', 'function get g true', 'function a false', 'loop a false', 'function <static_initializer> true',
    ]);
    expect(instrument('namespace N { while (0) {} export function f() {} }', { filename: 'a.ts', target: 'node' }).sites.map((s) => s.capturesThis)).toEqual([false, true]);
  });

  it("the universal form (bun, any) passes `this` only where the function's own code reads it: this, super, an arrow's this, a direct eval", () => {
    const src = [
      'while (0) {}',
      'function free(a) { while (a) a--; }',
      'function method() { while (0) {} return this.x; }',
      'function viaArrow(a) { return g(() => this.k + a); }',
      'function outer(a) { function inner() { return this } return g(inner); }',
      'function evals(s) { return eval(s); }',
      'const o = { m() { return super.toString(); }, n(x) { return g(x); }, get v() { return this.w } };',
      'class K { constructor(a) { g(a) } static { g(1) } }',
      'function g(x) { return x }',
    ].join('\n');
    // (A direct eval may call anything: every function keeps its entry check, inner and g too.)
    const expected = [
      'loop  true', 'function free false', 'loop free false', 'function method true', 'loop method true', 'function viaArrow true', 'function  false', 'function outer false',
      'function inner true', 'function evals true', 'function m true', 'function n false', 'function get v true', 'function K true', 'function <static_initializer> true', 'function g false',
    ];
    for (const target of ['bun', 'any'] as const) {
      const r = instrument(src, { filename: 'file.cjs', target });
      expect(r.sites.map((s) => `${s.kind} ${s.functionName} ${s.capturesThis}`)).toEqual(expected);
    }
    // The V8 form passes it wherever it may: the same functions, all true but the arrow's.
    expect(instrument(src, { filename: 'file.cjs', target: 'node' }).sites.filter((s) => !s.capturesThis).map((s) => s.functionName)).toEqual(['']);
    // The table's flag (1) and the check's last argument agree with `capturesThis`.
    const { code, sites } = instrument(src, { filename: 'file.cjs', target: 'bun' });
    const checks = [...code.matchAll(/__td_T\(__td_M,(\d+)((?:,[\w$]+)*)\)/g)];
    expect(checks.length).toBe(sites.length);
    for (const [, id, args] of checks) expect(args.endsWith(',this'), `site ${id}`).toBe(sites[Number(id)]!.capturesThis);
  });

  it('in a derived constructor, passes `this` only after a super() statement of its own body', () => {
    const src = 'class B { constructor() { this.seen = [] } } class D extends B { constructor(n) { while (n > 5) n--; super(); for (let i = 0; i < n; i++) { this.seen.push(i) } } } module.exports = new D(7).seen';
    expect(thisOf(src)).toEqual(['function B true', 'function D false', 'loop D false', 'loop D true']);
    // Every check trapping: reading `this` where it was passed never throws, and the program is unchanged.
    const receivers: unknown[] = [];
    const result = runTrapping(cjs(src).code, (thunk, site, locals) => {
      const info = runtime.moduleOf(thunk).sites[site]!;
      if (locals.length > info.locals.length) receivers.push(locals[locals.length - 1]);
      return undefined;
    });
    expect(result).toEqual([0, 1, 2, 3, 4]);
    expect(receivers.length).toBeGreaterThan(5);
    expect(receivers.every((r) => typeof r === 'object' && r !== null)).toBe(true);
  });

  it('records where each loop and function ends', () => {
    const { sites } = cjs('function f(a) {\n  while (a) {\n    a--;\n  }\n  return a;\n}\n');
    expect(sites.map((s) => [s.kind, s.line, s.column, s.end.line, s.end.column])).toEqual([
      ['function', 1, 0, 6, 1],
      ['loop', 2, 2, 4, 3],
    ]);
  });

  it('marks functions whose own code has no effect outside their locals', () => {
    const pure = (src: string) => Object.fromEntries(cjs(src).sites.filter((s) => s.kind === 'function').map((s) => [s.functionName, s.sideEffectFree]));
    expect(pure(`
      class Money {
        toString() { const d = (this.cents / 100).toFixed(2); let s = '$' + d; s += ''; return s.padStart(2) }
        total() { let t = 0; for (const x of this.items) t += x; return Math.max(t, 0) }
        bump() { this.cents++ }
        log() { console.log(this.cents) }
        push(x) { this.items.push(x) }
        make() { return new Date() }
        del() { delete this.cents }
        async a() { return 1 }
        *g() {}
      }
      function outer() { x = 1 }
      function later() { y = 1; var y }
      function calls() { return helper() }
      function helper() { return String(1) }
    `)).toEqual({
      toString: true, total: true, bump: false, log: false, push: false, make: false, del: false, a: false, g: false,
      outer: false, later: false, calls: false, helper: true,
    });
  });
});

describe('insertMap', () => {
  it('maps the instrumented code to the code as given, where map chains through the input map', () => {
    const given = 'function f(a) {\n  return a;\n}\n';
    // An input map that moves everything one line down (as if a compiler had removed a first line).
    const inputSourceMap = { version: 3, sources: ['/src/orig.ts'], names: [], mappings: 'AACA;AACA;AACA', sourcesContent: ['x\nfunction f(a) {\n  return a;\n}\n'] };
    const result = instrument(given, { filename: '/src/compiled.js', inputSourceMap, moduleType: 'esm' });
    expect(result.sites[0]).toMatchObject({ line: 2, source: '/src/orig.ts' });
    expect(result.map.sources).toEqual(['/src/orig.ts']);
    expect(result.insertMap.sources).toEqual(['/src/compiled.js']);
    const unchanged = instrument('const x = 1;\n', { filename: '/src/plain.js' });
    expect(unchanged.insertMap.sources).toEqual(['/src/plain.js']);
  });
});

describe('language', () => {
  it("'js' parses TypeScript already compiled to JavaScript as JavaScript, and inserts no TypeScript syntax", () => {
    // `a < b > (c)` is a comparison in JavaScript but a generic call in TypeScript.
    const compiled = 'export function f(a, b, c) { return a < b > (c); }\n';
    const result = instrument(compiled, { filename: '/src/app.ts', language: 'js' });
    expect(result.code).not.toMatch(/: any/);
    expect(result.sites).toHaveLength(1);
    const asTs = instrument(compiled, { filename: '/src/app.ts' });
    expect(asTs.code).toMatch(/: any/);
  });
  it("'ts' parses TypeScript under a .js name", () => {
    expect(instrument('export const f = (x: number): number => x;\n', { filename: '/src/a.js', language: 'ts' }).sites).toHaveLength(1);
    expect(() => instrument('export const f = (x: number): number => x;\n', { filename: '/src/a.js' })).toThrow(/a\.js:1/);
  });
  it('rejects an unknown language by name', () => {
    expect(() => instrument('', { filename: 'a.js', language: 'coffee' as never })).toThrow(expect.objectContaining({ code: 'ERR_TRAPDOOR_OPTION', option: 'language' }));
  });
});
