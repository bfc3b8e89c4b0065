/**
 * The text the transform inserts. Every piece is one line: no newline is ever inserted before
 * the end of the file, so instrumented code keeps its line numbers even without a source map.
 *
 * The check (DESIGN.md, section 1; chosen by bench/check-forms):
 *
 *     if ((F[1] = 17, F[0]) !== 0) T(M, 17, [a, b]);
 *
 * F is the thread's control block. Word 0 is the request flag; the store of the site index to
 * word 1 keeps JavaScriptCore from hoisting the load of word 0 out of a loop (a plain load is
 * hoisted and never sees the flag; measured on Bun). The slow path passes the locals by
 * position in an array literal, which costs nothing until it runs; a non-undefined result is
 * assigned back to the writable ones.
 */
import type { ModuleType, Language } from './parse.js';
import type { Local } from './scope.js';
import type { SiteKind } from './sites.js';

/** The identifiers the inserted code uses, chosen not to clash with the file's own. */
export interface Names {
  flags: string;
  trap: string;
  register: string;
  module: string;
  writeBack: string;
}

/** Marks output as instrumented, so instrumenting it again changes nothing. */
export const MARKER = '/*trapdoor:1*/';

export function chooseNames(code: string): Names {
  let prefix = '__td';
  for (let n = 1; code.includes(`${prefix}_`); n++) prefix = `__td${n}`;
  return {
    flags: `${prefix}_F`,
    trap: `${prefix}_T`,
    register: `${prefix}_R`,
    module: `${prefix}_M`,
    writeBack: `${prefix}_W`,
  };
}

function condition(n: Names, id: number): string {
  return `(${n.flags}[1] = ${id}, ${n.flags}[0]) !== 0`;
}

function call(n: Names, id: number, locals: Local[]): string {
  return `${n.trap}(${n.module}, ${id}, [${locals.map((l) => l.name).join(', ')}])`;
}

/** `({0: a, 2: c} = W)`: assigns the writable locals back by position, without the array iterator. */
function assignments(n: Names, locals: Local[]): string {
  const targets = locals.flatMap((l, i) => (l.writable ? [`${i}: ${l.name}`] : []));
  return targets.length === 0 ? '' : `({${targets.join(', ')}} = ${n.writeBack})`;
}

/** A check in statement position. */
export function statementCheck(n: Names, id: number, locals: Local[]): string {
  const back = assignments(n, locals);
  if (back === '') return `if (${condition(n, id)}) ${call(n, id, locals)};`;
  return `if (${condition(n, id)} && (${n.writeBack} = ${call(n, id, locals)}) !== void 0) ${back};`;
}

/** A check in expression position, followed by `, ` (for an arrow's expression body). */
export function expressionCheck(n: Names, id: number, locals: Local[]): string {
  const back = assignments(n, locals);
  if (back === '') return `(${condition(n, id)} && ${call(n, id, locals)}, `;
  return `(${condition(n, id)} && (${n.writeBack} = ${call(n, id, locals)}) !== void 0 && ${back}, `;
}

/** Imports the runtime the way the module system expects, and registers the module. */
/**
 * Imports the runtime the way the module system expects, and registers the module.
 * `shadowed`: names the file declares at top level with let/const/class/function, which hide
 * CommonJS's `require` and `__filename` where the header runs.
 */
export function header(n: Names, moduleType: ModuleType, language: Language, specifier: string, shadowed: Set<string>): string {
  const spec = JSON.stringify(specifier);
  const anyType = language === 'ts' ? ': any' : '';
  const requireFn = shadowed.has('require') ? 'module.require' : 'require';
  const load =
    moduleType === 'esm'
      ? `import { flags as ${n.flags}, trap as ${n.trap}, register as ${n.register} } from ${spec};`
      : `const { flags: ${n.flags}, trap: ${n.trap}, register: ${n.register} } = ${requireFn}(${spec});`;
  // The module's own URL, so the runtime can match engine stack frames to this table.
  const self =
    moduleType === 'esm' ? 'import.meta.url'
    : shadowed.has('__filename') ? 'void 0'
    : 'typeof __filename === "string" ? __filename : void 0';
  return `${load}${n.register}(${n.module}, ${self});var ${n.writeBack}${anyType};`;
}

export interface TableSite {
  kind: SiteKind;
  line: number;
  column: number;
  functionName: string;
  locals: Local[];
  sourceIndex: number;
  /** End of the loop or function in the original source (0, 0 when unknown); `flags`: 1 passes `this`, 2 side-effect free. */
  endLine: number;
  endColumn: number;
  flags: number;
}

const KIND_CODE: Record<SiteKind, number> = { loop: 0, function: 1, statement: 2 };

/**
 * The module's site table, as a hoisted function declaration appended on a line of its own (so a
 * trailing line comment cannot swallow it). Hoisting makes it callable before the module body
 * runs, which an import cycle can require. Format: `ModuleTableV1` in @trapdoor-js/runtime.
 */
export interface TableExtras {
  /** Every insertion as flat (line, column, length) triples, in order: maps generated columns back. */
  shifts: number[];
  /** The input source map, when the code came with one (the runtime chains outer frames through it). */
  inputMap?: unknown;
}

export function footer(n: Names, language: Language, file: string, sources: string[], sites: TableSite[], extras: TableExtras): string {
  const rows = sites.map((s) =>
    JSON.stringify([
      KIND_CODE[s.kind],
      s.line,
      s.column,
      s.functionName,
      s.locals.map((l) => l.name).join(','),
      s.locals.map((l) => (l.writable ? '1' : '0')).join(''),
      s.sourceIndex,
      s.endLine,
      s.endColumn,
      s.flags,
    ]),
  );
  const anyType = language === 'ts' ? ': any' : '';
  const input = extras.inputMap === undefined ? '' : `,inputMap:${JSON.stringify(extras.inputMap)}`;
  const table = `{v:1,file:${JSON.stringify(file)},sources:${JSON.stringify(sources)},sites:[${rows.join(',')}],shifts:[${extras.shifts.join(',')}]${input}}`;
  return `\n;function ${n.module}()${anyType} {return ${MARKER}${table}}\n`;
}
