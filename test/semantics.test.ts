/**
 * Semantic preservation: every program in test/corpus/ is run as a child process three ways and
 * must behave identically (stdout, stderr, exit code):
 *   (a) plain, (b) instrumented, (c) instrumented with every check trapping (a preload sets
 *   flags[0] = 1 and installs a handler that writes the captured values back unchanged).
 * TypeScript/JSX files are instrumented as TypeScript/JSX, then compiled with
 * typescript.transpileModule (the plain file is compiled the same way).
 *
 * Static checks per file: the sites equal the loops and functions found by our own Babel visitor;
 * each site's generated position maps back through the returned source map; instrumenting the
 * output again changes nothing; directive prologues and mentions of arguments/this/super/
 * new.target/eval are untouched. Hand-picked sites have the locals a person would expect.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, test } from 'vitest';
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';
import { instrument } from '@trapdoor-js/transform';
import ts from 'typescript';
import { unrunnableOnThisNode } from './helpers/corpus-node.js';
import {
  CORPUS_DIR,
  TMP_DIR,
  directivePrologues,
  expectedSites,
  freshDir,
  moduleTypeOf,
  needsCompile,
  readStats,
  runNode,
  runnableName,
  sensitiveMentions,
  transpile,
  trapAllArgs,
  writeFile,
  type ModuleType,
  type RunResult,
} from './helpers/corpus.js';

type Instrumented = ReturnType<typeof instrument>;

const OUT = path.join(TMP_DIR, 'corpus');
const PLAIN_DIR = path.join(OUT, 'plain');
const INST_DIR = path.join(OUT, 'instrumented');
const STATS_DIR = path.join(OUT, 'stats');

const SOURCE_FILE = /\.(mjs|cjs|js|ts|mts|cts|tsx|jsx)$/;
const files = readdirSync(CORPUS_DIR).filter((f) => SOURCE_FILE.test(f)).sort();
/** Files starting with `_` are dependencies of other corpus programs, not programs of their own. */
const entries = files.filter((f) => !f.startsWith('_') && !unrunnableOnThisNode.includes(f));
/** Programs in which no check ever runs (so the trap-all run sees no trap). */
const NO_SITES_RUN = new Set(['ignore-file.cjs']);

interface Prepared {
  file: string;
  source: string;
  moduleType: ModuleType;
  runnable: string;
  instrumented?: Instrumented;
  instrumentError?: unknown;
  compileError?: unknown;
}

const prepared = new Map<string, Prepared>();

function prepare(file: string): Prepared {
  const abs = path.join(CORPUS_DIR, file);
  const source = readFileSync(abs, 'utf8');
  const moduleType = moduleTypeOf(source, file);
  const runnable = runnableName(file, moduleType);
  const p: Prepared = { file, source, moduleType, runnable };
  writeFile(path.join(PLAIN_DIR, runnable), needsCompile(file) ? transpile(source, file, moduleType) : source);
  try {
    p.instrumented = instrument(source, { filename: abs });
  } catch (error) {
    p.instrumentError = error;
    return p;
  }
  try {
    const code = p.instrumented.code;
    writeFile(path.join(INST_DIR, runnable), needsCompile(file) ? transpile(code, file, moduleType) : code);
  } catch (error) {
    p.compileError = error;
  }
  return p;
}

function get(file: string): Prepared {
  const p = prepared.get(file);
  if (!p) throw new Error(`${file} was not prepared`);
  return p;
}

function instrumented(file: string): Instrumented {
  const p = get(file);
  if (p.instrumentError) throw p.instrumentError;
  return p.instrumented!;
}

beforeAll(() => {
  freshDir(OUT);
  freshDir(STATS_DIR);
  for (const file of files) prepared.set(file, prepare(file));
  // Data files the programs load (JSON imports) are copied unchanged.
  for (const asset of readdirSync(CORPUS_DIR).filter((f) => !SOURCE_FILE.test(f))) {
    const text = readFileSync(path.join(CORPUS_DIR, asset), 'utf8');
    writeFile(path.join(PLAIN_DIR, asset), text);
    writeFile(path.join(INST_DIR, asset), text);
  }
});

const plainRuns = new Map<string, RunResult>();
function plainRun(file: string): RunResult {
  let r = plainRuns.get(file);
  if (!r) {
    r = runNode([path.join(PLAIN_DIR, get(file).runnable)], { normalize: [PLAIN_DIR] });
    plainRuns.set(file, r);
  }
  return r;
}

function assertRunnable(file: string): void {
  const p = get(file);
  if (p.instrumentError) throw p.instrumentError;
  if (p.compileError) throw p.compileError;
}

