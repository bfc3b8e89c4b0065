/**
 * The text the transform inserts. Every piece is one line: no newline is ever inserted before
 * the end of the file, so instrumented code keeps its line numbers even without a source map.
 *
 * The check (DESIGN.md, section 1; chosen by bench/check-forms and bench/overhead):
 *
 *     if((F[1]=17,F[0])!==0){const w=T(M,17,a,b,this);if(w)if(w.length)a=w[0],b=w[1];else throw w;}
 *     if(F[0]!==0){…}                                                   target node or deno (V8)
 *
 * The text has no white space a token does not need (it is shipped and parsed once per module,
 * about 27 B less per check than the spaced form; the same tokens, so the same bytecode).
 *
 * F is the thread's control block. Word 0 is the request flag; the store of the site index to
 * word 1 keeps JavaScriptCore from hoisting the load of word 0 out of a loop (a plain load is
 * hoisted and never sees the flag; measured on Bun). V8 reloads it at every check, so a known V8
 * target gets the plain load, one store fewer per check.
 *
 * The slow path passes the locals (then `this`) as separate arguments, not in an array literal:
 * a smaller slow path (JavaScriptCore counts code that never runs in the bytecode cost that
 * decides inlining; traced since: see statementCheck) measured faster (bench/overhead on Bun, old form → this one, same run: prettier 1.39–1.44× → 0.99–1.14×,
 * RayTrace 1.22–1.30× → 1.04–1.09×, DeltaBlue 1.33× → 1.02× in one run; Node and Deno
 * unchanged within the noise). `trap()` returns undefined (go on), the locals
 * with new values (an array: assigned back to the writable ones by position), or an error, which
 * the check throws itself (the check tests what comes back for truth, not `!== void 0`: both
 * are objects, and the test is 10 B shorter in every check): so the error is thrown from the program's own frame, where Bun's
 * printer (which shows the stack captured at the throw, not `error.stack`) shows the stuck line
 * first. A site without writable locals throws whatever non-undefined comes back.
 *
 * In expression position (an arrow's expression body) there is no statement to throw with: the
 * site's table row says so (SITE_THROWS not set), and the runtime leaves a passed deadline to the
 * next statement check (trap.ts).
 */
import type { ModuleType, Language } from './parse.js';
import type { Local } from './scope.js';
import type { SiteKind } from './sites.js';

/** The identifiers the inserted code uses, chosen not to clash with the file's own. */
export interface Names {
  flags: string;
  trap: string;
  /** The runtime's `register` (header), or the function that binds `flags` and `trap` (CommonJS footer). */
  bind: string;
  module: string;
  writeBack: string;
  /**
   * A statement check's own block-scoped `const` for what `trap()` returns (a register, not the
   * module's `writeBack`): one letter, since it is written three times or more in every check
   * (about 15 B per check less than a prefixed name; with the truth test, rxjs's esbuild bundle 433 268 → 408 871 B). It shadows
   * nothing the check reads but a local of that name, which the check would pass or assign
   * (a TDZ error): such a check uses `returnedFallback` (`returnedName`).
   */
  returned: string;
  returnedFallback: string;
  /** An ES module's import of the runtime's `register` when the bindings follow the last line. */
  runtimeRegister: string;
}

/**
 * Marks output as instrumented, so instrumenting it again changes nothing; the site table follows
 * it. `2`: the table is a JSON text in a string (ModuleTableV2); `1` (older transforms): an object
 * literal. Readers take both (MARKERS).
 */
export const MARKER = '/*trapdoor:2*/';
/** Every marker a transform has written: code that holds one is instrumented already. */
export const MARKERS = ['/*trapdoor:1*/', MARKER] as const;

