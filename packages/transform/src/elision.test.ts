// Which function entries keep their check (sites.ts, `entryNeeded`), and the proof that leaving
// the others out keeps every unbounded execution trappable: each program below runs without end
// (or recurses until the stack overflows) through one way of running code, and must pass checks
// again and again while it does. The trap here counts checks and throws once it has seen many:
// an execution that passes no check inside its cycle ends in a RangeError (stack overflow) or the
// vm timeout instead, and the test fails.
import { describe, expect, it } from 'vitest';
import vm from 'node:vm';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { instrument, TransformError, type InstrumentOptions } from './index.js';

const FILE = '/proof/program.cjs';

class Trapped extends Error {}

/** Instruments `source` (CommonJS), runs it in a fresh context with a runtime stand-in, then calls `exports.spin()` with the request flag set. */
function spin(source: string, options: Partial<InstrumentOptions> = {}): { error: unknown; checks: number; functions: Set<string> } {
  const result = instrument(source, { filename: FILE, moduleType: 'cjs', runtime: 'rt', ...options });
  const flags = new Int32Array(new SharedArrayBuffer(64));
  let checks = 0;
  const functions = new Set<string>();
  const runtime = {
    flags,
    register() {},
    trap(_module: unknown, site: number) {
      checks++;
      functions.add(result.sites[site]!.functionName);
      if (checks >= 2000) throw new Trapped();
      return undefined;
    },
  };
  const require = Object.assign((spec: string) => {
    if (spec === 'rt') return runtime;
    throw new Error(`unexpected require(${spec})`);
  }, { cache: {} });
  const module = { exports: {} as { spin?: () => unknown } };
  const context = vm.createContext({ require, module, exports: module.exports, __filename: FILE });
  vm.runInContext(`(function (exports, require, module, __filename) {${result.code}\n})(exports, require, module, __filename)`, context, { timeout: 10_000 });
  flags[0] = 1; // a request is pending: every check from here on comes to the trap
  let error: unknown;
  try {
    context.spin = module.exports.spin;
    vm.runInContext('spin()', context, { timeout: 10_000 });
  } catch (e) {
    error = e;
  }
  return { error, checks, functions };
}

/** The names of the functions whose entries have a check. */
function entries(source: string, options: Partial<InstrumentOptions> = {}): string[] {
  return instrument(source, { filename: FILE, moduleType: 'cjs', ...options })
    .sites.filter((s) => s.kind === 'function')
    .map((s) => s.functionName);
}

