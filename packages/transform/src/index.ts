/**
 * @trapdoor-js/transform: `instrument(code, options)` → `{ code, map, sites }`.
 *
 * A pure function. Parse (parse.ts), walk for sites (sites.ts), choose each site's locals
 * (scope.ts), then insert text (emit.ts), slices joined once. Edits only insert, so TypeScript,
 * JSX and Flow stay as they were, and no newline is inserted, so line numbers stay too.
 */
import { Buffer } from 'node:buffer';
import { TransformError } from './errors.js';
import { parse, parseAsync, type Language, type ModuleType, type Parsed } from './parse.js';
import { SiteWalker, thisOnlyWhereRead, type SiteKind, type SitePlan } from './sites.js';
import { localsAt, type Local } from './scope.js';
import { chooseNames, COVERAGE_HINT, expressionCheck, footer, header, MARKERS, SITE_ARGS, SITE_THROWS, statementCheck, type CheckForm, type TableBare, type TableSite } from './emit.js';
import { insertOnlyMappings } from './insert-map.js';
import { splitLines, type Lines } from './lines.js';
import { chain, decodeDataUrl, findMapComment, InputPositions, parseMap, tableMap, type RawSourceMap } from './source-map.js';

export { TransformError } from './errors.js';
export { codeFrame } from './parse.js';
export type { TransformErrorCode } from './errors.js';
export type { Language, ModuleType } from './parse.js';
export type { RawSourceMap } from './source-map.js';
export type { SiteKind } from './sites.js';

export type Mode = 'trap' | 'debug';

export interface InstrumentOptions {
  /** Path or URL of the file; its extension picks the parser plugins. Used in errors, maps and the site table. */
  filename: string;
  /** A map from `code` back to its original source; an inline `sourceMappingURL` data URL is used when absent. */
  inputSourceMap?: RawSourceMap | string | null;
  /** `trap` (default): checks at loop bodies and function entries. */
  mode?: Mode;
  /** The module specifier instrumented code imports the runtime from. */
  runtime?: string;
  /** How to import the runtime. Default: `.mjs`/`.mts` esm, `.cjs`/`.cts` cjs, else esm if the file has import/export, else cjs. */
  moduleType?: ModuleType;
  /**
   * Where CommonJS output binds the runtime. `auto` (default): on a line without code near the top
   * when there is one (see `headerSpot`), else after the last line. `end`: always after the last
   * line, for a runtime whose error excerpts show the compiled text around the error (Bun's
   * `Module.prototype._compile`), where a header on an early line would show.
   */
  commonJsBindings?: 'auto' | 'end';
  /**
   * What the code is written in, where the filename's extension does not say it: `'js'` for
   * TypeScript that an earlier step already compiled to JavaScript (then no TypeScript-only
   * syntax is inserted either), `'ts'` for TypeScript under another name. Default: from the extension.
   */
  language?: Language;
  /**
   * `needed` (default): no check at the entry of a function that cannot spin by itself (no call
   * or other way to run the program's code outside its loops, free of side effects, no getter,
   * conversion or callback; sites.ts, `entryNeeded`). `all`: a check at every function entry
   * (stepping into, and a breakpoint on the first line of, any function).
   */
  entryChecks?: 'all' | 'needed';
  /**
   * The runtime the output will run on, when known: `node` and `deno` (V8) get the check without
   * the scratch store (`if (F[0] !== 0)`), `bun` and `any` (default) the universal one, whose
   * store JavaScriptCore needs (emit.ts). Output for `node` must not run on Bun: a busy loop
   * there could never be trapped.
   */
  target?: Target;
  /**
   * Mark every inserted check and the runtime bindings with `/* istanbul ignore next *\/`, so that
   * istanbul and Vitest's v8 coverage report the statements, branches, functions and lines of the
   * plain run (the test runners set it). Default false: the comments are bytes for nothing elsewhere.
   */
  coverageHints?: boolean;
  /**
   * `insertMap` with segments only where a token can start (insert-map.ts, `startsOnly`), for a
   * bundler that looks up nodes' starts alone (esbuild). Default false: where tokens start and end.
   */
  insertMapStartsOnly?: boolean;
}

