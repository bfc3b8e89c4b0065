// Which function entries keep their check (sites.ts, `entryNeeded`), and the proof that leaving
// the others out keeps every unbounded execution trappable: each program below runs without end
// (or recurses until the stack overflows) through one way of running code, and must pass checks
// again and again while it does. The trap here counts checks and throws once it has seen many:
// an execution that passes no check inside its cycle ends in a RangeError (stack overflow) or the
// vm timeout instead, and the test fails.
import { describe, expect, it } from 'vitest';
import vm from 'node:vm';
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

  it('the same proofs hold for the V8 form (target node)', () => {
    for (const [, source] of cases) expect(spin(source, { target: 'node' }).error).toBeInstanceOf(Trapped);
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
      expect(code).toContain('if(__td_F[0]!==0){const w=__td_T(__td_M,0,n);if(w)if(w.length)n=w[0];else throw w;}');
      expect(code).not.toMatch(/__td_F\[1\] ?= ?\d/);
    }
    for (const target of ['any', 'bun', undefined] as const) {
      const { code } = instrument(source, { filename: FILE, moduleType: 'cjs', target });
      expect(code).toContain('if((__td_F[1]=0,__td_F[0])!==0){const w=__td_T(__td_M,0,n);if(w)if(w.length)n=w[0];else throw w;}');
    }
  });
});