const describeKey = (r: RunResult) => ({ code: r.code, signal: r.signal, stdout: r.stdout, stderr: r.stderr });

describe.each(files)('corpus %s', (file) => {
  test('sites are exactly the loops and functions (independent Babel count); by default some function entries are left out, nothing else', () => {
    const p = get(file);
    const r = instrumented(file);
    // Every entry kept (the transform's entryChecks: 'all'): the walk itself, counted independently.
    const all = instrument(p.source, { filename: path.join(CORPUS_DIR, file), entryChecks: 'all' });
    const expected = expectedSites(p.source, file).map((s) => `${s.kind} ${s.line}:${s.column}`);
    const actual = all.sites.map((s) => `${s.kind} ${s.line}:${s.column}`);
    expect([...actual].sort()).toEqual([...expected].sort());
    expect(all.sites.length).toBe(expected.length);
    // The default leaves out only function entries (which, is packages/transform/src/elision.test.ts's subject).
    const kept = new Set(r.sites.map((s) => `${s.kind} ${s.line}:${s.column}`));
    for (const site of kept) expect(actual).toContain(site);
    expect(actual.filter((s) => !kept.has(s) && !s.startsWith('function '))).toEqual([]);
  });

  test('every site maps back through the source map; lines are preserved', () => {
    const r = instrumented(file);
    const map = new TraceMap(r.map as ConstructorParameters<typeof TraceMap>[0]);
    for (const site of r.sites) {
      const original = originalPositionFor(map, { line: site.generated.line, column: site.generated.column });
      expect({ site: `${site.kind} ${site.line}:${site.column}`, line: original.line, column: original.column }).toEqual({
        site: `${site.kind} ${site.line}:${site.column}`,
        line: site.line,
        column: site.column,
      });
      expect(site.generated.line).toBe(site.line);
    }
  });

  test('instrumenting the output again returns it unchanged', () => {
    const r = instrumented(file);
    const again = instrument(r.code, { filename: path.join(CORPUS_DIR, file) });
    expect(again.code).toBe(r.code);
  });

  test('directive prologues and arguments/this/super/new.target/eval mentions are untouched', () => {
    const p = get(file);
    const r = instrumented(file);
    expect(directivePrologues(r.code, file)).toEqual(directivePrologues(p.source, file));
    const mentions = sensitiveMentions(r.code, file);
    // A check passes `this` only where reading it is safe (site.capturesThis; (c) runs them all): once per such check.
    mentions.this -= r.sites.filter((site) => site.capturesThis).length;
    expect(mentions).toEqual(sensitiveMentions(p.source, file));
    // The checks never capture these names as locals.
    for (const site of r.sites) {
      expect(site.locals).not.toContain('arguments');
      expect(site.locals).not.toContain('this');
    }
  });

  if (!entries.includes(file)) return;

  test('plain program runs (sanity)', () => {
    const plain = plainRun(file);
    expect(plain.signal).toBeNull();
    expect(plain.stdout.length).toBeGreaterThan(0);
  });

  test('(b) instrumented program behaves like the plain one', () => {
    assertRunnable(file);
    const plain = plainRun(file);
    const inst = runNode([path.join(INST_DIR, get(file).runnable)], { normalize: [INST_DIR] });
    expect(describeKey(inst)).toEqual(describeKey(plain));
  });

  test('(c) instrumented program with every check trapping behaves like the plain one', () => {
    assertRunnable(file);
    const plain = plainRun(file);
    const statsFile = path.join(STATS_DIR, file + '.json');
    const trapped = runNode(trapAllArgs(path.join(INST_DIR, get(file).runnable)), {
      normalize: [INST_DIR],
      env: { TRAPDOOR_TEST_STATS: statsFile },
    });
    expect(describeKey(trapped)).toEqual(describeKey(plain));
    const stats = readStats(statsFile);
    expect(stats, 'the trap-all preload wrote its statistics').not.toBeNull();
    expect(stats!.problems).toEqual([]);
    if (!NO_SITES_RUN.has(file)) expect(stats!.traps).toBeGreaterThan(0);
  });
});

// ---------------------------------------------------------------------------------------------
// Hand-picked sites: the locals a person would expect.

function sitesOf(code: string, filename = 'handpicked.mjs') {
  // Every function entry kept: these are about the locals each site sees.
  return instrument(code, { filename, entryChecks: 'all' }).sites;
}