export type Target = 'any' | 'node' | 'deno' | 'bun';
const TARGETS: readonly Target[] = ['any', 'node', 'deno', 'bun'];

export interface Site {
  kind: SiteKind;
  /** Position of the loop or function in the original source: line 1-based, column 0-based. */
  line: number;
  column: number;
  /** The original source (the filename, or a source of the input map). */
  source: string;
  functionName: string;
  /** The locals the check passes, in order; `writable[i]` when the trap may assign `locals[i]` back. */
  locals: string[];
  writable: boolean[];
  /** Where the loop or function is in the instrumented code. */
  generated: { line: number; column: number };
  /** Where the loop or function ends in the original source (exclusive); line 0 when the input map does not say. */
  end: { line: number; column: number };
  /** The check passes `this` too (after the locals), for the debugger's call frame. */
  capturesThis: boolean;
  /** A function whose own code has no effect outside its locals (the runtime may run it for a side-effect-free evaluation). */
  sideEffectFree: boolean;
}

export interface InstrumentResult {
  code: string;
  /** Instrumented code → original source, full resolution, with sourcesContent. */
  map: RawSourceMap;
  /**
   * Instrumented code → the code as given, not chained through the input map: for a bundler,
   * which chains every plugin's map itself, while the sites still name original positions.
   */
  insertMap: RawSourceMap;
  sites: Site[];
  moduleType: ModuleType;
  /** Set when the code came back unchanged on purpose. */
  skipped?: 'ignore-file' | 'instrumented';
}

export const DEFAULT_RUNTIME = '@trapdoor-js/runtime';

export function instrument(code: string, options: InstrumentOptions): InstrumentResult {
  const begun = begin(code, options);
  if (begun.done !== undefined) return begun.done;
  const { filename, moduleType, language, entryChecks } = options;
  return finish(code, options, begun, findSites(code, parse(code, filename, moduleType, begun.ignoreNext, language, begun.lines), begun.ignoreNext, entryChecks));
}

/**
 * `instrument` with oxc's parse on libuv's thread pool (parse.ts, parseAsync): for a caller with
 * several files at once (a bundler's async hooks), whose parses then run beside this thread's
 * work on the others. The same result as `instrument`, byte for byte (parse-oxc.test.ts); Babel
 * parses what oxc does not, as there, on this thread. Bad options and syntax errors reject.
 */
export async function instrumentAsync(code: string, options: InstrumentOptions): Promise<InstrumentResult> {
  const begun = begin(code, options);
  if (begun.done !== undefined) return begun.done;
  const { filename, moduleType, language, entryChecks } = options;
  return finish(code, options, begun, findSites(code, await parseAsync(code, filename, moduleType, begun.ignoreNext, language, begun.lines), begun.ignoreNext, entryChecks));
}

/** What `instrument` knows before the parse: the answer already (`done`), or what the parse and the rest need. */
type Begun = { done: InstrumentResult; givenMap?: undefined; lines?: undefined; ignoreNext?: undefined } | { done?: undefined; givenMap: RawSourceMap | undefined; lines: Lines; ignoreNext: boolean };