describe('entry checks: which functions keep theirs', () => {
  it('a function without loops that runs none of the program code has none; one with a loop or a call keeps it', () => {
    const source = [
      'function leaf(a, b) { return a + b; }',
      'function ctor(x) { this.x = x; }',
      'function looping(n) { let s = 0; for (let i = 0; i < n; i++) s += helper(i); return s; }',
      'function helper(i) { return i * 2; }',
      'function caller() { return helper(1); }',
      'function creates() { return new Map(); }',
      'function spreads(a) { return [...a]; }',
      'function destructures(a) { const [x] = a; return x; }',
      'function tests(o) { return "k" in o || o instanceof Object; }',
      'function deletes(o) { delete o.k; }',
      'function tags() { return String.raw`x`; }',
      'function defines() { return class {}; }',
      'async function waits() { return 1; }',
      'function* yields() { yield 1; }',
      'exports.e = { leaf, ctor, looping, helper, caller, creates, spreads, destructures, tests, deletes, tags, defines, waits, yields };',
    ].join('\n');
    expect(entries(source)).toEqual(['looping', 'caller', 'creates', 'spreads', 'destructures', 'tests', 'deletes', 'tags', 'defines', 'waits', 'yields']);
    // The loop keeps its own check.
    expect(instrument(source, { filename: FILE, moduleType: 'cjs' }).sites.filter((s) => s.kind === 'loop').map((s) => s.functionName)).toEqual(['looping']);
    // entryChecks: 'all' keeps every one.
    expect(entries(source, { entryChecks: 'all' })).toHaveLength(14);
  });

  it('the module table lists every function left without an entry check in `bare` ([line, column, endLine, endColumn, name, source]), apart from `sites`', () => {
    const source = [
      'function main() {', //                               1
      '  function tick(s) { return s + 1; }', //            2
      '  const twice = (x) =>', //                          3
      '    x * 2;', //                                      4
      '  for (;;) { tick(1); }', //                         5
      '}', //                                               6
      'exports.main = main;', //                            7
    ].join('\n');
    const tableOf = (options: Partial<InstrumentOptions> = {}) => {
      const { code } = instrument(source, { filename: FILE, moduleType: 'cjs', ...options });
      const literal = /\/\*trapdoor:2\*\/('(?:[^'\\\n]|\\.)*')\}/.exec(code)![1]!;
      return JSON.parse(new Function(`return ${literal}`)() as string) as { sites: unknown[][]; bare?: unknown[][] };
    };
    const table = tableOf();
    expect(table.bare).toEqual([
      [2, 2, 2, 36, 'tick', 0],
      [3, 16, 4, 9, 'twice', 0],
    ]);
    // `sites` holds only the checks, indexed by the id each check passes.
    expect(table.sites.map((row) => [row[0], row[1], row[3]])).toEqual([[1, 1, 'main'], [0, 5, 'main']]);
    // With every entry check kept, nothing is bare and the field is left out (tables read as before).
    expect(tableOf({ entryChecks: 'all' }).bare).toBeUndefined();
  });


  it('getters, setters, computed names, implicitly called names and callbacks passed to a call keep theirs, even without calls', () => {
    const source = [
      'const o = { get a() { return 1; }, set a(v) { this.v = v; }, [Symbol.toPrimitive]() { return 1; }, valueOf() { return 1; }, toString() { return ""; },',
      '  next() { return this.r; }, then(r) { this.r = r; }, get: function (t, k) { return t[k]; }, slice() { return this.v; }, plain() { return 1; } };',
      'class C { get b() { return 2; } static set c(v) { this.v = v; } ["d"]() { return 3; } e() { return 4; } }',
      'o.toJSON = function () { return 1; };',
      'o[Symbol.iterator] = function () { return this; };',
      'exports.sorted = [2, 1].sort((x, y) => x - y);',
      'exports.mapped = [1].map(function (x) { return x; });',
      'exports.o = o; exports.C = C;',
    ].join('\n');
    expect(entries(source)).toEqual(['get a', 'set a', '', 'valueOf', 'toString', 'next', 'then', 'get', 'slice', 'get b', 'set c', '', 'toJSON', '', '', '']);
  });

  it('a side-effect-free function that maps with a function passed by name is no longer marked side-effect free (that function may have no entry check to refuse it)', () => {
    const result = instrument('function inc(x) { total += x; return x; }\nvar total = 0;\nfunction viaName(a) { for (const x of a) {} return a.map(inc); }\nfunction viaLiteral(a) { for (const x of a) {} return a.map((x) => x + 1); }\nexports.f = [viaName, viaLiteral];', { filename: FILE, moduleType: 'cjs' });
    const bySite = Object.fromEntries(result.sites.filter((s) => s.kind === 'function').map((s) => [s.functionName, s.sideEffectFree]));
    expect(bySite).toMatchObject({ viaName: false, viaLiteral: true });
  });

  it('rejects an unknown entryChecks or target', () => {
    expect(() => instrument('f();', { filename: FILE, entryChecks: 'some' as never })).toThrow(TransformError);
    expect(() => instrument('f();', { filename: FILE, target: 'browser' as never })).toThrow(/unknown target "browser"; expected 'any', 'node', 'deno', 'bun'/);
  });
});