export function chooseNames(code: string): Names {
  let prefix = '__td';
  for (let n = 1; code.includes(`${prefix}_`); n++) prefix = `__td${n}`;
  return {
    flags: `${prefix}_F`,
    trap: `${prefix}_T`,
    bind: `${prefix}_R`,
    module: `${prefix}_M`,
    writeBack: `${prefix}_W`,
    returned: 'w',
    returnedFallback: `${prefix}_w`,
    runtimeRegister: `${prefix}_r`,
  };
}

/**
 * How a check reads the request flag. `store` (the universal form): `(F[1] = site, F[0])`, whose
 * store keeps JavaScriptCore from hoisting the load out of a loop. `load` (V8: Node, Deno): a plain
 * `F[0]`, which V8 reloads at every check (test/check-forms-fire.test.ts proves both on the
 * runtimes they are for; bench/check-forms measures them).
 */
export type CheckForm = 'store' | 'load';

function condition(n: Names, id: number, form: CheckForm): string {
  if (form === 'load') return `${n.flags}[0]!==0`;
  return `(${n.flags}[1]=${id},${n.flags}[0])!==0`;
}

function call(n: Names, id: number, locals: Local[]): string {
  // A loop, not map and join: this runs for every site (with indexAssignments, 5% of instrument()'s time on rxjs).
  let args = `${n.module},${id}`;
  for (const l of locals) args += `,${l.name}`;
  return `${n.trap}(${args})`;
}

/**
 * Bits of a site's `flags` in the module table (the runtime's `SiteFlag`) that say how its check
 * talks to `trap()`. Tables without them come from transforms before these checks: the locals in
 * one array, errors thrown by the runtime.
 */
export const SITE_ARGS = 4;
/** The check throws what `trap()` returns when it is not a write-back (a statement check). */
export const SITE_THROWS = 8;

/** `({0: a, 2: c} = W)`: assigns the writable locals back by position, without the array iterator. */
function assignments(n: Names, locals: Local[]): string {
  const targets = locals.flatMap((l, i) => (l.writable ? [`${i}:${l.name}`] : []));
  return targets.length === 0 ? '' : `({${targets.join(',')}}=${n.writeBack})`;
}

/**
 * The comment that keeps a check out of a coverage report (`coverageHints`): istanbul's
 * instrumenter and Vitest's v8 converter (ast-v8-to-istanbul) both skip the node that starts right
 * after it, with everything in it. The v8 spelling is not used: v8-to-istanbul (Jest, c8) reads it
 * as "the next line", which would hide the program's own code on that line.
 */
export const COVERAGE_HINT = '/* istanbul ignore next */';

/**
 * `a = w[0], c = w[2]`: a statement check assigns the writable locals back by index. Smaller
 * bytecode than the destructuring (which also tests for null first), and `w` is never null.
 */
function indexAssignments(w: string, locals: Local[]): string {
  let out = '';
  for (let i = 0; i < locals.length; i++) {
    const l = locals[i]!;
    if (l.writable) out += `${out === '' ? '' : ','}${l.name}=${w}[${i}]`;
  }
  return out;
}

/**
 * A check in statement position. `hint`: '' or COVERAGE_HINT.
 *
 *     if((F[1]=17,F[0])!==0){const w=T(M,17,a,b,this);if(w!==void 0)if(w.length)a=w[0],b=w[1];else throw w;}
 *
 * What `trap()` returns goes to a `const` of the check's own block, not to the module's `W`:
 * JavaScriptCore decides inlining by bytecode cost (about its size in bytes: at most 80 for the
 * DFG, 170 for the FTL; `BUN_JSC_dumpOptions=2`), and every reference to a module-level name
 * costs a scope resolution and a load (16 bytes), where a register costs nothing. With `W` the
 * check cost 192 (a one-parameter function of cost 23 became 215; the FTL inlined no checked
 * function at all); this form costs 126 (`BUN_JSC_dumpGeneratedBytecodes=1`).
 */