/** The options checked, and the files left as they are (instrumented already, ignored) answered. */
function begin(code: string, options: InstrumentOptions): Begun {
  const { filename, mode = 'trap' } = options;
  if (typeof code !== 'string') throw new TransformError('ERR_TRAPDOOR_OPTION', 'instrument: code must be a string', { option: 'code' });
  if (typeof filename !== 'string' || filename === '') {
    throw new TransformError('ERR_TRAPDOOR_OPTION', 'instrument: options.filename must be a non-empty string', { option: 'filename' });
  }
  if (mode === 'debug') {
    throw new TransformError('ERR_TRAPDOOR_OPTION', `${filename}: mode 'debug' (statement checks and a shadow stack) is not available yet; use mode 'trap'`, { option: 'mode' });
  }
  if (mode !== 'trap') throw new TransformError('ERR_TRAPDOOR_OPTION', `instrument: unknown mode ${JSON.stringify(mode)}; expected 'trap'`, { option: 'mode' });
  if (options.language !== undefined && options.language !== 'js' && options.language !== 'ts') {
    throw new TransformError('ERR_TRAPDOOR_OPTION', `instrument: unknown language ${JSON.stringify(options.language)}; expected 'js' or 'ts'`, { option: 'language' });
  }
  if (options.commonJsBindings !== undefined && options.commonJsBindings !== 'auto' && options.commonJsBindings !== 'end') {
    throw new TransformError('ERR_TRAPDOOR_OPTION', `instrument: unknown commonJsBindings ${JSON.stringify(options.commonJsBindings)}; expected 'auto' or 'end'`, { option: 'commonJsBindings' });
  }
  if (options.target !== undefined && !TARGETS.includes(options.target)) {
    throw new TransformError('ERR_TRAPDOOR_OPTION', `instrument: unknown target ${JSON.stringify(options.target)}; expected ${TARGETS.map((t) => `'${t}'`).join(', ')}`, { option: 'target' });
  }
  if (options.entryChecks !== undefined && options.entryChecks !== 'all' && options.entryChecks !== 'needed') {
    throw new TransformError('ERR_TRAPDOOR_OPTION', `instrument: unknown entryChecks ${JSON.stringify(options.entryChecks)}; expected 'all' or 'needed'`, { option: 'entryChecks' });
  }
  if (options.coverageHints !== undefined && typeof options.coverageHints !== 'boolean') {
    throw new TransformError('ERR_TRAPDOOR_OPTION', `instrument: coverageHints must be true or false, not ${JSON.stringify(options.coverageHints)}`, { option: 'coverageHints' });
  }
  if (options.moduleType !== undefined && options.moduleType !== 'esm' && options.moduleType !== 'cjs') {
    throw new TransformError('ERR_TRAPDOOR_OPTION', `instrument: unknown moduleType ${JSON.stringify(options.moduleType)}; expected 'esm' or 'cjs'`, { option: 'moduleType' });
  }

  const givenMap = options.inputSourceMap != null ? parseMap(options.inputSourceMap, filename) : undefined;
  // Either version's marker: output of an older transform is instrumented too.
  if (code.includes('/*trapdoor:') && MARKERS.some((marker) => code.includes(marker))) return { done: unchanged(code, filename, options.moduleType, 'instrumented', givenMap) };
  // The substring first: the pattern scans from every `/*` of the file.
  if (code.includes('trapdoor-ignore-file') && /\/\*\s*trapdoor-ignore-file\s*\*\//.test(code)) return { done: unchanged(code, filename, options.moduleType, 'ignore-file', givenMap) };
  // Before the parse: the oxc parse (parse-oxc.ts) reads positions from it too.
  return { givenMap, lines: splitLines(code), ignoreNext: code.includes('trapdoor-ignore-next') };
}

/** The rest of `instrument`, once the sites are found. */
function finish(code: string, options: InstrumentOptions, begun: Begun & { done?: undefined }, found: ReturnType<typeof findSites>): InstrumentResult {
  const { filename, runtime = DEFAULT_RUNTIME } = options;
  const { givenMap, lines } = begun;
  const { plans, elided, moduleType, language, shadowed, program, comments } = found;

  const comment = findMapComment(code);
  const inputMap = givenMap ?? (comment ? decodeDataUrl(comment.url, filename) : undefined);

  if (plans.length === 0) return unchanged(code, filename, moduleType, undefined, inputMap, lines);

  const names = chooseNames(code);
  const form: CheckForm = options.target === 'node' || options.target === 'deno' ? 'load' : 'store';
  if (form === 'store') thisOnlyWhereRead(plans);
  const hint = options.coverageHints === true ? COVERAGE_HINT : '';
  const input = inputMap ? new InputPositions(inputMap, filename) : undefined;
  const sources: string[] = [filename];
  const tableSites: TableSite[] = [];
  const sites: Site[] = [];
  const inserts: Insert[] = [];
  // Whether an expression check assigns locals back through the module's `W` (else it is not declared).
  let writesBack = false;

  // Where a plan is in the original source (through the input map), and that source's index in the table.
  const place = (plan: SitePlan) => {
    const original = input?.lookup(plan.line, plan.column);
    const source = original?.source ?? filename;
    let sourceIndex = sources.indexOf(source);
    if (sourceIndex < 0) sourceIndex = sources.push(source) - 1;
    return { source, sourceIndex, position: original ?? { line: plan.line, column: plan.column }, end: endPosition(plan, input, source) };
  };

  plans.forEach((plan, id) => {
    const locals = localsAt(plan.frame, plan.block, plan.point);
    const { source, sourceIndex, position, end } = place(plan);
    const flags = (plan.capturesThis ? 1 : 0) | (plan.sideEffectFree ? 2 : 0) | SITE_ARGS | (plan.placement.type === 'expression' ? 0 : SITE_THROWS);
    tableSites.push({ kind: plan.kind, line: position.line, column: position.column, functionName: plan.functionName, locals, sourceIndex, endLine: end.line, endColumn: end.column, flags });
    sites.push({
      kind: plan.kind,
      line: position.line,
      column: position.column,
      source,
      functionName: plan.functionName,
      locals: locals.map((l) => l.name),
      writable: locals.map((l) => l.writable),
      generated: { line: plan.line, column: plan.column },
      end,
      capturesThis: plan.capturesThis,
      sideEffectFree: plan.sideEffectFree,
    });
    if (plan.placement.type === 'expression' && locals.some((l) => l.writable)) writesBack = true;
    // `this` goes last among the values the check passes, after the locals the table lists.
    insertsFor(inserts, plan, id, names, plan.capturesThis ? [...locals, { name: 'this', writable: false }] : locals, form, hint, code, comments);
  });

  // Functions left without an entry check, so that the runtime's breakpoints still see a function there.
  const bare: TableBare[] = elided.map((plan) => {
    const { sourceIndex, position, end } = place(plan);
    return { line: position.line, column: position.column, endLine: end.line, endColumn: end.column, functionName: plan.functionName, sourceIndex };
  });

  // The runtime bindings go on a line without code of the file's, else after its last line (emit.ts).
  const spot =
    moduleType === 'cjs' && options.commonJsBindings === 'end' ? undefined : headerSpot(program, comments, code, lines, plans) ?? (moduleType === 'cjs' ? topWhereLineOneHasChecks(program, plans) : undefined);
  if (spot) inserts.push({ at: spot.at, text: (spot.semicolonFirst ? ';' : '') + header(names, moduleType, language, runtime, shadowed, hint, writesBack), closer: false, depth: 0 });

  const shifts = placeInserts(lines, inserts, plans, sites);
  const binding = spot ? undefined : { moduleType, specifier: runtime, shadowed, writesBack };
  const tail = footer(names, language, filename, sources, tableSites, { shifts, bare, inputMap: input && tableMap(inputMap!, input) }, binding);
  // The map comment is consumed (or stale: its positions no longer fit).
  const instrumented = spliceInserts(code, inserts, comment, tail);

  const insertions = inserts.map(({ at, text }) => ({ at, length: text.length }));
  const end = comment ? comment.start : code.length;
  // Bundlers chain insertMap on every build: token resolution (insert-map.ts). Both maps only
  // when read: the adapters never read `map` (full resolution, chained onto the input's), nor
  // `insertMap` for a build that writes no source map.
  const startsOnly = options.insertMapStartsOnly === true;
  let insertMap: RawSourceMap | undefined;
  let map: RawSourceMap | undefined;
  return {
    code: instrumented,
    get map() {
      if (map === undefined) {
        const ours = rawMap(filename, code, insertOnlyMappings(lines, insertions, end));
        map = inputMap ? chain(ours, inputMap) : ours;
      }
      return map;
    },
    get insertMap() {
      insertMap ??= rawMap(filename, code, insertOnlyMappings(lines, insertions, end, { code, comments, startsOnly }));
      return insertMap;
    },
    sites,
    moduleType,
  };
}

/**
 * The walk over the parsed file. Kept apart so that the AST, the largest thing the transform builds, is garbage
 * by the time the text and the map are built, and a collection then need not mark it.
 */
function findSites(code: string, { ast, moduleType, language }: Parsed, ignoreNext: boolean, entryChecks: 'all' | 'needed' | undefined) {
  const walker = new SiteWalker(code, { ignoreNext, entryChecks });
  walker.program(ast.program);
  return {
    plans: walker.sites.filter((p) => !p.elided),
    elided: walker.sites.filter((p) => p.elided),
    moduleType,
    language,
    shadowed: walker.topLevelLexicalNames(),
    program: ast.program,
    comments: (ast.comments ?? []).map((c) => ({ start: c.start!, end: c.end! })),
  };
}

type Program = import('@babel/types').Program;
interface Range {
  start: number;
  end: number;
}

/**
 * Where the header can go without sharing a line with the file's code, so that no error's excerpt
 * or column shows it: after the directive prologue when only comments follow on that line
 * (directives stay first); else at the start of a line without code (blank or comments only; not
 * inside a block comment, not the hashbang's line) between top-level statements, when the
 * statements before it cannot reach a check: no site in them, no mention of a function declared
 * at the top level (hoisted, so callable from there), no direct `eval`, no `with`. Then every check
 * still runs after the header, as when it was the first line. Undefined when there is no such
 * line: the bindings follow the last line.
 */
function headerSpot(program: Program, comments: Range[], code: string, lines: Lines, plans: SitePlan[]): { at: number; semicolonFirst: boolean } | undefined {
  const inComment = (at: number) => comments.some((c) => c.start < at && at < c.end);
  const { starts } = lines;
  const lineEnd = (i: number) => (i + 1 < starts.length ? starts[i + 1]! : code.length);
  const last = program.directives[program.directives.length - 1];
  if (last) {
    const end = last.end!;
    let line = 0;
    while (line + 1 < starts.length && starts[line + 1]! <= end) line++;
    for (let at = end; at < lineEnd(line); at++) {
      if (!/\s/.test(code[at]!) && !inComment(at) && !comments.some((c) => c.start === at)) return undefined;
    }
    return { at: end, semicolonFirst: code[end - 1] !== ';' };
  }
  const hoisted = new Set<string>();
  for (const statement of program.body) {
    const declaration = statement.type === 'ExportNamedDeclaration' || statement.type === 'ExportDefaultDeclaration' ? statement.declaration : statement;
    if (declaration?.type === 'FunctionDeclaration' && declaration.id) hoisted.add(declaration.id.name);
  }
  const firstSite = plans.reduce((min, p) => Math.min(min, p.start), Infinity);
  let line = 0;
  let from = 0; // where the gap before the next statement begins
  for (const statement of program.body) {
    // A line wholly inside the gap [from, statement.start).
    for (; line < starts.length && lineEnd(line) <= statement.start!; line++) {
      const start = starts[line]!;
      if (start < from || (start === 0 && program.interpreter) || inComment(start)) continue;
      return { at: start === 0 && code.charCodeAt(0) === 0xfeff ? 1 : start, semicolonFirst: false };
    }
    if (firstSite < statement.end! || mayCallIn(statement, hoisted)) return undefined;
    from = statement.end!;
    while (line < starts.length && starts[line]! < from) line++;
  }
  return undefined;
}

/**
 * CommonJS only (an ES module's import after the last line binds the same import): when line 1
 * carries a check already (a minified or UMD file: `(function (global, factory) {…`), its excerpt
 * shows inserted text whatever is done, so the bindings go at the top as constants. After the last
 * line they would be the stand-ins (emit.ts, footerBindings), which the first check replaces: a
 * binding assigned twice (the likely cost: V8 can fold a constant into the code, not such a
 * binding; not traced) (acorn's UMD build parsing terser, bench/overhead, 61 alternating rounds, load 13–18: Node 20
 * 1.07–1.08x at the top, 1.10–1.11x after the last line; Deno 1.08x and 1.22x; session 6). No
 * binding is both constant and initialized before a CommonJS body runs but a function declaration,
 * and the control block is no function (checks reading `F.prototype[0]` of a function never
 * reassigned, the control block put there: no better than the stand-ins in one run, load 7–11).
 */
function topWhereLineOneHasChecks(program: Program, plans: SitePlan[]): { at: number; semicolonFirst: boolean } | undefined {
  if (!plans.some((p) => p.line === 1)) return undefined;
  const first = program.body[0];
  return { at: first ? first.start! : program.end!, semicolonFirst: false };
}

/** Whether running `node` could call a function of the module: it names a hoisted function, calls `eval` or uses `with`. */
function mayCallIn(node: unknown, hoisted: Set<string>): boolean {
  if (node === null || typeof node !== 'object') return false;
  if (Array.isArray(node)) return node.some((n) => mayCallIn(n, hoisted));
  const n = node as { type?: string; name?: string; callee?: { type?: string; name?: string } };
  if (n.type === 'Identifier' && n.name !== undefined && hoisted.has(n.name)) return true;
  if (n.type === 'WithStatement') return true;
  if (n.type === 'CallExpression' && n.callee?.type === 'Identifier' && n.callee.name === 'eval') return true;
  for (const key in node) {
    if (key === 'loc' || key === 'leadingComments' || key === 'trailingComments' || key === 'innerComments' || key === 'extra') continue;
    const value = (node as Record<string, unknown>)[key];
    if (value !== null && typeof value === 'object' && mayCallIn(value, hoisted)) return true;
  }
  return false;
}

/** The end of a site's loop or function in the original source, through the input map (its last character's position, plus one). */
function endPosition(plan: SitePlan, input: InputPositions | undefined, source: string): { line: number; column: number } {
  if (input === undefined) return { line: plan.endLine, column: plan.endColumn };
  const last = input.lookup(plan.endLine, Math.max(0, plan.endColumn - 1));
  return last !== undefined && last.source === source ? { line: last.line, column: last.column + 1 } : { line: 0, column: 0 };
}

interface Insert {
  at: number;
  text: string;
  /** Closers (`}`, `)`) go before openers at the same offset; inner closers first, outer openers first. */
  closer: boolean;
  depth: number;
}

/**
 * Adds the site's inserts to `inserts`. A check in front of a loop body or an arrow's expression
 * body that starts its own line goes at the end of the line before, right after the token before
 * it (`for (…)`, `do`, `=>`; only white space and comments between): the body's line keeps its
 * text and columns, which an error's excerpt and position show. (A statement check always
 * follows a `{` or a directive, so it is on that token's line already.)
 */
function insertsFor(inserts: Insert[], plan: SitePlan, id: number, names: ReturnType<typeof chooseNames>, locals: Local[], form: CheckForm, hint: string, code: string, comments: Range[]): void {
  const p = plan.placement;
  switch (p.type) {
    case 'statement':
      inserts.push({ at: p.at, text: (p.semicolonFirst ? ';' : '') + statementCheck(names, id, locals, form, hint), closer: false, depth: plan.depth });
      return;
    case 'wrap':
      inserts.push(
        { at: endOfLineBefore(code, comments, p.at), text: `{${statementCheck(names, id, locals, form, hint)}`, closer: false, depth: plan.depth },
        { at: p.end, text: '}', closer: true, depth: plan.depth },
      );
      return;
    case 'expression':
      inserts.push(
        { at: endOfLineBefore(code, comments, p.at), text: expressionCheck(names, id, locals, form, hint), closer: false, depth: plan.depth },
        { at: p.end, text: ')', closer: true, depth: plan.depth },
      );
      return;
  }
}

/**
 * Where the token before `at` ends, when only white space and comments lie between it and `at` and
 * they hold a line break; else `at`. `comments` are in order.
 */
function endOfLineBefore(code: string, comments: Range[], at: number): number {
  let pos = at;
  let lineBreak = false;
  for (;;) {
    while (pos > 0) {
      const c = code.charCodeAt(pos - 1);
      if (c === 10 || c === 13 || c === 0x2028 || c === 0x2029) lineBreak = true;
      else if (!(c === 32 || c === 9 || c === 11 || c === 12 || c === 0xa0 || c === 0xfeff || (c > 0x7f && /\s/.test(code[pos - 1]!)))) break;
      pos--;
    }
    const comment = commentEndingAt(comments, pos);
    if (comment === undefined) break;
    // A block comment may hold the line break itself.
    if (!lineBreak && /[\n\r\u2028\u2029]/.test(code.slice(comment.start, comment.end))) lineBreak = true;
    pos = comment.start;
  }
  return lineBreak && pos > 0 ? pos : at;
}

/** The comment that ends at `end`, by binary search (comments do not overlap, so their ends are in order too). */
function commentEndingAt(comments: Range[], end: number): Range | undefined {
  let lo = 0;
  let hi = comments.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const c = comments[mid]!;
    if (c.end === end) return c;
    if (c.end < end) lo = mid + 1;
    else hi = mid - 1;
  }
  return undefined;
}

