import { parse } from '@babel/parser';
import { decodedMappings, generatedPositionFor, originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';
import { describe, expect, it } from 'vitest';
import { instrument } from './index.js';
import { insertOnlyMappings } from './insert-map.js';
import { splitLines } from './lines.js';

const src = [
  '/** A doc comment that spans',
  ' * two lines, with words: a.b(c) */',
  'export function spin(limit: number): number | null {',
  '  let found = null, attempts = 0; // trailing comment',
  '  while (found === null) { attempts++; if (attempts >= limit) found = attempts }',
  '  return found?.valueOf() ?? null;',
  '}',
  'const f = (x) => { for (const k of [x]) { /* inner */ x += k } return `t${x}` };',
  '\tconst $ä = f(1), s = "a b", re = /x+/g;',
  // Bodies on their own line: their checks follow the token on the line before.
  'const describe = (value) =>',
  '  value.toFixed(digits); // a comment',
  'for (const value of values) /* between */',
  '  describe(value);',
].join('\n');

const tokensOf = (code: string) =>
  parse(code, { sourceType: 'module', plugins: ['typescript'], tokens: true }).tokens!.filter((t: { start: number; end: number }) => t.end > t.start) as {
    start: number;
    end: number;
    loc: { start: { line: number; column: number }; end: { line: number; column: number } };
  }[];

const map = (mappings: string) => new TraceMap({ version: 3, sources: ['x.js'], names: [], mappings } as never);

describe('insertMap (token resolution)', () => {
  const result = instrument(src, { filename: '/src/spin.ts' });
  const ours = new TraceMap(result.insertMap as never);
  // The full-resolution map, exact for every character, says where each original character went.
  const full = new TraceMap(result.map as never);
  const generatedOf = (line: number, column: number) => generatedPositionFor(full, { source: '/src/spin.ts', line, column });

  it('maps the start and the end of every original token (comments too) exactly', () => {
    const tokens = tokensOf(src);
    expect(tokens.length).toBeGreaterThan(100);
    for (const t of tokens) {
      const { line, column } = t.loc.start;
      const start = generatedOf(line, column);
      expect(originalPositionFor(ours, { line: start.line!, column: start.column! }), `start of ${src.slice(t.start, t.end)}`).toMatchObject({ line, column });
      // The end: one past the token's last character, in the output too.
      const last = generatedOf(t.loc.end.line, t.loc.end.column - 1);
      expect(originalPositionFor(ours, { line: last.line!, column: last.column! + 1 }), `end of ${src.slice(t.start, t.end)}`).toMatchObject({ line: t.loc.end.line, column: t.loc.end.column });
    }
  });

  it('maps inserted text to where it was inserted: a token of the program that ends there ends there', () => {
    // The check at the function's entry goes right after `{` on line 3 (column 51).
    const open = generatedOf(3, 51);
    expect(originalPositionFor(ours, { line: open.line!, column: open.column! + 1 })).toMatchObject({ line: 3, column: 52 });
    expect(result.code.split('\n')[2]!.length).toBeGreaterThan(open.column! + 20);
    expect(originalPositionFor(ours, { line: open.line!, column: open.column! + 20 })).toMatchObject({ line: 3, column: 52 });
  });

  it('has several times fewer segments than full resolution, and none inside comments but at line starts', () => {
    const count = (mappings: string) => mappings.split(/[;,]/).filter(Boolean).length;
    expect(count(result.insertMap.mappings) * 2).toBeLessThan(count(result.map.mappings));
    // Line 2 is inside the doc comment, which ends it: a segment at its start and one at its end.
    expect(decodedMappings(ours)[1]!.map((s) => s[3])).toEqual([0, src.split('\n')[1]!.length]);
  });

  it('puts a segment where the kind of character changes, at each punctuator and at the line end', () => {
    const code = 'ab  +=cd(e)\n\tx';
    const columns = decodedMappings(map(insertOnlyMappings(splitLines(code), [], code.length, { code, comments: [] }))).map((line) => line.map((s) => s[0]));
    expect(columns).toEqual([[0, 2, 4, 5, 6, 8, 9, 10, 11], [0, 1, 2]]);
  });

  it('startsOnly: no segment where white space starts (indentation too) or at a line end, but where text is inserted there', () => {
    const code = 'ab  +=cd(e)\n\tx {\ny';
    const columns = (insertions: { at: number; length: number }[]) =>
      decodedMappings(map(insertOnlyMappings(splitLines(code), insertions, code.length, { code, comments: [], startsOnly: true }))).map((line) => line.map((s) => [s[0], s[3]]));
    expect(columns([])).toEqual([[[0, 0], [4, 4], [5, 5], [6, 6], [8, 8], [9, 9], [10, 10]], [[1, 1], [3, 3]], [[0, 0]]]);
    // A check inserted after `{` at the end of line 2 starts where the line ended.
    expect(columns([{ at: 16, length: 5 }])[1]).toEqual([[1, 1], [3, 3], [4, 4]]);
    // A check inserted at an indented line's start: from where it ends, as before (the inserted text itself is not looked up).
    expect(columns([{ at: 12, length: 5 }])[1]).toEqual([[5, 0], [6, 1], [8, 3]]);
  });

  it('startsOnly: a comment has one segment, where it starts; the full token map has one at each of its lines too', () => {
    const code = '  /** a\n   * b */ x\n/* c\n*/';
    const comments = [{ start: 2, end: 17 }, { start: 20, end: 27 }];
    const columns = (startsOnly: boolean) =>
      decodedMappings(map(insertOnlyMappings(splitLines(code), [], code.length, { code, comments, startsOnly }))).map((line) => line.map((s) => s[3]));
    expect(columns(true)).toEqual([[0, 2], [10], [0], []]);
    expect(columns(false)).toEqual([[0, 2, 7], [0, 9, 10, 11], [0, 4], [0, 2]]);
  });

  it('shifts the columns after an insertion, on its line only', () => {
    const code = 'ab cd\nef';
    const trace = map(insertOnlyMappings(splitLines(code), [{ at: 3, length: 10 }], code.length, { code, comments: [] }));
    expect(originalPositionFor(trace, { line: 1, column: 13 })).toMatchObject({ line: 1, column: 3 });
    expect(originalPositionFor(trace, { line: 1, column: 15 })).toMatchObject({ line: 1, column: 5 });
    expect(originalPositionFor(trace, { line: 1, column: 2 })).toMatchObject({ line: 1, column: 2 });
    expect(originalPositionFor(trace, { line: 1, column: 5 })).toMatchObject({ line: 1, column: 3 });
    expect(originalPositionFor(trace, { line: 2, column: 1 })).toMatchObject({ line: 2, column: 0 });
    expect(originalPositionFor(trace, { line: 2, column: 2 })).toMatchObject({ line: 2, column: 2 });
  });
});