export function statementCheck(n: Names, id: number, locals: Local[], form: CheckForm, hint = ''): string {
  const w = returnedName(n, locals);
  const back = indexAssignments(w, locals);
  const slow = `const ${w}=${call(n, id, locals)};if(${w})`;
  // One statement, so that it fits wherever a statement does (the `else` binds to the inner `if`).
  if (back === '') return `${hint}if(${condition(n, id, form)}){${slow}throw ${w};}`;
  return `${hint}if(${condition(n, id, form)}){${slow}if(${w}.length)${back};else throw ${w};}`;
}

/** The name of a statement check's `const`: `returned`, unless the check passes a local of that name. */
function returnedName(n: Names, locals: Local[]): string {
  for (const l of locals) if (l.name === n.returned) return n.returnedFallback;
  return n.returned;
}

/**
 * A check in expression position, followed by `, ` (for an arrow's expression body). With a hint,
 * the check is a property's value in an object that is thrown away, `void {_: hint check}`: a hint
 * right before the check would mark the sequence too (it starts at the same offset) and hide the
 * program's expression after it, and Vite's TypeScript step (oxc) drops comments inside
 * expressions except before a property, its value or a call's argument (measured; istanbul skips
 * on the value, not the property). The object costs an allocation per call in unoptimized code,
 * only there (expression-bodied arrows with a call) and only with hints. The V8 form's condition
 * gets parentheses, so that the check's text stays what side-effects.ts recognizes.
 */
export function expressionCheck(n: Names, id: number, locals: Local[], form: CheckForm, hint = ''): string {
  const back = assignments(n, locals);
  const test = hint !== '' && form === 'load' ? `(${condition(n, id, form)})` : condition(n, id, form);
  const check = back === '' ? `${test}&&${call(n, id, locals)}` : `${test}&&(${n.writeBack}=${call(n, id, locals)})&&${back}`;
  return hint === '' ? `(${check},` : `(void{_:${hint}${check}},`;
}

/**
 * CommonJS reads the runtime from `require.cache` when a loader put it there (so that it is no
 * child of the program's module, and no `Module._load` wrapper of the loader's is needed), else
 * `require`s it. `shadowed`: names the file declares at top level, which hide CommonJS's
 * `require` and `__filename`.
 */
function requireRuntime(spec: string, shadowed: Set<string>): string {
  if (shadowed.has('require')) return `module.require(${spec})`;
  return `(typeof require.cache === "object" && require.cache !== null && require.cache[${spec}] ? require.cache[${spec}].exports : require(${spec}))`;
}

function selfOf(moduleType: ModuleType, shadowed: Set<string>): string {
  if (moduleType === 'esm') return 'import.meta.url';
  return shadowed.has('__filename') ? 'void 0' : 'typeof __filename === "string" ? __filename : void 0';
}

/**
 * The runtime bindings at the top, on a line that holds no code of the file's (the end of the
 * directive prologue's line, or a comment or blank line before the first statement), so that no
 * error's excerpt or column can show them: the module registers before its body runs, and `F`
 * and `T` are bound before any check can read them (or are imports).
 *
 * CommonJS binds them with `var`, not `const`: a `const` that a function reads is checked for
 * its temporal dead zone at every read (V8: `ThrowReferenceErrorIfHole` after the load, a compare
 * and branch in optimized code too; JavaScriptCore: `op_check_tdz`), so every check's fast path
 * paid one test more and its bytecode 2 B more per name (V8), 3 units (JavaScriptCore's inlining
 * cost). Nothing reads them before this line runs: no function of the module can be called before
 * its body starts.
 */
export function header(n: Names, moduleType: ModuleType, language: Language, specifier: string, shadowed: Set<string>, hint = '', writesBack = true): string {
  const spec = JSON.stringify(specifier);
  const load =
    moduleType === 'esm'
      ? `import { flags as ${n.flags}, trap as ${n.trap}, register as ${n.bind} } from ${spec};`
      : `${hint}var { flags: ${n.flags}, trap: ${n.trap}, register: ${n.bind} } = ${requireRuntime(spec, shadowed)};`;
  return `${load}${hint}${n.bind}(${n.module}, ${selfOf(moduleType, shadowed)});${writeBackDeclaration(n, language, writesBack, hint)}`;
}