/**
 * Puts the inserts in offset order and fills in each site's generated column. Returns the
 * inserts as flat (line, column, length) triples for the module table.
 */
function placeInserts(lines: Lines, inserts: Insert[], plans: SitePlan[], sites: Site[]): number[] {
  inserts.sort((a, b) =>
    a.at - b.at || (a.closer === b.closer ? (a.closer ? b.depth - a.depth : a.depth - b.depth) : a.closer ? -1 : 1),
  );

  // No insert holds a newline, so a site keeps its line; its column moves by the inserts before it on that line.
  const starts = lines.starts;
  const order = plans.map((_, i) => i);
  // The walk finds them in order of their start but for a few placements: sort only then.
  if (plans.some((plan, i) => i > 0 && plan.start < plans[i - 1]!.start)) order.sort((a, b) => plans[a]!.start - plans[b]!.start);
  let next = 0;
  let shift = 0;
  let shiftLine = 0;
  for (const i of order) {
    const plan = plans[i]!;
    if (shiftLine !== plan.line) {
      shiftLine = plan.line;
      shift = 0;
    }
    const lineStart = starts[plan.line - 1]!;
    for (; next < inserts.length && inserts[next]!.at <= plan.start; next++) {
      if (inserts[next]!.at >= lineStart) shift += inserts[next]!.text.length;
    }
    sites[i]!.generated = { line: plan.line, column: plan.column + shift };
  }

  const shifts: number[] = [];
  let line = 0;
  for (const insert of inserts) {
    while (line + 1 < starts.length && starts[line + 1]! <= insert.at) line++;
    shifts.push(line + 1, insert.at - starts[line]!, insert.text.length);
  }
  return shifts;
}

