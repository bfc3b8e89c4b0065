/**
 * Mapping engine positions back to the original source, in-process: instrumented code's columns
 * through the module's `shifts`, then through its input map (TypeScript here); breakpoint
 * resolution to checks; the evaluation scope of a pause.
 */
import { describe, expect, it } from 'vitest';
import ts from 'typescript';
import { instrument } from '@trapdoor-js/transform';
import type { InstrumentedModule } from '../modules.js';
import { inputColumn, originalPosition } from './call-frames.js';
import { nearestSites } from './breakpoints.js';
import type { Script } from './scripts.js';
import { scopeObject } from './pause.js';
import { evaluateInScope, scopeProxy } from './evaluate.js';

/** The module table the runtime would decode, built from a real instrument() result. */
function moduleFrom(code: string, filename: string, inputSourceMap?: object): { module: InstrumentedModule; output: string } {
  const result = instrument(code, { filename, inputSourceMap: inputSourceMap as never, moduleType: 'esm' });
  const literal = /\/\*trapdoor:2\*\/('(?:[^'\\\n]|\\.)*')\}/.exec(result.code)![1]!;
  const table = JSON.parse(new Function(`return ${literal}`)() as string);
  const module: InstrumentedModule = {
    id: 0,
    file: table.file,
    loadedFrom: undefined,
    shifts: table.shifts,
    inputMap: table.inputMap,
    sources: table.sources ?? [table.file],
    sites: table.sites.map(([kind, line, column, functionName, locals, writable, source]: [number, number, number, string, string, string, number]) => ({
      kind: ['loop', 'function', 'statement'][kind],
      line,
      column,
      functionName,
      source: (table.sources ?? [table.file])[source],
      locals: locals === '' ? [] : locals.split(','),
      writable: [...writable].map((c) => c === '1'),
    })),
    bare: [],
  };
  return { module, output: result.code };
}

/** Generated (line, 0-based column) of the n-th occurrence of `text` in `code`. */
function positionOf(code: string, text: string): { line: number; column: number } {
  const lines = code.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const column = lines[i].indexOf(text);
    if (column !== -1) return { line: i + 1, column };
  }
  throw new Error(`no ${text}`);
}

describe('inputColumn', () => {
  it('maps every column of instrumented code back through the insertions on its line', () => {
    const code = 'function f(a) { while (a) { a = g(a); } return h(a); }\nconst x = f(1); console.log(x);\n';
    const { module, output } = moduleFrom(code, '/virtual/f.mjs');
    for (const text of ['g(a)', 'h(a)', 'return', 'f(1)', 'console.log']) {
      const original = positionOf(code, text);
      const generated = positionOf(output, text);
      if (original.line === 1) expect(generated.column).not.toBe(original.column); // checks were inserted before it
      expect(inputColumn(module, generated.line, generated.column)).toBe(original.column);
    }
    // A position inside inserted text maps to where the text was inserted.
    const check = positionOf(output, '__td_T(');
    expect(inputColumn(module, check.line, check.column)).toBe(positionOf(code, '{ while').column + 1); // the entry check of f
  });
});

describe('originalPosition through an input map', () => {
  it('maps compiled TypeScript positions to the .ts file', () => {
    const source = 'interface P {\n  x: number;\n}\n\nfunction len(p: P): number {\n  return Math.abs(p.x);\n}\nconst n: number = len({ x: -2 });\n';
    const compiled = ts.transpileModule(source, { fileName: '/virtual/app.ts', compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, sourceMap: true } });
    const js = compiled.outputText.replace(/\/\/# sourceMappingURL=.*$/m, '');
    const { module, output } = moduleFrom(js, '/virtual/app.mjs', JSON.parse(compiled.sourceMapText!));
    expect(module.sites.map((s) => [s.source, s.line, s.column, s.functionName])).toEqual([['/virtual/app.ts', 5, 0, 'len']]);
    const call = positionOf(output, 'len({');
    const input = inputColumn(module, call.line, call.column);
    expect(originalPosition(module, call.line, input)).toEqual({ source: '/virtual/app.ts', line: 8, column: source.split('\n')[7].indexOf('len({') });
  });
});

describe('breakpoints resolve to the nearest check at or after the position', () => {
  it('picks the first site at or after (line, column)', () => {
    const module = { id: 0 } as InstrumentedModule;
    const site = (lineNumber: number, columnNumber: number, index: number) => ({ module, index, lineNumber, columnNumber });
    const script = { sites: [site(2, 0, 0), site(5, 2, 1), site(5, 10, 2), site(9, 4, 3)] } as unknown as Script;
    expect(nearestSites(script, 0, 0).map((s) => s.index)).toEqual([0]);
    expect(nearestSites(script, 3, 0).map((s) => s.index)).toEqual([1]);
    expect(nearestSites(script, 5, 3).map((s) => s.index)).toEqual([2]);
    expect(nearestSites(script, 6, 0).map((s) => s.index)).toEqual([3]);
    expect(nearestSites(script, 10, 0)).toEqual([]);
  });
});

describe('the scope of a pause', () => {
  it('reads locals by name, writes writable ones, rejects assignments to constants, falls back to globals', () => {
    const site = { kind: 'loop', line: 1, column: 0, functionName: 'f', source: '/x', locals: ['a', 'b', 'k'], writable: [true, true, false], endLine: 0, endColumn: 0, capturesThis: false, sideEffectFree: false, passesArgs: false, throwsReturned: false } as const;
    const scope = scopeObject({ ...site, locals: [...site.locals], writable: [...site.writable] }, [1, 2, 'const']);
    const proxy = scopeProxy(scope);
    expect(evaluateInScope(proxy, 'a + b')).toEqual({ ok: true, value: 3 });
    expect(evaluateInScope(proxy, 'a = 10, a * b')).toEqual({ ok: true, value: 20 });
    expect(scope.a).toBe(10);
    const assignConst = evaluateInScope(proxy, 'k = 1');
    expect(assignConst.ok).toBe(false);
    expect(String((assignConst as { thrown: unknown }).thrown)).toContain('Assignment to constant variable');
    expect(scope.k).toBe('const');
    expect(evaluateInScope(proxy, 'typeof Math.max')).toEqual({ ok: true, value: 'function' });
  });
});