describe('entry checks: every unbounded execution still passes checks', () => {
  const cases: Array<[string, string, string]> = [
    ['a getter that reads itself', 'const o = { get a() { return this.a; } };\nexports.spin = () => o.a;', 'get a'],
    ['a class getter', 'class C { get a() { return this.a; } }\nconst c = new C();\nexports.spin = () => c.a;', 'get a'],
    ['a setter that writes itself', 'const o = { set a(v) { this.a = v; } };\nexports.spin = () => { o.a = 1; };', 'set a'],
    ['valueOf through a conversion', 'const o = { valueOf() { return +this; } };\nexports.spin = () => +o;', 'valueOf'],
    ['toString through a template literal', 'const o = { toString() { return `${this}`; } };\nexports.spin = () => `${o}`;', 'toString'],
    ['Symbol.toPrimitive (a computed name)', 'const o = { [Symbol.toPrimitive]() { return this * 2; } };\nexports.spin = () => o * 2;', ''],
    ['a proxy get trap', 'const p = new Proxy({}, { get(t, k, r) { return r[k]; } });\nexports.spin = () => p.x;', 'get'],
    ['a proxy trap as a function property', 'const p = new Proxy({}, { has: function (t, k) { return k in p; } });\nexports.spin = () => "x" in p;', 'has'],
    ['a getter defined by Object.defineProperty', 'const o = {};\nObject.defineProperty(o, "a", { get: function () { return this.a; } });\nexports.spin = () => o.a;', 'get'],
    ['an iterator whose next never ends, spread', 'const it = { [Symbol.iterator]() { return this; }, next() { return { done: false, value: 1 }; } };\nexports.spin = () => [...it].length;', 'next'],
    ['plain recursion', 'function r(n) { return r(n + 1); }\nexports.spin = () => r(0);', 'r'],
    ['recursion through new', 'function A() { return new B(); }\nfunction B() { return new A(); }\nexports.spin = () => new A();', 'A'],
    ['recursion through a tagged template', 'function tag() { return tag`x`; }\nexports.spin = () => tag`y`;', 'tag'],
    ['recursion from a loop body', 'function f(n) { for (let i = 0; i < 1; i++) f(n); }\nexports.spin = () => f(0);', 'f'],
    ['a side-effect-free leaf called in an endless loop', 'function leaf(x) { return x + 1; }\nexports.spin = () => { let s = 0; for (;;) s = leaf(s); };', ''],
    ['a sort comparator without calls (a native loop)', 'const a = Array.from({ length: 50000 }, (_, i) => (i * 7919) % 50000);\nexports.spin = () => a.sort((x, y) => x - y);', ''],
    ['a replace callback without calls', 'const s = "x".repeat(50000);\nexports.spin = () => s.replace(/x/g, () => "y");', ''],
    ['a generator resumed by a for-of loop', 'function* g() { while (true) yield 1; }\nexports.spin = () => { for (const x of g()) {} };', 'g'],
  ];
  for (const [what, source, hook] of cases) {
    it(what, () => {
      const r = spin(source);
      expect(r.error, String(r.error)).toBeInstanceOf(Trapped);
      expect(r.checks).toBe(2000);
      if (hook !== '') expect([...r.functions]).toContain(hook);
    });
  }

  it('the same proofs hold for the V8 form (target node) and with wrappers left unchecked (target bun)', () => {
    for (const [, source] of cases) expect(spin(source, { target: 'node' }).error).toBeInstanceOf(Trapped);
    for (const [, source] of cases) expect(spin(source, { target: 'bun' }).error).toBeInstanceOf(Trapped);
  });

  it('not caught, as documented: a getter declared apart and installed by a name in a variable recurses without a check until the stack overflows', () => {
    const r = spin('function g() { return this.a; }\nconst o = {};\nconst d = { get: g };\nObject.defineProperty(o, "a", d);\nexports.spin = () => o.a;');
    expect((r.error as Error).name, String(r.error)).toBe('RangeError'); // from the vm's realm
    // With every entry checked it is caught.
    expect(spin('function g() { return this.a; }\nconst o = {};\nconst d = { get: g };\nObject.defineProperty(o, "a", d);\nexports.spin = () => o.a;', { entryChecks: 'all' }).error).toBeInstanceOf(Trapped);
  });
});

describe('check forms', () => {
  it('target node and deno emit the plain load; any and bun the universal form with the scratch store', () => {
    const source = 'const f = (n) => { while (n) n--; };\nexports.f = f;';
    for (const target of ['node', 'deno'] as const) {
      const { code } = instrument(source, { filename: FILE, moduleType: 'cjs', target });
      expect(code).toContain('if (__td_F[0] !== 0) {const __td_w = __td_T(__td_M, 0, n); if (__td_w !== void 0) if (__td_w.length) n = __td_w[0]; else throw __td_w;}');
      expect(code).not.toMatch(/__td_F\[1\] = \d/);
    }
    for (const target of ['any', 'bun', undefined] as const) {
      const { code } = instrument(source, { filename: FILE, moduleType: 'cjs', target });
      expect(code).toContain('if ((__td_F[1] = 0, __td_F[0]) !== 0) {const __td_w = __td_T(__td_M, 0, n); if (__td_w !== void 0) if (__td_w.length) n = __td_w[0]; else throw __td_w;}');
    }
  });
});