/**
 * `var W;`, the module's register for what `trap()` returns to an expression check that assigns
 * locals back (statement checks have their own `const`): left out when no check uses it.
 */
function writeBackDeclaration(n: Names, language: Language, writesBack: boolean, hint = ''): string {
  return writesBack ? `${hint}var ${n.writeBack}${language === 'ts' ? ': any' : ''};` : '';
}

/**
 * The runtime bindings after the file's last line, with the site table, for a file whose first
 * line holds code (any text there would show in an error's excerpt and move its columns).
 *
 * - An ES module imports the runtime there (imports hoist) and registers once its body has run; one
 *   that traps before (a busy loop at its top level) is registered by the trap, which finds where
 *   it was loaded from in its caller's frame. No function of ours stands between a check and the
 *   trap: it would be a frame of the program's file in the debugger's stack.
 * - CommonJS needs bindings before its body runs, so `F` and `T` are hoisted function declarations
 *   that stand in until the first check: `F` is a function, whose `F[0]` is undefined, so the first
 *   check takes its slow path into the stand-in `T`, which binds `F` and `T` to the runtime's
 *   control block and trap, registers the module and does what that check would have done. Every
 *   later check runs the normal fast path (the first check's own site has seen two kinds of `F`).
 *   The call at the end binds a module that ran no check. (If that first check traps, which it does
 *   only when a pause is already requested, the stand-in is one more frame in that pause.)
 */
function footerBindings(n: Names, moduleType: ModuleType, language: Language, specifier: string, shadowed: Set<string>, writesBack: boolean): string {
  const spec = JSON.stringify(specifier);
  const ts = language === 'ts';
  const any = ts ? ': any' : '';
  const params = ts ? 'm: any, s: any' : 'm, s';
  const self = selfOf(moduleType, shadowed);
  if (moduleType === 'esm') {
    return `import { flags as ${n.flags}, trap as ${n.trap}, register as ${n.runtimeRegister} } from ${spec};${writeBackDeclaration(n, language, writesBack)}${n.runtimeRegister}(${n.module}, ${self});`;
  }
  const load = `var r${any} = ${requireRuntime(spec, shadowed)}; ${n.flags} = r.flags; ${n.trap} = r.trap; r.register(${n.module}, ${self})`;
  return (
    `function ${n.flags}()${any} {}` +
    `function ${n.trap}(${params})${any} {${n.bind}(); return (${n.flags}[1] = s, ${n.flags}[0]) !== 0 ? ${n.trap}.apply(void 0, arguments) : void 0}` +
    `function ${n.bind}()${any} {if (typeof ${n.flags} === "function") {${load}}}` +
    `${writeBackDeclaration(n, language, writesBack)}${n.bind}();`
  );
}

export interface TableSite {
  kind: SiteKind;
  line: number;
  column: number;
  functionName: string;
  locals: Local[];
  sourceIndex: number;
  /** End of the loop or function in the original source (0, 0 when unknown); `flags`: 1 passes `this`, 2 side-effect free, SITE_ARGS, SITE_THROWS. */
  endLine: number;
  endColumn: number;
  flags: number;
}

const KIND_CODE: Record<SiteKind, number> = { loop: 0, function: 1, statement: 2 };

/** A function the transform gave no entry check (entry elision), so that the runtime still knows it is a function. */
export interface TableBare {
  line: number;
  column: number;
  /** End in the original source (exclusive; 0, 0 when unknown). */
  endLine: number;
  endColumn: number;
  functionName: string;
  sourceIndex: number;
}

