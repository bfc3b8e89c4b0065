/**
 * Breakpoint resolution on real site tables (instrument() output, decoded by the runtime): a
 * breakpoint stops at a check of the function it is in, never another's; inside a loop body, at
 * that loop's check; with none, it stays pending with a reason.
 */
import { describe, expect, it } from 'vitest';
import { instrument } from '@trapdoor-js/transform';
import { moduleOf, type ModuleTableV2 } from '../modules.js';
import { possibleBreakpoints, resolveLocation } from './breakpoints.js';
import { siteRef, type Script } from './scripts.js';

/** The table instrument() wrote: JSON in a string literal after the marker. */
function tableIn(code: string): ModuleTableV2 {
  const literal = /\/\*trapdoor:2\*\/('(?:[^'\\\n]|\\.)*')\}/.exec(code)![1]!;
  return JSON.parse(new Function(`return ${literal}`)() as string) as ModuleTableV2;
}

function scriptOf(source: string, filename = '/virtual/app.mjs'): Script {
  const { code } = instrument(source, { filename, moduleType: 'esm' });
  const table = tableIn(code);
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

});

// Functions with neither loop nor call get no entry check (the transform's entry elision) and no
// site; the table lists them apart (`bare`), and a breakpoint in one must not resolve to a check
// of the function around it, nor to the top level's next loop.
const TICKS = [
  'function tick(s) {', //                       1
  '  return s + 1;', //                          2
  '}', //                                        3
  'function run() {', //                         4
  '  const twice = (x) => x * 2;', //            5
  '  const later = () => () => { for (;;) {} };', // 6
  '  let s = 0;', //                             7
  '  while (s < 1e9) s = tick(twice(s));', //    8
  '  return later;', //                          9
  '}', //                                        10
  'let n = 0;', //                               11
  'for (;;) n = tick(n);', //                    12
].join('\n');

describe('resolveLocation: functions without a check', () => {
  const script = scriptOf(TICKS);

  it('a breakpoint inside one stays pending, with the reason, instead of stopping at the next loop outside it', () => {
    const reason = "pending: function tick has no check: trap mode puts none in a function with neither loop nor call (instrument with entryChecks: 'all' to stop there)";
    expect(at(script, 1)).toBe(reason);
    expect(at(script, 2)).toBe(reason);
    expect(at(script, 5, 23)).toBe(reason.replace('function tick', 'function twice'));
    // Without the table's `bare` list these were taken for the enclosing function's (or the top level's) code.
    const old = scriptOf(TICKS);
    for (const site of old.sites) site.module.bare = [];
    expect(at(old, 2)).toBe('12:0');
    expect(at(old, 5, 23)).toBe('8:2');
  });

  it('the code around one still resolves as before, and a checked function nested in one still stops at its entry', () => {
    expect(at(script, 3)).toMatch(/^pending: function tick has no check/); // its closing brace is in it, as in V8
    expect(at(script, 5)).toBe('8:2'); // the line's own statement belongs to run
    expect(at(script, 7)).toBe('8:2');
    expect(at(script, 6, 17)).toBe('6:22'); // inside the bare outer arrow: the checked inner one on that line
    expect(at(script, 11)).toBe('12:0');
  });

  it('getPossibleBreakpoints lists nothing in one', () => {
    expect(possibleBreakpoints(script, { line: 0, column: 0 }, { line: 3, column: 0 }, false)).toEqual([]);
    expect(possibleBreakpoints(script, { line: 1, column: 0 }, undefined, true)).toEqual([]);
    expect(possibleBreakpoints(script, { line: 0, column: 0 }, undefined, false).map((l) => `${l.lineNumber + 1}:${l.columnNumber}`)).toEqual(['4:0', '6:22', '6:30', '8:2', '12:0']);
  });

  it('with every entry check kept (entryChecks: all), a breakpoint there stops at its entry', () => {
    const { code } = instrument(TICKS, { filename: '/virtual/all.mjs', moduleType: 'esm', entryChecks: 'all' });
    const table = tableIn(code);
    expect(table.bare).toBeUndefined();
    const module = moduleOf(() => table);
    const all: Script = { id: '8', url: 'file:///virtual/all.mjs', source: TICKS, instrumented: true, isModule: true, sites: module.sites.map((_, i) => siteRef(module, i)), event: {} as never };
    expect(at(all, 2)).toBe('pending: no loop or function entry of its own at or after line 2 in function tick: in trap mode only those can stop the program');
    expect(at(all, 1)).toBe('1:0');
  });
});

describe('resolveLocation: old tables', () => {
  it('reads tables without extents as before: the nearest check at or after', () => {
    const old = scriptOf(COLLATZ);
    for (const site of old.sites) site.endLineNumber = -1;
    expect(at(old, 7)).toBe('10:0');
  });
});