// On Bun (target bun) a wrapper also loses its entry check: a function that passes every other
// test but makes calls, each a direct call of a function declaration of the module that keeps its
// entry check or is a leaf (sites.ts, `elideWrappers`). Each activation of a wrapper runs a bounded
// number of its own steps and then enters only checked functions or leaves, so every cycle through
// it passes a check, however its calls branch, recurse, are caught or are tail calls; and it never
// calls a built-in, so it cannot hand itself to a native loop or queue itself and run again unchecked.
describe('entry checks on Bun: wrappers', () => {
  const source = [
    'function leaf(a) { return a + 1; }',
    'function looping(n) { for (;;) if (n) return n; }',
    'function both(x) { return leaf(x) + looping(x); }', //             calls a leaf and a checked function
    'function constructs(x) { return new looping(x); }', //           `new` of a declaration
    'function guarded(x) { try { return looping(x); } catch (e) { return leaf(x); } finally { leaf(0); } }',
    'function callsWrapper(x) { return both(x) + x.charCodeAt(0); }', // a wrapper and a built-in method: a wrapper of level 2
    'function level3(x) { return callsWrapper(x); }',
    'function level4(x) { return level3(x); }', //                      above WRAPPER_LEVELS: kept
    'function self(n) { return self(n - 1); }',
    'function ping(n) { return pong(n); }',
    'function pong(n) { return ping(n); }', //                          a cycle of would-be wrappers: both kept
    'function viaMethod(a) { a.forEach(leaf); }', //                    a method that may call back: kept
    'function viaMap(a) { return a.map(leaf); }',
    'function viaStatic(a) { return Math.max(a, 1); }', //             a global that may have been replaced
    'function viaGlobal() { queueMicrotask(viaGlobal); }', //          not a declaration of the module
    'function viaParameter(f) { return f(1); }',
    'function shadowed(leaf) { return leaf(1); }',
    'function viaMoved() { return moved(); }',
    'function moved() { return 1; }',
    'function imports() { return import("./x.js"); }',
    'moved = 2;',
    'exports.e = { leaf, looping, both, constructs, guarded, callsWrapper, level3, level4, self, ping, pong, viaMethod, viaMap, viaStatic, viaGlobal, viaParameter, shadowed, viaMoved, moved, imports };',
  ].join('\n');
  const kept = ['looping', 'level4', 'self', 'ping', 'pong', 'viaMethod', 'viaMap', 'viaStatic', 'viaGlobal', 'viaParameter', 'shadowed', 'viaMoved', 'imports'];

  it('a wrapper has none on Bun; a function that calls anything else, itself, a cycle or a chain of wrappers deeper than 3 keeps it; Node, Deno and any are as before', () => {
    expect(entries(source, { target: 'bun' })).toEqual(kept);
    const before = ['looping', 'both', 'constructs', 'guarded', 'callsWrapper', 'level3', ...kept.slice(1)];
    for (const target of ['any', 'node', 'deno', undefined] as const) expect(entries(source, { target })).toEqual(before);
    expect(entries(source, { target: 'bun', entryChecks: 'all' })).toHaveLength(20);
    // Wrappers are listed in `bare`, like leaves, so a breakpoint in one stays pending.
    const { code } = instrument(source, { filename: FILE, moduleType: 'cjs', target: 'bun' });
    for (const name of ['both', 'constructs', 'guarded']) expect(code).toMatch(new RegExp(`\\[\\d+,\\d+,\\d+,\\d+,\\\\?"${name}\\\\?",0\\]`));
  });

  it('a name that may be bound to something else makes the call unknown: a named function or class expression of that name, with, direct eval', () => {
    const base = 'function leaf() { return 1; }\nfunction w() { return leaf(); }\n';
    expect(entries(base, { target: 'bun' })).toEqual([]);
    expect(entries(base + 'const h = function leaf() { return leaf(); };', { target: 'bun' })).toEqual(['w', 'leaf']);
    expect(entries(base + 'const K = class leaf {};', { target: 'bun' })).toEqual(['w']);
    expect(entries(base + 'function e(s) { return eval(s); }', { target: 'bun', moduleType: 'cjs' })).toEqual(['w', 'e']);
    expect(entries(base + 'function v(o) { with (o) {} }', { target: 'bun', moduleType: 'cjs' })).toEqual(['w', 'v']);
    // A generator's check runs at its first next(), not when it is called.
    expect(entries('function* g() { yield 1; }\nfunction w() { return g(); }', { target: 'bun' })).toEqual(['g', 'w']);
    // A function declaration in an inner scope is found where it is in scope (w), and not outside it (out).
    expect(entries('function outer() { function inner() { return 1; } return [function w() { return inner(); }]; }\nfunction out() { return inner(); }', { target: 'bun' })).toEqual(['out']);
  });

  const bunCases: Array<[string, string, string]> = [
    ['a cycle of would-be wrappers (mutual recursion)', 'function ping(n) { return pong(n + 1); }\nfunction pong(n) { return ping(n); }\nexports.spin = () => ping(0);', 'ping'],
    ['a wrapper whose two calls branch through a checked function', 'function w(n) { return c(n) + c(n); }\nfunction c(n) { return [n].map(() => w(n))[0]; }\nexports.spin = () => w(0);', 'c'],
    ['a wrapper that calls again from catch after a stack overflow', 'function w(n) { try { return c(n); } catch (e) { return c(n); } }\nfunction c(n) { return [n].map(() => w(n))[0]; }\nexports.spin = () => w(0);', 'c'],
    ['a callee whose parameters call back before its own check', 'function w(n) { return c(); }\nfunction c(a = w(), b = w()) { for (;;) return a + b; }\nexports.spin = () => w(0);', 'w'],
    ['a function that hands itself to a native loop keeps its check', 'function visit(n) { n.children.forEach(visit); }\nconst n = { children: [] };\nn.children.push(n, n);\nexports.spin = () => visit(n);', 'visit'],
  ];
  for (const [what, program, hook] of bunCases) {
    it(what, () => {
      const r = spin(program, { target: 'bun' });
      expect(r.error, String(r.error)).toBeInstanceOf(Trapped);
      expect([...r.functions]).toContain(hook);
    });
  }
  it('the wrappers in these programs are left without their check', () => {
    expect(entries(bunCases[1]![1], { target: 'bun' })).toEqual(['c', '']);
    expect(entries(bunCases[2]![1], { target: 'bun' })).toEqual(['c', '']);
  });

  // Node's vm has no proper tail calls; JavaScriptCore has them in strict code, where a cycle of
  // tail calls runs for ever without growing the stack. A cycle of wrappers keeps its checks; a
  // wrapper's tail call of a checked function that tail-calls it back passes that function's check.
  const bun = fileURLToPath(new URL('../../../node_modules/.bin/bun', import.meta.url));
  it.skipIf(!existsSync(bun))('under Bun (proper tail calls), a tail-call cycle through a wrapper is trapped (skipped when node_modules/.bin/bun is absent)', () => {
    const programs = {
      ring: '"use strict";\nfunction a(n) { return b(n + 1); }\nfunction b(n) { return c(n); }\nfunction c(n) { return n < 0 ? 0 : a(n); }\nexports.spin = () => a(0);',
      through: '"use strict";\nfunction t(n) { return c(n + 1); }\nfunction c(n) { return n < 0 ? [n].map((x) => x)[0] : t(n); }\nexports.spin = () => t(0);',
    };
    expect(entries(programs.through, { target: 'bun' })).toEqual(['c', '']);
    const code = Object.fromEntries(Object.entries(programs).map(([k, p]) => [k, instrument(p, { filename: FILE, moduleType: 'cjs', runtime: 'rt', target: 'bun' }).code]));
    const dir = mkdtempSync(join(tmpdir(), 'trapdoor-elision-'));
    try {
      const script = join(dir, 'tail.cjs');
      writeFileSync(script, `
const code = ${JSON.stringify(code)};
// The control: the same shape, plain, a million calls deep: tail calls keep the stack flat here.
const control = new Function('"use strict"; function a(n) { return n >= 1e6 ? n : b(n + 1); } function b(n) { return a(n); } return a(0);')();
const out = { control };
for (const [name, text] of Object.entries(code)) {
  const flags = new Int32Array(new SharedArrayBuffer(64));
  let checks = 0;
  const runtime = { flags, register() {}, trap() { if (++checks >= 2000) throw new Error('trapped'); return undefined; } };
  const module = { exports: {} };
  new Function('exports', 'require', 'module', text)(module.exports, () => runtime, module);
  flags[0] = 1;
  try { module.exports.spin(); out[name] = 'returned'; } catch (e) { out[name] = e.message === 'trapped' ? 'trapped' : e.name + ': ' + e.message; }
}
console.log(JSON.stringify(out));
`);
      const r = spawnSync(bun, [script], { encoding: 'utf8', timeout: 60_000 });
      expect(r.status, `bun exited ${r.status} ${r.signal ?? ''} (a hang means a tail-call cycle passed no check)\n${r.stderr}`).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual({ control: 1e6, ring: 'trapped', through: 'trapped' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
