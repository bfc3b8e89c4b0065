/**
 * Breakpoint resolution on real site tables (instrument() output, decoded by the runtime): a
 * breakpoint stops at a check of the function it is in, never another's; inside a loop body, at
 * that loop's check; with none, it stays pending with a reason.
 */
import { describe, expect, it } from 'vitest';
import { instrument } from '@trapdoor-js/transform';
import { moduleOf, type ModuleTableV1 } from '../modules.js';
import { possibleBreakpoints, resolveLocation } from './breakpoints.js';
import { siteRef, type Script } from './scripts.js';

function scriptOf(source: string, filename = '/virtual/app.mjs'): Script {
  const { code } = instrument(source, { filename, moduleType: 'esm' });
  const tableText = /\/\*trapdoor:1\*\/(\{.*\})\}(?=function |import |var |\s*$)/s.exec(code)![1]!;
  const table = new Function(`return ${tableText}`)() as ModuleTableV1;
  const module = moduleOf(() => table);
  const sites = module.sites.map((_, index) => siteRef(module, index));
  return { id: '7', url: `file://${filename}`, source, instrumented: true, isModule: true, sites, event: {} as never };
}

// Line numbers in comments are 1-based; CDP's are 0-based.
const COLLATZ = [
  'export function collatzSteps(n) {', // 1
  '  let steps = 0;', //                   2
  '  while (n !== 1) {', //                3
  '    n = n % 2 ? 3 * n + 1 : n / 2;', // 4
  '    steps++;', //                       5
  '  }', //                                6
  '  return steps;', //                    7
  '}', //                                  8
  '', //                                   9
  'function findLongest(limit) {', //      10
  '  let best = 0;', //                    11
  '  for (let i = 1; i < limit; i++) {', //12
  '    best = Math.max(best, collatzSteps(i));', // 13
  '  }', //                                14
  '  return best;', //                     15
  '}', //                                  16
  'const found = findLongest(10);', //     17
  'items.forEach((x) => {', //             18
  '  console.log(x);', //                  19
  '});', //                                20
].join('\n');

const at = (script: Script, line: number, column = 0) => {
  const { sites, reason } = resolveLocation(script, line - 1, column);
  return sites.length === 0 ? `pending: ${reason}` : `${sites[0]!.lineNumber + 1}:${sites[0]!.columnNumber}`;
};

describe('resolveLocation', () => {
  const script = scriptOf(COLLATZ);

  it('a line inside a loop body stops at that loop, its first statement included', () => {
    expect(at(script, 4)).toBe('3:2');
    expect(at(script, 5)).toBe('3:2');
    expect(at(script, 13)).toBe('12:2');
    expect(at(script, 13, 4)).toBe('12:2');
  });

  it('a line of a loop or a function header stops at its own check', () => {
    expect(at(script, 3)).toBe('3:2');
    expect(at(script, 1)).toBe('1:7'); // `export function`: the function starts at column 7
    expect(at(script, 10)).toBe('10:0');
    expect(at(script, 18)).toBe('18:14'); // the callback defined on that line
  });

  it('a statement before a loop stops at the next loop of the same function', () => {
    expect(at(script, 2)).toBe('3:2');
    expect(at(script, 11)).toBe('12:2');
  });

  it('never resolves into another function: after the last check of a function it stays pending, with the reason', () => {
    expect(at(script, 7)).toBe('pending: no loop or function entry of its own at or after line 7 in function collatzSteps: in trap mode only those can stop the program');
    expect(at(script, 15)).toMatch(/^pending: .* in function findLongest/);
    expect(at(script, 17)).toMatch(/^pending: .* at the top level/);
    expect(at(script, 19)).toMatch(/^pending: .* in the function at line 18/);
  });

  it('getPossibleBreakpoints lists the checks in a range, or only those of one function', () => {
    const all = possibleBreakpoints(script, { line: 0, column: 0 }, undefined, false).map((l) => `${l.lineNumber + 1}:${l.columnNumber}`);
    expect(all).toEqual(['1:7', '3:2', '10:0', '12:2', '18:14']);
    expect(possibleBreakpoints(script, { line: 2, column: 0 }, { line: 3, column: 0 }, false).map((l) => l.lineNumber + 1)).toEqual([3]);
    expect(possibleBreakpoints(script, { line: 3, column: 0 }, { line: 4, column: 0 }, false)).toEqual([]);
    expect(possibleBreakpoints(script, { line: 9, column: 0 }, undefined, true).map((l) => l.lineNumber + 1)).toEqual([10, 12]);
  });

  it('reads tables without extents as before: the nearest check at or after', () => {
    const old = scriptOf(COLLATZ);
    for (const site of old.sites) site.endLineNumber = -1;
    expect(at(old, 7)).toBe('10:0');
  });
});
