/**
 * Jest's `coverageProvider: 'v8'` under trapdoor (jest-runner.cts): the V8 coverage of a test
 * file without the ranges of trapdoor's own code, so that Jest's report (v8-to-istanbul) counts
 * the statements, branches, functions and lines of the plain run.
 *
 * Every check adds V8 block ranges that never run (the trap call behind `&&`, the `if`'s body),
 * and the runtime bindings and the site table add their own (a conditional, a function never
 * called). v8-to-istanbul maps each range to the original source and reports it as a branch; it
 * takes ignore hints only from the original source, where trapdoor writes none. So the ranges are
 * dropped before Jest reads them: jest-runner asks the test file's Runtime for them
 * (`getAllV8CoverageInfoCopy`) after the test framework, this runner, has run.
 *
 * Which text is trapdoor's is read from the code that ran (Jest's transform result, which
 * trapdoor's transformer wrote last): it is parsed, and the nodes that only trapdoor writes are
 * taken, by the names it chose for its bindings (`__td_F` and the like, a prefix the original
 * code does not contain; the transform picks it so): a check (an `if`, or an `&&` chain in
 * expression position, whose condition reads the control block), the bindings (declarations and
 * imports of those names, the call that registers the module) and the site table (`function
 * __td_M`). A range wholly inside one of them is dropped.
 *
 * One more difference: a loop body written without braces gets them (`for (…) x;` becomes
 * `for (…) {check x;}`), and V8's range for the body then starts at the inserted `{`, which the
 * map leads to the text before it (the `)`), where the plain run's range starts at `x`. A body
 * block whose `{` has no mapping of its own in the file's source map (so trapdoor inserted it)
 * has its ranges moved to the statement it wraps. Every other range is left as it is.
 *
 * A file the project's transformers leave as it is (no input map: commander's lib/*.js under
 * ts-jest, which transforms .ts only) has no source map in the plain run, so Jest's report reads
 * its ranges against the file itself. There the ranges are moved back to the file's own offsets
 * (by the site table's `shifts`, the transform's list of insertions; the table and bindings after
 * the last line end at the file's end) and the file is reported without trapdoor's map, as in the
 * plain run: v8-to-istanbul places some ranges differently with a map than without one.
 */
import fs = require('node:fs');
import nodeModule = require('node:module');
import type * as BabelParser from '@babel/parser';

interface Range {
  startOffset: number;
  endOffset: number;
  count: number;
}
interface FunctionCoverage {
  functionName: string;
  isBlockCoverage: boolean;
  ranges: Range[];
}
interface V8CoverageEntry {
  codeTransformResult?: { code?: string; originalCode?: string; wrapperLength?: number; sourceMapPath?: string | null; [key: string]: unknown };
  result: { url: string; functions: FunctionCoverage[]; [key: string]: unknown };
}

interface Node {
  type: string;
  start?: number | null;
  end?: number | null;
  loc?: { start: { line: number; column: number } } | null;
  [key: string]: unknown;
}

/** What trapdoor wrote in a file: its nodes' [start, end), and the loop bodies it put braces around. */
interface Inserted {
  spans: Array<[number, number]>;
  /** [block start, wrapped statement start, wrapped statement end, block end]. */
  braces: Array<[number, number, number, number]>;
}

const LOOPS = new Set(['ForStatement', 'ForInStatement', 'ForOfStatement', 'WhileStatement', 'DoWhileStatement']);