/**
 * The code with the (sorted) inserts applied, `removed` cut out and `tail` appended: the slices
 * between inserts, joined once. Hand-written rather than magic-string, which the transform used
 * before: it only ever inserts at offsets, and magic-string's constructor alone allocates arrays
 * the length of the code (its chunk index by offset), which was garbage for every module.
 */
function spliceInserts(code: string, inserts: readonly Insert[], removed: { start: number; end: number } | undefined, tail: string): string {
  const parts: string[] = [];
  let from = 0;
  const copyTo = (to: number): void => {
    if (removed !== undefined && from < removed.end && to > removed.start) {
      if (from < removed.start) parts.push(code.slice(from, removed.start));
      from = Math.min(to, removed.end);
    }
    if (from < to) parts.push(code.slice(from, to));
    from = to;
  };
  for (const insert of inserts) {
    copyTo(insert.at);
    parts.push(insert.text);
  }
  copyTo(code.length);
  parts.push(tail);
  return parts.join('');
}

function unchanged(
  code: string,
  filename: string,
  moduleType: ModuleType | undefined,
  skipped?: 'ignore-file' | 'instrumented',
  inputMap?: RawSourceMap,
  lines?: Lines,
): InstrumentResult {
  // Nothing inserted: the code's own map (if any) already leads back to the original.
  // Built when read: the adapters do not read it for a file they leave as it is.
  let identity: RawSourceMap | undefined;
  const identityMap = () => (identity ??= rawMap(filename, code, insertOnlyMappings(lines ?? splitLines(code), [], code.length)));
  const result: InstrumentResult = {
    code,
    get map() {
      return inputMap ?? identityMap();
    },
    get insertMap() {
      return identityMap();
    },
    sites: [],
    moduleType: moduleType ?? 'cjs',
  };
  if (skipped) result.skipped = skipped;
  return result;
}

function rawMap(filename: string, code: string, mappings: string): RawSourceMap {
  return { version: 3, file: basename(filename), sources: [filename], sourcesContent: [code], names: [], mappings };
}

function basename(filename: string): string {
  return filename.slice(Math.max(filename.lastIndexOf('/'), filename.lastIndexOf('\\')) + 1);
}

/** A `//# sourceMappingURL=data:…` comment for `map`, for callers that want the map inline. */
export function sourceMapComment(map: RawSourceMap): string {
  // Exactly this prefix: Deno applies inline maps only in the form `data:application/json;base64,`.
  return `//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify(map)).toString('base64')}`;
}