/** The one site of `kind` whose original position is on the line containing `marker`. */
function siteAt(code: string, marker: string, kind: 'loop' | 'function', filename?: string) {
  const line = code.split('\n').findIndex((l) => l.includes(marker)) + 1;
  expect(line, `marker ${marker}`).toBeGreaterThan(0);
  const found = sitesOf(code, filename).filter((s) => s.kind === kind && s.line === line);
  expect(found, `${kind} site on line ${line}`).toHaveLength(1);
  return found[0]!;
}

function writableOf(site: { locals: string[]; writable: boolean[] }): Record<string, boolean> {
  return Object.fromEntries(site.locals.map((n, i) => [n, site.writable[i]!]));
}

describe('captured locals at hand-picked sites', () => {
  test('parameters and earlier lets are visible; later lets, inner-block names and outer functions are not', () => {
    const code = [
      'let moduleLet = 1;',
      'export function f(a, { b }, ...rest) {',
      '  let x = 1;',
      '  const k = 2;',
      '  var v;',
      '  for (let i = 0; i < 3; i++) { // LOOP',
      '    let inner = i;',
      '  }',
      '  let later = 3;',
      '  return x + k + later + moduleLet;',
      '}',
    ].join('\n');
    const loop = siteAt(code, '// LOOP', 'loop');
    for (const name of ['a', 'b', 'rest', 'x', 'k', 'v', 'i']) expect(loop.locals).toContain(name);
    for (const name of ['later', 'inner', 'moduleLet', 'arguments', 'this', 'f']) expect(loop.locals).not.toContain(name);
    const w = writableOf(loop);
    expect(w).toMatchObject({ a: true, b: true, rest: true, x: true, v: true, i: true, k: false });
    const entry = siteAt(code, 'export function f', 'function');
    expect(entry.locals).toEqual(expect.arrayContaining(['a', 'b', 'rest']));
    for (const name of ['x', 'k', 'later', 'i', 'arguments', 'this']) expect(entry.locals).not.toContain(name);
    expect(entry.functionName).toBe('f');
  });

  test('switch cases: a loop in one case does not read a let declared in another', () => {
    const code = [
      'function sw(n) {',
      '  switch (n) {',
      '    case 0:',
      '      let y = 1;',
      '      const z = 2;',
      '      break;',
      '    case 1:',
      '      for (;;) break; // LOOP',
      '  }',
      '}',
    ].join('\n');
    const loop = siteAt(code, '// LOOP', 'loop');
    expect(loop.locals).toContain('n');
    expect(loop.locals).not.toContain('y');
    expect(loop.locals).not.toContain('z');
  });

  test('a shadowing let declared after the loop in the same block hides the outer binding', () => {
    const code = [
      'function sh() {',
      "  let v = 'outer';",
      '  let w = 1;',
      '  {',
      '    while (w < 2) w++; // LOOP',
      "    let v = 'inner';",
      '  }',
      '}',
    ].join('\n');
    const loop = siteAt(code, '// LOOP', 'loop');
    expect(loop.locals).toContain('w');
    expect(loop.locals).not.toContain('v');
  });

  test('an arrow sees its own parameters, not the enclosing function’s locals or this', () => {
    const code = [
      'function outer(p) {',
      '  const q = 1;',
      '  return (r) => { for (const s of [r]) {} }; // ARROW',
      '}',
    ].join('\n');
    const arrow = siteAt(code, '// ARROW', 'function');
    expect(arrow.locals).toContain('r');
    for (const name of ['p', 'q', 'this', 'arguments']) expect(arrow.locals).not.toContain(name);
    const loop = siteAt(code, '// ARROW', 'loop');
    expect(loop.locals).toEqual(expect.arrayContaining(['r', 's']));
    expect(writableOf(loop).s).toBe(false); // for-of const
  });

  test('derived constructors before super(): no this, only the safe locals', () => {
    const code = [
      'class D extends Object {',
      '  constructor(n) {',
      '    let s = 0;',
      '    for (let i = 0; i < n; i++) s += i; // LOOP',
      '    const f = () => { for (;;) break; }; // ARROW',
      '    super();',
      '  }',
      '}',
    ].join('\n');
    const loop = siteAt(code, '// LOOP', 'loop');
    expect(loop.locals).toEqual(expect.arrayContaining(['n', 's', 'i']));
    expect(loop.locals).not.toContain('this');
    expect(loop.locals).not.toContain('f');
    const arrow = siteAt(code, '// ARROW', 'function');
    expect(arrow.locals).toEqual([]);
  });

  test('a named function expression’s own name and catch parameters', () => {
    const code = [
      'const fact = function self(n) {',
      '  try { throw 1; } catch (err) {',
      '    for (let i = 0; i < 1; i++) {} // LOOP',
      '  }',
      '};',
    ].join('\n');
    const loop = siteAt(code, '// LOOP', 'loop');
    expect(loop.locals).toEqual(expect.arrayContaining(['n', 'err', 'i']));
    const w = writableOf(loop);
    expect(w.n).toBe(true);
    expect(w.i).toBe(true);
    // `self` is immutable inside the function: never written back (capturing it read-only is fine).
    if (loop.locals.includes('self')) expect(w.self).toBe(false);
  });

  test('TypeScript: `this` parameters, declared names and type-only imports are never captured', () => {
    const code = [
      "import { OnlyType } from './types.js';",
      'declare const DECLARED: number;',
      'export function f(this: Window, a: number, b?: OnlyType) {',
      '  let c: number = a;',
      '  for (let i = 0; i < a; i++) {} // LOOP',
      '}',
    ].join('\n');
    const loop = siteAt(code, '// LOOP', 'loop', 'handpicked.ts');
    expect(loop.locals).toEqual(expect.arrayContaining(['a', 'b', 'c', 'i']));
    for (const name of ['this', 'DECLARED', 'OnlyType']) expect(loop.locals).not.toContain(name);
  });

  test('sites carry function names', () => {
    const code = ['const obj = { m() {} };', 'class C { static s() {} get g() { return 1; } }', 'const arrow = () => 1;'].join('\n');
    const names = sitesOf(code).map((s) => s.functionName);
    expect(names).toEqual(expect.arrayContaining(['m', 'arrow']));
  });
});

