/**
 * `trapdoor-js/babel`: the Babel plugin, for toolchains built on Babel (babel-jest, Metro,
 * babel-loader). The same analysis and the same check as `instrument()`: at the program's entry it
 * instruments the file as written, parses the result with the file's own parser options, puts that
 * program in place, and points every node's location back at the text as written. No check inserts
 * a newline, so a location only moves by the checks before it on its line, and Babel's own
 * generator then writes a map that leads back to the file (inserted nodes map to where they went).
 *
 * Written by hand: no library rewrites an AST's locations through a map.
 */
import { parse as babelParse, type ParserOptions } from '@babel/parser';
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';
import { pathToFileURL } from 'node:url';
import { TransformError, type InstrumentResult, type RawSourceMap } from '@trapdoor-js/transform';
import { instrumentForBundler } from './bundler-instrument.js';
import { resolveOptions, type TrapdoorPluginOptions } from './options.js';
import { makePolicy } from '../loaders/settings.js';
import { locate } from '../loaders/locations.js';

export type { TrapdoorPluginOptions } from './options.js';

// The few shapes of Babel's API this plugin touches (no @types/babel__core: its `any`s are no help).
interface Position {
  line: number;
  column: number;
  index?: number;
}
interface Loc {
  start: Position;
  end: Position;
}
interface BabelNode {
  type: string;
  start?: number | null;
  end?: number | null;
  loc?: Loc | null;
  leadingComments?: BabelNode[] | null;
  trailingComments?: BabelNode[] | null;
  innerComments?: BabelNode[] | null;
  [key: string]: unknown;
}
interface Program extends BabelNode {
  body: BabelNode[];
  directives: BabelNode[];
  sourceType: 'module' | 'script';
}
interface BabelFile {
  code: string;
  ast: { comments?: BabelNode[] | null };
  inputMap?: { toObject(): RawSourceMap } | null;
  opts: { filename?: string | null; parserOpts?: ParserOptions; root?: string; cwd?: string };
  buildCodeFrameError(node: BabelNode | null, message: string): Error;
}
interface ProgramPath {
  node: Program;
  scope: { crawl(): void };
}
interface BabelApi {
  types: { traverseFast(node: BabelNode, enter: (node: BabelNode) => void): void };
  assertVersion(range: number | string): void;
}

/** Line starts of `code`, as ECMAScript counts lines (the transform's own rule). */
function lineStarts(code: string): number[] {
  const starts = [0];
  for (let i = 0; i < code.length; i++) {
    const c = code.charCodeAt(i);
    if (c === 10 || c === 0x2028 || c === 0x2029 || (c === 13 && code.charCodeAt(i + 1) !== 10)) starts.push(i + 1);
  }
  return starts;
}

/** Moves every location of the instrumented program back onto the text as written. */
function relocate(api: BabelApi, program: Program, comments: BabelNode[], result: InstrumentResult, original: string): void {
  const map = new TraceMap(result.insertMap as never);
  const starts = lineStarts(original);
  const cache = new Map<string, Position>();
  const back = (p: Position): Position => {
    const key = `${p.line}:${p.column}`;
    let found = cache.get(key);
    if (found === undefined) {
      const o = originalPositionFor(map, { line: p.line, column: p.column });
      found = o.line === null ? { line: p.line, column: 0 } : { line: o.line, column: o.column };
      found.index = (starts[found.line - 1] ?? 0) + found.column;
      cache.set(key, found);
    }
    return found;
  };
  const fix = (node: BabelNode): void => {
    if (!node.loc) return;
    const start = back(node.loc.start);
    const end = back(node.loc.end);
    node.loc = { ...node.loc, start: { ...start }, end: { ...end } };
    node.start = start.index;
    node.end = end.index;
  };
  api.types.traverseFast(program, fix);
  for (const comment of comments) fix(comment);
}

/**
 * Registration by the file's URL, written in: Babel commonly compiles ES modules to CommonJS
 * (babel-jest), where `import.meta` would be a syntax error. The call is the one that registers the
 * module's own table (`register(<table>, import.meta.url)`), nothing of the file's own.
 */
function registerByFileUrl(api: BabelApi, program: Program, table: string, url: string): void {
  api.types.traverseFast(program, (node) => {
    if (node.type !== 'CallExpression') return;
    const args = node.arguments as BabelNode[];
    const [first, second] = args;
    if (first?.type !== 'Identifier' || first.name !== table) return;
    if (second?.type === 'MemberExpression' && (second.object as BabelNode).type === 'MetaProperty') {
      args[1] = { type: 'StringLiteral', value: url, loc: second.loc, start: second.start, end: second.end } as BabelNode;
    }
  });
}

export default function trapdoorBabel(api: BabelApi, rawOptions: TrapdoorPluginOptions | undefined) {
  api.assertVersion(7);
  const options = resolveOptions(rawOptions);
  let policy: ((path: string) => boolean) | undefined;
  return {
    name: 'trapdoor',
    visitor: {
      Program(path: ProgramPath, state: { file: BabelFile }) {
        const { file } = state;
        const filename = file.opts.filename;
        if (!filename) return; // code without a file: nothing to name in the site table
        policy ??= makePolicy({ cwd: options.root ?? file.opts.root ?? file.opts.cwd ?? process.cwd(), include: options.include, exclude: options.exclude, ownDirs: locate({ canRead: true }).ownDirs });
        if (!policy(filename)) return;
        let result: InstrumentResult;
        try {
          result = instrumentForBundler(file.code, filename, options.runtime, file.inputMap?.toObject());
        } catch (error) {
          if (error instanceof TransformError && error.code === 'ERR_TRAPDOOR_SYNTAX') throw file.buildCodeFrameError(null, `trapdoor: ${error.message.split('\n')[0]}`);
          throw error;
        }
        if (result.skipped !== undefined || result.sites.length === 0) return;
        const parsed = babelParse(result.code, { ...file.opts.parserOpts, sourceType: path.node.sourceType }) as unknown as { program: Program; comments: BabelNode[] };
        relocate(api, parsed.program, parsed.comments, result, file.code);
        const table = /;function ([\w$]+)\(\)(?:: any)? \{return \/\*trapdoor:\d+\*\//.exec(result.code)?.[1];
        if (result.moduleType === 'esm' && table !== undefined) registerByFileUrl(api, parsed.program, table, pathToFileURL(filename).href);
        path.node.body = parsed.program.body;
        path.node.directives = parsed.program.directives;
        file.ast.comments = parsed.comments;
        path.scope.crawl();
      },
    },
  };
}