export interface TableExtras {
  /** Every insertion as flat (line, column, length) triples, in order: maps generated columns back. */
  shifts: number[];
  /** Functions without an entry check (and no row in `sites`); the field is left out when there are none. */
  bare?: TableBare[];
  /** The input source map, when the code came with one (the runtime chains outer frames through it). */
  inputMap?: unknown;
}

/** Set when the bindings follow the last line (no line of the file could hold the header). */
export interface Binding {
  moduleType: ModuleType;
  specifier: string;
  shadowed: Set<string>;
  /** Some expression check assigns locals back through the module's `W`. */
  writesBack: boolean;
}

/**
 * The module's site table, as a hoisted function declaration appended on a line of its own (so a
 * trailing line comment cannot swallow it). Hoisting makes it callable before the module body
 * runs, which an import cycle can require. The runtime bindings follow it on that line.
 *
 * Format `ModuleTableV2` in @trapdoor-js/runtime: the table is JSON in one string literal, which
 * the runtime parses (`JSON.parse`) when it first needs the table. One token instead of a nested
 * literal of a few hundred: every parser that reads the module (the engine's, at least its
 * pre-parse of the function; a bundler's, which builds a node per element) scans a string and
 * moves on. Not `JSON.parse('…')` in the module: that would be the module's own `JSON` if it
 * declares one. `sources` is left out when it is `[file]`.
 */
export function footer(n: Names, language: Language, file: string, sources: string[], sites: TableSite[], extras: TableExtras, binding?: Binding): string {
  // Each row is what JSON.stringify gives for the array, built as text: numbers are integers, the
  // writable flags only 0 and 1; only the two names need escaping.
  let rows = '';
  for (const s of sites) {
    let names = '';
    let writable = '';
    for (const l of s.locals) {
      names = names === '' && writable === '' ? l.name : `${names},${l.name}`;
      writable += l.writable ? '1' : '0';
    }
    if (rows !== '') rows += ',';
    rows += `[${KIND_CODE[s.kind]},${s.line},${s.column},${JSON.stringify(s.functionName)},${JSON.stringify(names)},"${writable}",${s.sourceIndex},${s.endLine},${s.endColumn},${s.flags}]`;
  }
  const anyType = language === 'ts' ? ': any' : '';
  const fileText = JSON.stringify(file);
  const sourcesField = sources.length === 1 && sources[0] === file ? '' : `,"sources":${JSON.stringify(sources)}`;
  const input = extras.inputMap === undefined ? '' : `,"inputMap":${JSON.stringify(extras.inputMap)}`;
  // A field of its own, not rows of `sites`: readers index `sites` by the id the checks pass.
  const bare = extras.bare === undefined || extras.bare.length === 0 ? '' : `,"bare":[${extras.bare.map((b) => JSON.stringify([b.line, b.column, b.endLine, b.endColumn, b.functionName, b.sourceIndex])).join(',')}]`;
  const json = `{"v":2,"file":${fileText}${sourcesField},"sites":[${rows}],"shifts":[${extras.shifts.join(',')}]${bare}${input}}`;
  const glue = binding ? footerBindings(n, binding.moduleType, language, binding.specifier, binding.shadowed, binding.writesBack) : '';
  return `\n;function ${n.module}()${anyType} {return ${MARKER}${stringLiteral(json)}}${glue}\n`;
}

/**
 * `text` as a single-quoted string literal. JSON has `"` everywhere and `'` rarely, so this quote
 * needs the fewest escapes; backslashes (JSON's own escapes) are doubled, and U+2028/U+2029, which
 * JSON leaves as they are, escaped for engines that predate ES2019.
 */
export function stringLiteral(text: string): string {
  return /[\\'\u2028\u2029]/.test(text) ? `'${text.replace(/[\\'\u2028\u2029]/g, escapeChar)}'` : `'${text}'`;
}

function escapeChar(c: string): string {
  return c === '\\' ? '\\\\' : c === "'" ? "\\'" : c === '\u2028' ? '\\u2028' : '\\u2029';
}
