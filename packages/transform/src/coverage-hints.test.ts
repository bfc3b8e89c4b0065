/**
 * `coverageHints`: every inserted check and the runtime bindings carry `/* istanbul ignore next *\/`,
 * so that a coverage report counts the program's own statements, branches and functions only.
 * Checked here with the real istanbul instrumenter (istanbul-lib-instrument, which Vitest's and
 * Jest's istanbul coverage use) on code that runs with the real runtime; Vitest's v8 provider is
 * checked end to end in test/e2e-test-vitest.test.ts. Positions must not move: no newline, the
 * sites' generated columns and the table's shifts still match the text.
 */
import { createRequire } from 'node:module';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
// @ts-expect-error istanbul-lib-instrument ships no types (and @types/istanbul-lib-instrument is not a dependency)
import { createInstrumenter } from 'istanbul-lib-instrument';
import { instrument, TransformError, type InstrumentOptions } from './index.js';

const require = createRequire(import.meta.url);
const runtime = require('@trapdoor-js/runtime') as typeof import('@trapdoor-js/runtime');
const HINT = '/* istanbul ignore next */';

// Every kind of insert: a function entry, a braced loop body, a brace-less one (wrapped), an
// arrow's expression body, a statement after a directive, locals written back and not.
const SOURCE = `'use strict';
function sum(values) {
  let total = 0;
  for (const value of values) total += value;
  return total;
}
const doubled = (values) => values.map((value) => value * 2);
function count(limit) {
  let n = 0;
  while (n < limit) { n++; }
  return n > 2 ? n : -n;
}
exports.result = [sum([1, 2, 3]), doubled([1, 2]).join(','), count(3)];
`;

const options: InstrumentOptions = { filename: 'file.cjs', entryChecks: 'all' };

function run(code: string): unknown {
  const module = { exports: {} as Record<string, unknown> };
  const context: Record<string, unknown> = { require: (id: string) => (id === '@trapdoor-js/runtime' ? runtime : require(id)), module, exports: module.exports };
  vm.runInNewContext(code, context);
  return module.exports.result;
}

function runTrapping(code: string, handler: Parameters<typeof runtime.setTrapHandler>[0]): unknown {
  const previous = runtime.setTrapHandler(handler);
  runtime.flags[0] = 1;
  try {
    return run(code);
  } finally {
    runtime.flags[0] = 0;
    runtime.setTrapHandler(previous);
  }
}

/**
 * Statements, branches and functions as istanbul counts them after running `code`, on the
 * source's lines (the site table after them has no mapping, so a source-mapped report drops it).
 */
function istanbulCounts(code: string, filename: string) {
  const lines = SOURCE.split('\n').length;
  const instrumenter = createInstrumenter({ coverageVariable: '__coverage__', esModules: false });
  const instrumented = instrumenter.instrumentSync(code, filename);
  const module = { exports: {} as Record<string, unknown> };
  const context: Record<string, unknown> = { require: (id: string) => (id === '@trapdoor-js/runtime' ? runtime : require(id)), module, exports: module.exports };
  vm.runInNewContext(instrumented, context);
  type Loc = { start: { line: number } };
  const data = (context.__coverage__ as Record<string, { s: Record<string, number>; b: Record<string, number[]>; f: Record<string, number>; statementMap: Record<string, Loc>; branchMap: Record<string, { loc: Loc }>; fnMap: Record<string, { loc: Loc }> }>)[filename]!;
  const ours = (map: Record<string, { start: { line: number } }>) => Object.keys(map).filter((id) => map[id]!.start.line <= lines);
  return {
    statements: ours(data.statementMap).map((id) => [data.statementMap[id]!.start.line, data.s[id]]),
    branches: ours(Object.fromEntries(Object.entries(data.branchMap).map(([id, b]) => [id, b.loc]))).map((id) => [data.branchMap[id]!.loc.start.line, data.b[id]]),
    functions: ours(Object.fromEntries(Object.entries(data.fnMap).map(([id, f]) => [id, f.loc]))).map((id) => [data.fnMap[id]!.loc.start.line, data.f[id]]),
  };
}