/** The site table's declaration, which carries the transform's marker: its name gives the prefix. */
const TABLE = /\bfunction (__td\d*)_M\(\)\s*\{\s*return\s*\/\*trapdoor:\d+\*\//;
/**
 * The table's fields, in either version: `shifts:[…]` (an object literal, version 1) or
 * `"shifts":[…]` in the JSON of version 2, whose quotes are `\"` where the string was printed in
 * double quotes.
 */
const SHIFTS = /\bshifts(?:\\?")?:\[([\d,]*)\]/;
const INPUT_MAP = /\binputMap(?:\\?")?:\{/;

/**
 * What was found in each module's code, in this worker: every test file reports the modules it
 * loaded, so a module used by many test files would be parsed again for each.
 */
const seen = new Map<string, Inserted | undefined>();

/** The entries with trapdoor's ranges taken out (entries of files trapdoor did not instrument are the same objects). */
function withoutTrapdoorRanges(entries: V8CoverageEntry[]): V8CoverageEntry[] {
  return entries.map((entry) => {
    const code = entry.codeTransformResult?.code;
    if (typeof code !== 'string') return entry;
    const prefix = TABLE.exec(code)?.[1];
    if (prefix === undefined) return entry;
    let inserted = seen.get(code);
    if (!seen.has(code)) seen.set(code, (inserted = trapdoorNodes(code, prefix, entry.codeTransformResult?.sourceMapPath)));
    if (inserted === undefined || inserted.spans.length === 0) return entry;
    const { spans, braces } = inserted;
    const wrapper = entry.codeTransformResult?.wrapperLength ?? 0;
    const starts = new Map(braces.map(([block, start]) => [block + wrapper, start + wrapper]));
    const ends = new Map(braces.map(([, , end, blockEnd]) => [blockEnd + wrapper, end + wrapper]));
    const functions = entry.result.functions
      .map((fn) => {
        const kept = fn.ranges.filter((range) => !within(spans, range.startOffset - wrapper, range.endOffset - wrapper));
        return {
          ...fn,
          ranges: mergeAcrossRemoved(fn.ranges, kept).map((range) => ({
            ...range,
            startOffset: starts.get(range.startOffset) ?? range.startOffset,
            endOffset: ends.get(range.endOffset) ?? range.endOffset,
          })),
        };
      })
      .filter((fn) => fn.ranges.length > 0);
    const original = entry.codeTransformResult?.originalCode;
    const footer = code.lastIndexOf(`\n;function ${prefix}_M()`);
    if (typeof original !== 'string' || footer < 0 || INPUT_MAP.test(code.slice(footer))) return { ...entry, result: { ...entry.result, functions } };
    // The project left the file as it is: its own offsets, and no map (as in the plain run).
    const toOriginal = originalOffsets(code, original, footer, shiftsOf(code, footer), wrapper);
    const own = functions.map((fn) => ({ ...fn, ranges: fn.ranges.map((range) => ({ ...range, startOffset: toOriginal(range.startOffset), endOffset: toOriginal(range.endOffset) })) }));
    return { ...entry, codeTransformResult: { ...entry.codeTransformResult, sourceMapPath: undefined }, result: { ...entry.result, functions: own } };
  });
}

/**
 * V8 merges a range with the next one when it starts where the first ends and has its count, but
 * only when nothing lies between them in its list, and a check's ranges inside a loop body lay
 * between the body and what follows the loop. Where removing them made two such ranges neighbours,
 * they are merged as V8 merges them in the plain run (the first grows to the second's end, once).
 */
function mergeAcrossRemoved(all: Range[], kept: Range[]): Range[] {
  if (kept.length === all.length) return kept;
  const position = new Map(all.map((range, i) => [range, i]));
  const merged: Range[] = [];
  for (let i = 0; i < kept.length; i++) {
    const range = kept[i]!;
    const next = kept[i + 1];
    const apart = next !== undefined && position.get(next)! !== position.get(range)! + 1;
    if (next !== undefined && apart && next.startOffset === range.endOffset && next.count === range.count) {
      merged.push({ ...range, endOffset: next.endOffset });
      i++;
    } else {
      merged.push(range);
    }
  }
  return merged;
}

/** The site table's insertions: [line (1-based), column, length] in the given code's coordinates. */
function shiftsOf(code: string, footer: number): Array<[number, number, number]> {
  const list = SHIFTS.exec(code.slice(footer))?.[1] ?? '';
  const numbers = list === '' ? [] : list.split(',').map(Number);
  const triples: Array<[number, number, number]> = [];
  for (let i = 0; i + 2 < numbers.length; i += 3) triples.push([numbers[i]!, numbers[i + 1]!, numbers[i + 2]!]);
  return triples;
}

/**
 * Instrumented offset (V8's, with Jest's wrapper) → offset in the code the transform was given.
 * No insertion holds a newline, so lines stay; on a line, each insertion before a column moves it
 * by its length, and a column inside an insertion goes to where the insertion is. The footer
 * (table and bindings after the last line) goes to the end.
 */
function originalOffsets(code: string, original: string, footer: number, shifts: Array<[number, number, number]>, wrapper: number): (offset: number) => number {
  const starts = (text: string) => {
    const result = [0];
    for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) result.push(i + 1);
    return result;
  };
  const generatedStarts = starts(code.slice(0, footer));
  const originalStarts = starts(original);
  const byLine = new Map<number, Array<[number, number]>>();
  for (const [line, column, length] of shifts) {
    let list = byLine.get(line);
    if (list === undefined) byLine.set(line, (list = []));
    list.push([column, length]);
  }
  return (offset) => {
    const at = offset - wrapper;
    if (at >= footer) return original.length + wrapper;
    let low = 0;
    let high = generatedStarts.length - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (generatedStarts[mid]! <= at) low = mid;
      else high = mid - 1;
    }
    const column = at - generatedStarts[low]!;
    let shift = 0;
    let result = column;
    for (const [insertAt, length] of byLine.get(low + 1) ?? []) {
      const generated = insertAt + shift;
      if (column < generated) break;
      if (column < generated + length) {
        result = insertAt;
        shift = -1;
        break;
      }
      shift += length;
    }
    if (shift >= 0) result = column - shift;
    return Math.min((originalStarts[low] ?? original.length) + result, original.length) + wrapper;
  };
}

/** Trapdoor's nodes in `code` (spans in order); undefined when the code does not parse. */
function trapdoorNodes(code: string, prefix: string, mapPath: string | null | undefined): Inserted | undefined {
  const { parse } = require('@babel/parser') as typeof BabelParser;
  let program: Node;
  try {
    program = parse(code, { sourceType: 'unambiguous', allowReturnOutsideFunction: true, allowAwaitOutsideFunction: true, errorRecovery: true }).program as unknown as Node;
  } catch {
    return undefined; // Jest ran it, so it parses; if Babel cannot, the ranges stay as they are
  }
  const ours = (node: unknown): boolean => isNode(node) && node.type === 'Identifier' && typeof node.name === 'string' && node.name.startsWith(`${prefix}_`);
  const flags = `${prefix}_F`;
  const readsFlags = (node: unknown): boolean => isNode(node) && node.type === 'MemberExpression' && isNode(node.object) && node.object.type === 'Identifier' && node.object.name === flags;
  /** `F[0] !== 0` or `(F[1] = site, F[0]) !== 0`, and `&&` chains that start with it: a check's condition (emit.ts). */
  const isCheck = (node: unknown): boolean => {
    if (!isNode(node)) return false;
    if (node.type === 'LogicalExpression') return node.operator === '&&' && isCheck(node.left);
    if (node.type !== 'BinaryExpression' || node.operator !== '!==') return false;
    const left = node.left as Node;
    return readsFlags(left) || (left.type === 'SequenceExpression' && readsFlags((left.expressions as Node[]).at(-1)));
  };
  const bindsOurs = (node: Node): boolean => {
    switch (node.type) {
      case 'VariableDeclaration':
        return (node.declarations as Node[]).every((d) => boundNames(d.id as Node).every((name) => name.startsWith(`${prefix}_`)));
      case 'FunctionDeclaration':
        return ours(node.id);
      case 'ImportDeclaration': {
        const specifiers = node.specifiers as Node[];
        return specifiers.length > 0 && specifiers.every((s) => ours(s.local));
      }
      case 'ExpressionStatement': {
        const expression = node.expression as Node;
        return (expression.type === 'CallExpression' && ours(expression.callee)) || (expression.type === 'AssignmentExpression' && ours(expression.left));
      }
      case 'IfStatement':
        return isCheck(node.test);
      case 'LogicalExpression':
        return isCheck(node);
      default:
        return false;
    }
  };
  const spans: Array<[number, number]> = [];
  const braces: Array<[number, number, number, number]> = [];
  const map = sourceMap(mapPath);
  /** A loop body `{check stmt}` whose `{` the map does not know: braces trapdoor added. */
  const noteBraces = (loop: Node) => {
    const body = loop.body as Node;
    const statements = body.type === 'BlockStatement' ? (body.body as Node[]) : [];
    if (map === undefined || statements.length !== 2 || !bindsOurs(statements[0]!) || bindsOurs(statements[1]!) || !body.loc || typeof body.start !== 'number' || typeof body.end !== 'number') return;
    const { line, column } = body.loc.start;
    const entry = map.findEntry(line - 1, column) as { generatedLine?: number; generatedColumn?: number };
    if (entry.generatedLine === line - 1 && entry.generatedColumn === column) return; // the program's own brace
    braces.push([body.start, statements[1]!.start!, statements[1]!.end!, body.end]);
  };
  const stack: unknown[] = [program];
  while (stack.length > 0) {
    const node = stack.pop();
    if (Array.isArray(node)) {
      stack.push(...(node as unknown[]));
      continue;
    }
    if (!isNode(node)) continue;
    if (bindsOurs(node) && typeof node.start === 'number' && typeof node.end === 'number') {
      spans.push([node.start, node.end]);
      continue;
    }
    if (LOOPS.has(node.type)) noteBraces(node);
    for (const key of Object.keys(node)) {
      if (key === 'loc' || key === 'leadingComments' || key === 'trailingComments' || key === 'innerComments' || key === 'extra') continue;
      const child = node[key];
      if (child !== null && typeof child === 'object') stack.push(child);
    }
  }
  return { spans: spans.sort((a, b) => a[0] - b[0]), braces };
}

/** The file's source map as Jest wrote it beside its transform cache (node:module's reader). */
function sourceMap(path: string | null | undefined): nodeModule.SourceMap | undefined {
  if (typeof path !== 'string') return undefined;
  try {
    return new nodeModule.SourceMap(JSON.parse(fs.readFileSync(path, 'utf8')) as nodeModule.SourceMapPayload);
  } catch {
    return undefined;
  }
}

/** The names a declarator's pattern binds (`{ flags: __td_F }` binds `__td_F`). */
function boundNames(pattern: Node | null | undefined): string[] {
  if (!pattern) return [];
  switch (pattern.type) {
    case 'Identifier':
      return [pattern.name as string];
    case 'ObjectPattern':
      return (pattern.properties as Node[]).flatMap((p) => boundNames((p.type === 'RestElement' ? p.argument : p.value) as Node));
    case 'ArrayPattern':
      return (pattern.elements as Array<Node | null>).flatMap((e) => boundNames(e));
    case 'AssignmentPattern':
      return boundNames(pattern.left as Node);
    case 'RestElement':
      return boundNames(pattern.argument as Node);
    default:
      return ['\0'];
  }
}

/** Whether [start, end) lies inside one of the sorted, disjoint `spans`. */
function within(spans: Array<[number, number]>, start: number, end: number): boolean {
  let low = 0;
  let high = spans.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const [spanStart, spanEnd] = spans[mid]!;
    if (start < spanStart) high = mid - 1;
    else if (start >= spanEnd) low = mid + 1;
    else return end <= spanEnd;
  }
  return false;
}

function isNode(value: unknown): value is Node {
  return value !== null && typeof value === 'object' && typeof (value as { type?: unknown }).type === 'string';
}

export = { withoutTrapdoorRanges };
