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
  /** Binds `flags` and `trap` to the runtime and registers the module (see `bindings`). */
  bind: string;
  module: string;
  writeBack: string;
  /** An ES module's import of the runtime's namespace. */
  runtime: string;
}

/** Marks output as instrumented, so instrumenting it again changes nothing. */
export const MARKER = '/*trapdoor:1*/';

export function chooseNames(code: string): Names {
  let prefix = '__td';
  for (let n = 1; code.includes(`${prefix}_`); n++) prefix = `__td${n}`;
  return {
    flags: `${prefix}_F`,
    trap: `${prefix}_T`,
    bind: `${prefix}_R`,
    module: `${prefix}_M`,
    writeBack: `${prefix}_W`,
    runtime: `${prefix}_N`,
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

/**
 * The module's binding to the runtime, appended with the site table after the file's last line, so
 * that no line of the file carries it: an error's excerpt and columns on line 1 stay the plain
 * run's (a header at the top of the file would show in both).
 *
 * Code that runs before the end of the file needs the bindings, so they are hoisted function
 * declarations that stand in until the first check: `F` is a function, whose `F[0]` is undefined,
 * so the first check takes its slow path into the stand-in `T`, which binds `F` and `T` to the
 * runtime's control block and trap, registers the module and does what that check would have done.
 * Every later check runs the normal fast path. The call at the end binds the module that ran no
 * check (it is registered once its body has run). An ES module imports the runtime's namespace
 * (imports hoist); reading it while the runtime is still being evaluated (an import cycle through
 * a module that is not instrumented) throws, and the check is skipped.
 *
 * `shadowed`: names the file declares at top level, which hide CommonJS's `require` and
 * `__filename` from the footer. CommonJS takes the runtime from `require.cache` when a loader put it
 * there (so it is no child of the program's module), else `require`s it.
 */
function bindings(n: Names, moduleType: ModuleType, language: Language, specifier: string, shadowed: Set<string>): string {
  const spec = JSON.stringify(specifier);
  const ts = language === 'ts';
  const any = ts ? ': any' : '';
  const params = ts ? 'm: any, s: any, l: any' : 'm, s, l';
  let load: string;
  if (moduleType === 'esm') {
    load = `try {${n.flags} = ${n.runtime}.flags} catch (e) {return false} ${n.trap} = ${n.runtime}.trap; ${n.runtime}.register(${n.module}, import.meta.url)`;
  } else {
    const self = shadowed.has('__filename') ? 'void 0' : 'typeof __filename === "string" ? __filename : void 0';
    const get = shadowed.has('require')
      ? `module.require(${spec})`
      : `typeof require.cache === "object" && require.cache !== null && require.cache[${spec}] ? require.cache[${spec}].exports : require(${spec})`;
    load = `var r${any} = ${get}; ${n.flags} = r.flags; ${n.trap} = r.trap; r.register(${n.module}, ${self})`;
  }
  const esmImport = moduleType === 'esm' ? `import * as ${n.runtime} from ${spec};` : '';
  return (
    `${esmImport}function ${n.flags}()${any} {}` +
    `function ${n.trap}(${params})${any} {return ${n.bind}() && (${n.flags}[1] = s, ${n.flags}[0]) !== 0 ? ${n.trap}(m, s, l) : void 0}` +
    `function ${n.bind}()${any} {if (typeof ${n.flags} === "function") {${load}} return true}` +
    `var ${n.writeBack}${any};${n.bind}();`
  );
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

export interface TableExtras {
  /** Every insertion as flat (line, column, length) triples, in order: maps generated columns back. */
  shifts: number[];
  /** The input source map, when the code came with one (the runtime chains outer frames through it). */
  inputMap?: unknown;
}

export interface Binding {
  moduleType: ModuleType;
  specifier: string;
  shadowed: Set<string>;
}

/**
 * The module's site table, as a hoisted function declaration appended on a line of its own (so a
 * trailing line comment cannot swallow it). Hoisting makes it callable before the module body
 * runs, which an import cycle can require. The runtime bindings follow it on that line. Format: `ModuleTableV1` in @trapdoor-js/runtime.
 */
export function footer(n: Names, language: Language, file: string, sources: string[], sites: TableSite[], extras: TableExtras, binding: Binding): string {
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
  const glue = bindings(n, binding.moduleType, language, binding.specifier, binding.shadowed);
  return `\n;function ${n.module}()${anyType} {return ${MARKER}${table}}${glue}\n`;
}