describe('coverageHints', () => {
  it('is off by default: no comment is inserted', () => {
    expect(instrument(SOURCE, options).code).not.toContain('istanbul');
  });

  it('puts the hint before every check and each statement of the bindings, on the same lines', () => {
    const plain = instrument(SOURCE, options);
    const hinted = instrument(SOURCE, { ...options, coverageHints: true });
    expect(hinted.sites.length).toBeGreaterThan(4);
    expect(hinted.code.split('\n').length).toBe(plain.code.split('\n').length);
    // One per check, and three in CommonJS bindings (the require, the register call, the var).
    expect(hinted.code.split(HINT).length - 1).toBe(hinted.sites.length + 3);
    expect(hinted.code.replaceAll(HINT, '')).not.toContain('istanbul');
  });

  it.each([
    ['CommonJS', 'file.cjs', SOURCE],
    ['an ES module', 'file.mjs', SOURCE.replace(`exports.result =`, 'export const result =')],
    ['TypeScript', 'file.ts', SOURCE.replace('function sum(values)', 'function sum(values: number[]): number')],
  ])('keeps every site where the text says and the shifts right (%s)', (_name, filename, source) => {
    for (const target of ['any', 'node'] as const) {
      const { code, sites } = instrument(source, { ...options, filename, target, coverageHints: true });
      const outLines = code.split('\n');
      const inLines = source.split('\n');
      for (const site of sites) {
        // The loop or function is at its generated position, as it is at its original one.
        const original = inLines[site.line - 1]!.slice(site.column);
        expect(outLines[site.generated.line - 1]!.slice(site.generated.column, site.generated.column + 5)).toBe(original.slice(0, 5));
      }
      // The table's shifts add up to what each line grew by.
      const shifts = JSON.parse(/"shifts":(\[[\d,]*\])/.exec(code)![1]!) as number[];
      const grown = new Map<number, number>();
      for (let i = 0; i < shifts.length; i += 3) grown.set(shifts[i]!, (grown.get(shifts[i]!) ?? 0) + shifts[i + 2]!);
      inLines.forEach((line, i) => expect(outLines[i]!.length - line.length, `line ${i + 1}`).toBe(grown.get(i + 1) ?? 0));
    }
  });

  it('runs as the plain program does, and every check still traps and writes locals back', () => {
    for (const target of ['any', 'node'] as const) {
      const hinted = instrument(SOURCE, { ...options, target, coverageHints: true }).code;
      expect(run(hinted)).toEqual([6, '2,4', 3]);
      const trapped = new Set<number>();
      // Writes back the locals as they are: the program's result is unchanged.
      expect(runTrapping(hinted, (_m, site, locals) => (trapped.add(site), locals.slice()))).toEqual([6, '2,4', 3]);
      expect(trapped.size).toBe(instrument(SOURCE, { ...options, coverageHints: true }).sites.length);
      // A write-back through an arrow's expression body (`values`) reaches the program.
      const index = instrument(SOURCE, options).sites.findIndex((s) => s.functionName === 'doubled');
      expect(index).toBeGreaterThan(0);
      expect(runTrapping(hinted, (_m, site) => (site === index ? [[5]] : undefined))).toEqual([6, '10', 3]);
    }
  });

  it('leaves istanbul the plain program’s statements, branches and functions, with the same counts', () => {
    const plain = istanbulCounts(SOURCE, 'plain.js');
    expect(plain.functions).toEqual([[2, 1], [7, 1], [7, 2], [8, 1]]);
    for (const target of ['any', 'node'] as const) {
      expect(istanbulCounts(instrument(SOURCE, { ...options, target, coverageHints: true }).code, `hinted-${target}.js`)).toEqual(plain);
    }
    // Without hints, the checks are statements and branches of their own (what this option is for).
    const unhinted = istanbulCounts(instrument(SOURCE, options).code, 'unhinted.js');
    expect(unhinted.statements.length).toBeGreaterThan(plain.statements.length);
    expect(unhinted.branches.length).toBeGreaterThan(plain.branches.length);
  });

  it('rejects a value that is not a boolean, naming the option', () => {
    const bad = () => instrument(SOURCE, { ...options, coverageHints: 'yes' as unknown as boolean });
    expect(bad).toThrow(TransformError);
    expect(bad).toThrow(/coverageHints must be true or false/);
  });
});