describe('contract details', () => {
  test('syntax errors throw ERR_TRAPDOOR_SYNTAX naming file:line:column', () => {
    let error: (Error & { code?: string }) | undefined;
    try {
      instrument('let ok = 1;\nlet = = 2;\n', { filename: 'broken.mjs' });
    } catch (e) {
      error = e as Error & { code?: string };
    }
    expect(error).toBeInstanceOf(Error);
    expect(error!.code).toBe('ERR_TRAPDOOR_SYNTAX');
    expect(error!.message).toMatch(/broken\.mjs:2:\d+/);
  });

  test('/* trapdoor-ignore-file */ comes back unchanged with no sites', () => {
    const code = readFileSync(path.join(CORPUS_DIR, 'ignore-file.cjs'), 'utf8');
    const r = instrument(code, { filename: 'ignore-file.cjs' });
    expect(r.code).toBe(code);
    expect(r.sites).toEqual([]);
  });

  test('an input source map is chained: sites point into the original TypeScript', () => {
    const tsSource = [
      '// header comment',
      'interface P { x: number }',
      'export function total(ps: P[]): number {',
      '  let t: number = 0;',
      '  for (const p of ps) t += p.x;',
      '  return t;',
      '}',
      'export const double = (n: number): number => n * 2;',
      'export class K {',
      '  constructor(private readonly base: number) {}',
      '  static make(): K { return new K(1); }',
      '  get value(): number { let v = this.base; while (v < 10) v++; return v; }',
      '}',
    ].join('\n');
    const compiled = ts.transpileModule(tsSource, {
      fileName: 'src/x.ts',
      compilerOptions: { sourceMap: true, target: ts.ScriptTarget.ES2022, module: ts.ModuleKind.ESNext },
    });
    const js = compiled.outputText.replace(/\/\/# sourceMappingURL=.*\s*$/, '');
    const r = instrument(js, { filename: 'dist/x.js', inputSourceMap: JSON.parse(compiled.sourceMapText!), entryChecks: 'all' });
    // Lines must be exact; columns can only be as exact as the input map's segments (TypeScript
    // maps `export function` at `export`/` `, not at `function`), so they are not compared here.
    const expected = expectedSites(tsSource, 'x.ts').map((s) => `${s.kind} ${s.line}`).sort();
    expect(r.sites.map((s) => `${s.kind} ${s.line}`).sort()).toEqual(expected);
    for (const site of r.sites) expect(site.source).toMatch(/x\.ts$/);
    const map = new TraceMap(r.map as ConstructorParameters<typeof TraceMap>[0]);
    for (const site of r.sites) {
      const o = originalPositionFor(map, site.generated);
      expect([o.source?.endsWith('x.ts'), o.line, o.column]).toEqual([true, site.line, site.column]);
    }
  });

  test('no newlines are inserted before any original line', () => {
    for (const file of files) {
      const p = get(file);
      if (!p.instrumented) continue;
      const original = p.source.split('\n');
      const generated = p.instrumented.code.split('\n');
      expect(generated.length, file).toBeGreaterThanOrEqual(original.length);
      expect(generated.length, file).toBeLessThanOrEqual(original.length + 2);
    }
  });
});
