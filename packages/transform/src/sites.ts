/**
 * Finding the sites: one walk over the AST that decides where each check goes and what scope
 * it sees. Nothing is emitted here (see emit.ts); the walk only produces plans.
 *
 * The table below is the whole policy, in the manner of istanbul's visitor: for each node type,
 * what it contributes (a loop site, a function site, a scope, a declaration) — everything else
 * is walked through generically, and type-only syntax (TypeScript, Flow) is skipped.
 */
import { VISITOR_KEYS, FLOW_TYPES } from './visitor-keys.js';
import type * as t from '@babel/types';
import { nextTerminator } from './lines.js';
import { capturesThis, isLocal, markThisUse, newBlock, newFrame, patternNames, type Block, type Declaration, type Frame } from './scope.js';

export type SiteKind = 'loop' | 'function' | 'statement';

/** How the check text is placed. */
export type Placement =
  /** A statement inserted at `at` (after a `{` or after the directives). */
  | { type: 'statement'; at: number; semicolonFirst: boolean }
  /** An unbraced loop body: `{` + check before `at`, `}` after `end`. */
  | { type: 'wrap'; at: number; end: number }
  /** An arrow's expression body: `(` + check + `, ` before `at`, `)` after `end`. */
  | { type: 'expression'; at: number; end: number };

export interface SitePlan {
  kind: SiteKind;
  /** Offset, line (1-based) and column (0-based) of the loop or function in the parsed code. */
  start: number;
  line: number;
  column: number;
  /** Where the loop or function ends (exclusive): line 1-based, column 0-based. */
  endLine: number;
  endColumn: number;
  functionName: string;
  /** The check passes `this` after the locals (scope.ts, `capturesThis`). */
  capturesThis: boolean;
  /**
   * A function site whose own code has no effect outside its locals: it assigns only its own
   * bindings and calls only built-ins known to be free of side effects (see `effect`). What it
   * calls that is instrumented is checked again at its own entry, by the runtime.
   */
  sideEffectFree: boolean;
  placement: Placement;
  /** A function entry check left out as not needed (see `SiteWalker.entryNeeded`): not emitted, not in the table. */
  elided: boolean;
  /** Nesting depth, to order insertions that share an offset. */
  depth: number;
  /** Where the check runs, for choosing its locals (scope.ts). */
  frame: Frame;
  block: Block;
  point: number;
}

type AnyNode = t.Node & Record<string, unknown>;
type Handler = (w: SiteWalker, node: AnyNode, parent: AnyNode | null) => void;

/** Keys that only ever hold types. */
const TYPE_KEYS = new Set([
  'typeAnnotation', 'returnType', 'typeParameters', 'typeArguments', 'superTypeParameters',
  'superTypeArguments', 'implements', 'predicate',
]);

/** TypeScript nodes that carry runtime code; every other `TS*` node is type-only and skipped. */
const TS_RUNTIME = new Set([
  'TSAsExpression', 'TSSatisfiesExpression', 'TSNonNullExpression', 'TSTypeAssertion',
  'TSInstantiationExpression', 'TSParameterProperty', 'TSEnumDeclaration', 'TSEnumMember',
  'TSEnumBody', 'TSModuleDeclaration', 'TSModuleBlock', 'TSExportAssignment',
]);
const FLOW_RUNTIME = new Set(['TypeCastExpression']);
const FLOW = new Set<string>(FLOW_TYPES);

function typeOnly(type: string): boolean {
  if (type.startsWith('TS')) return !TS_RUNTIME.has(type);
  return FLOW.has(type) && !FLOW_RUNTIME.has(type);
}

interface TypePlan {
  handler: Handler | undefined;
  /** Child keys that can hold runtime code. */
  keys: readonly string[];
  skip: boolean;
}

/** Per node type, decided once: the walk touches millions of nodes in a large bundle. */
const PLANS = new Map<string, TypePlan>();

function planFor(type: string): TypePlan {
  let plan = PLANS.get(type);
  if (plan === undefined) {
    plan = {
      handler: HANDLERS[type],
      keys: (VISITOR_KEYS[type] ?? []).filter((k) => !TYPE_KEYS.has(k)),
      skip: typeOnly(type),
    };
    PLANS.set(type, plan);
  }
  return plan;
}

const loop: Handler = (w, node) => w.loop(node as unknown as t.Loop);
const fn: Handler = (w, node, parent) => w.fn(node as unknown as t.Function, parent);
const effect: Handler = (w, node) => w.effect(node);
const runsCode: Handler = (w, node) => w.runsCode(node);
const readsThis: Handler = (w) => w.readsThis();

/** Global functions that only compute a value (beyond converting their argument). */
const PURE_CALLS = new Set(['String', 'Number', 'Boolean', 'parseInt', 'parseFloat', 'isNaN', 'isFinite']);
/** Static methods of built-ins that only compute a value (`Math.*` but `random`). */
const PURE_STATICS: Record<string, Set<string> | 'all'> = {
  Math: 'all',
  Number: new Set(['isInteger', 'isSafeInteger', 'isFinite', 'isNaN', 'parseFloat', 'parseInt']),
  String: new Set(['fromCharCode', 'fromCodePoint']),
  Object: new Set(['keys', 'values', 'entries', 'getPrototypeOf', 'is', 'getOwnPropertyNames']),
  Array: new Set(['isArray']),
  JSON: new Set(['stringify']),
};
/**
 * Method names whose built-in versions (String, Number, Array, Date, Object) only compute a
 * value. A user method of the same name is instrumented, and checked again when it is entered.
 */
const PURE_METHODS = new Set([
  'toString', 'toFixed', 'toPrecision', 'toExponential', 'toLocaleString', 'valueOf', 'toUpperCase', 'toLowerCase',
  'trim', 'trimStart', 'trimEnd', 'padStart', 'padEnd', 'slice', 'substring', 'substr', 'charAt', 'charCodeAt',
  'codePointAt', 'at', 'indexOf', 'lastIndexOf', 'includes', 'startsWith', 'endsWith', 'split', 'repeat', 'concat',
  'join', 'map', 'filter', 'reduce', 'reduceRight', 'some', 'every', 'find', 'findIndex', 'findLast', 'findLastIndex',
  'flat', 'flatMap', 'getTime', 'getFullYear', 'getMonth', 'getDate', 'getDay', 'getHours', 'getMinutes',
  'getSeconds', 'getMilliseconds', 'toISOString', 'toJSON', 'hasOwnProperty',
]);

/**
 * PURE_METHODS that call a function they are given. Such a call counts as free of side effects
 * only when every argument is a function literal (whose entry check stays: `entryNeeded`) or a
 * primitive literal; a function passed by name may have no entry check to refuse it.
 */
const CALLBACK_METHODS = new Set([
  'map', 'filter', 'reduce', 'reduceRight', 'some', 'every', 'find', 'findIndex', 'findLast', 'findLastIndex', 'flatMap',
]);

/** Node type → what it contributes. */
const HANDLERS: Record<string, Handler> = {
  // Sites at every loop body.
  ForStatement: loop,
  ForInStatement: loop,
  ForOfStatement: loop,
  WhileStatement: loop,
  DoWhileStatement: loop,
  // Sites at every function body.
  FunctionDeclaration: fn,
  FunctionExpression: fn,
  ArrowFunctionExpression: fn,
  ObjectMethod: fn,
  ClassMethod: fn,
  ClassPrivateMethod: fn,
  StaticBlock: (w, node) => w.staticBlock(node as unknown as t.StaticBlock),
  TSModuleBlock: (w, node) => w.namespaceBody(node as unknown as t.TSModuleBlock),
  // Scopes and declarations, for the locals.
  BlockStatement: (w, node) => w.block(node as unknown as t.BlockStatement),
  CatchClause: (w, node) => w.catchClause(node as unknown as t.CatchClause),
  SwitchStatement: (w, node) => w.switchStatement(node as unknown as t.SwitchStatement),
  VariableDeclaration: (w, node) => w.variables(node as unknown as t.VariableDeclaration),
  ClassDeclaration: (w, node) => w.classDeclaration(node as unknown as t.ClassDeclaration),
  ClassExpression: (w, node, parent) => w.classBody(node, classExpressionName(node as unknown as t.ClassExpression, parent)),
  WithStatement: (w, node) => w.withStatement(node as unknown as t.WithStatement),
  // Effects, for `sideEffectFree`.
  AssignmentExpression: effect,
  UpdateExpression: effect,
  UnaryExpression: effect,
  CallExpression: effect,
  OptionalCallExpression: effect,
  NewExpression: effect,
  TaggedTemplateExpression: effect,
  YieldExpression: effect,
  AwaitExpression: effect,
  ImportExpression: effect,
  // Code that may run the program's own functions implicitly, for `entryNeeded`.
  SpreadElement: runsCode,
  ArrayPattern: runsCode,
  BinaryExpression: runsCode,
  JSXElement: runsCode,
  JSXFragment: runsCode,
  // Reads of the frame's `this`, for `thisOnlyWhereRead`.
  ThisExpression: readsThis,
  Super: readsThis,
  JSXIdentifier: (w, node) => {
    if (node.name === 'this') w.readsThis();
  },
  // No runtime code to walk.
  ImportDeclaration: () => {},
  TSImportEqualsDeclaration: () => {},
};

export interface WalkOptions {
  /** Offsets just after each `trapdoor-ignore-next` comment; the node that follows gets no sites. */
  ignoreNext: boolean;
  /** `all`: a check at every function entry; `needed` (default): not where `entryNeeded` proves none is needed. */
  entryChecks?: 'all' | 'needed';
}

/**
 * Names under which the language or a library calls a function implicitly: proxy traps,
 * conversions, iteration, thenables, event listener objects. A function defined under one of
 * these names (or a computed one, such as `[Symbol.toPrimitive]`) keeps its entry check.
 */
const IMPLICIT_HOOKS = new Set([
  'get', 'set', 'has', 'apply', 'construct', 'deleteProperty', 'defineProperty', 'getOwnPropertyDescriptor', 'ownKeys',
  'getPrototypeOf', 'setPrototypeOf', 'isExtensible', 'preventExtensions', 'valueOf', 'toString', 'toLocaleString',
  'toJSON', 'next', 'return', 'throw', 'then', 'handleEvent',
]);

export class SiteWalker {
  readonly sites: SitePlan[] = [];
  private frame: Frame;
  private readonly programFrame: Frame;
  private scope: Block;
  private functionName = '';
  private withDepth = 0;
  private ignoring = false;
  private depth = 0;
  private className = '';
  private classDerived = false;
  private switchCase: { scope: Block; start: number; end: number } | null = null;

  constructor(private readonly code: string, private readonly options: WalkOptions) {
    this.frame = newFrame(null, false);
    this.frame.usesThis = true;
    this.programFrame = this.frame;
    this.scope = this.frame.root;
  }

  /**
   * Names the program declares at its top level with let, const, class or function: in
   * CommonJS these shadow the module wrapper's `require` and `__filename` (a hoisted function
   * from the start, a lexical binding in its temporal dead zone until declared).
   */
  topLevelLexicalNames(): Set<string> {
    return new Set(this.programFrame.root.declarations.map((d) => d.name));
  }

  program(program: t.Program): void {
    this.hoistFunctions(program.body, this.scope, program.start ?? 0);
    for (const statement of program.body) this.visit(statement as AnyNode, null);
  }

  visit(node: AnyNode | null | undefined, parent: AnyNode | null): void {
    if (!node) return;
    const plan = planFor(node.type);
    if (plan.skip || node.declare === true) return;
    const ignored = this.options.ignoreNext && hasIgnoreComment(node);
    const wasIgnoring = this.ignoring;
    if (ignored) this.ignoring = true;
    this.depth++;
    if (plan.handler) plan.handler(this, node, parent);
    else this.children(node, plan.keys);
    this.depth--;
    this.ignoring = wasIgnoring;
  }

  private children(node: AnyNode, keys: readonly string[] = planFor(node.type).keys): void {
    for (const key of keys) {
      const value = node[key] as AnyNode | AnyNode[] | null | undefined;
      if (!value) continue;
      if (Array.isArray(value)) {
        for (const child of value) if (child) this.visit(child, node);
      } else if (typeof value.type === 'string') {
        this.visit(value, node);
      }
    }
  }

  // ---- sites ---------------------------------------------------------------------------------

  loop(node: t.Loop): void {
    const head = newBlock(this.scope);
    const outer = this.scope;
    this.scope = head;
    const n = node as AnyNode;
    // Heads first: `for (let i …)` and `for (const k of …)` bindings are initialised in the body.
    for (const key of ['init', 'left', 'right', 'test', 'update'] as const) this.visit(n[key] as AnyNode, n);
    const left = n.left as t.Node | undefined;
    if (left !== undefined && left.type !== 'VariableDeclaration' && !this.assignsLocals(left)) this.frame.impure = true;
    this.body(node.body, (scope, point, placement) => this.addSite('loop', node, placement, scope, point));
    this.scope = outer;
  }

  fn(node: t.Function, parent: AnyNode | null): void {
    if (!node.body) return; // overloads and abstract members have no body
    const constructor = node.type === 'ClassMethod' && node.kind === 'constructor';
    const name = constructor ? this.className : functionName(node, parent);
    let thisFrom = 0;
    if (node.type === 'ArrowFunctionExpression') thisFrom = Infinity;
    else if (constructor && this.classDerived) thisFrom = superCallEnd(node.body as t.BlockStatement);
    let own: SitePlan | undefined;
    this.enterFrame(name, thisFrom, () => {
      if (node.type === 'ArrowFunctionExpression') this.frame.lexicalThis = true;
      // A class constructor makes its `this` (no conversion at its entry): it always passes it.
      if (constructor) this.frame.usesThis = true;
      const params: string[] = [];
      for (const p of node.params) patternNames(p as t.Node, params);
      for (const name of params) this.frame.hoisted.push(declared(name, -1, true, node.start ?? 0));
      for (const p of node.params) this.visit(p as AnyNode, node as AnyNode);
      const body = node.body;
      if (body.type === 'BlockStatement') {
        this.statements(body, this.scope, (point, placement) => (own = this.addSite('function', node, placement, this.scope, point)), body.directives);
      } else {
        const placement: Placement = { type: 'expression', at: body.start!, end: body.end! };
        own = this.addSite('function', node, placement, this.scope, body.start!);
        this.visit(body as AnyNode, node as AnyNode);
      }
      if (own !== undefined) {
        own.sideEffectFree = !this.frame.impure && !node.async && !node.generator;
        if (this.options.entryChecks !== 'all' && !this.entryNeeded(node, parent, own)) own.elided = true;
      }
    });
  }

  /**
   * Whether a function needs its entry check. Every unbounded execution passes a loop's check
   * or a function entry's: a program runs unboundedly only by iterating or by calling without
   * end, and every call lands at a function's entry. A function without loops whose own code
   * runs none of the program's code is bounded by its own length: it cannot spin by itself, nor
   * make anything else spin. So the check is left out of a function that has no loop, call,
   * `new`, tagged template, spread, array destructuring, `in`, `instanceof`, `delete`, class
   * definition or JSX (`runsCode`; a loop counts so that stepping into a function with one, or a
   * breakpoint on its first line, still stops at its entry), unless:
   *  - it is async or a generator (resumed mid-body, not at its entry);
   *  - it is a getter or setter, or is defined under a computed name or a name that the language,
   *    a proxy or a built-in calls implicitly (IMPLICIT_HOOKS, PURE_METHODS): property reads,
   *    writes and conversions, which a function without calls still does, reach those, and a
   *    chain of them could recurse through a structure exponentially without a call in sight.
   *    This also keeps side-effect-free evaluation sound: a function marked side-effect free
   *    calls no function of the program's but through these names, and the entry check of
   *    whatever it reaches that way refuses an impure one (`throwOnSideEffect`);
   *  - it is a function literal passed straight to a call (`sort((a, b) => …)`, `replace(re,
   *    () => …)`, `Array.from(x, f)`): a native loop drives those, and stays pausable at each call.
   * What such a function does not get: stepping into it, or a breakpoint on its first line, stops
   * at the next check after it instead (`entryChecks: 'all'` keeps every entry check).
   * Not caught: a function declared apart and installed as a getter, trap or conversion by a
   * name in a variable (`Object.defineProperty(o, k, { get: g })`) that recurses through
   * property reads on a deep structure. Proved by packages/transform/src/elision.test.ts.
   */
  private entryNeeded(node: t.Function, parent: AnyNode | null, own: SitePlan): boolean {
    if (this.frame.runsCode || node.async || node.generator) return true;
    if (node.type === 'ObjectMethod' || node.type === 'ClassMethod' || node.type === 'ClassPrivateMethod') {
      if (node.kind === 'get' || node.kind === 'set' || node.computed || isHook(node.key as t.Node)) return true;
    }
    if (parent === null) return false;
    switch (parent.type) {
      case 'CallExpression':
      case 'OptionalCallExpression':
      case 'NewExpression':
        return (parent.arguments as t.Node[]).includes(node);
      case 'ObjectProperty':
      case 'ClassProperty':
      case 'ClassPrivateProperty':
      case 'ClassAccessorProperty':
        return parent.value === node && (parent.computed === true || isHook(parent.key as t.Node));
      case 'AssignmentExpression': {
        const left = parent.left as t.Node;
        return left.type === 'MemberExpression' && (left.computed || isHook(left.property as t.Node));
      }
      default:
        return false;
    }
  }

  /** Notes code that may run the program's functions (for `entryNeeded`), then walks it. */
  runsCode(node: AnyNode): void {
    if (node.type !== 'BinaryExpression' || node.operator === 'in' || node.operator === 'instanceof') this.markRunsCode();
    this.children(node);
  }

  private markRunsCode(): void {
    this.frame.runsCode = true;
  }

  /** A `this` or `super` (or a direct `eval`, which may read it): the frame that owns that `this` reads it. */
  readsThis(): void {
    markThisUse(this.frame);
  }

  staticBlock(node: t.StaticBlock): void {
    this.enterFrame('<static_initializer>', 0, () => {
      this.frame.usesThis = true;
      const open = tokenAfter(this.code, node.start! + 'static'.length, '{');
      this.hoistFunctions(node.body, this.scope, open);
      this.addSite('function', node, { type: 'statement', at: open + 1, semicolonFirst: false }, this.scope, open + 1);
      for (const s of node.body) this.visit(s as AnyNode, node as AnyNode);
    });
  }

  /** A TypeScript namespace body runs as a function of its own once compiled; it has no site of its own. */
  namespaceBody(node: t.TSModuleBlock): void {
    this.enterFrame(this.functionName, Infinity, () => {
      this.frame.lexicalThis = true;
      this.hoistFunctions(node.body, this.scope, node.start!);
      for (const s of node.body) this.visit(s as AnyNode, node as AnyNode);
    });
  }

  private addSite(kind: SiteKind, node: t.Node, placement: Placement, scope: Block, point: number): SitePlan | undefined {
    // Inside `with`, every identifier (the check's own included) is looked up on the object
    // first, which a Proxy observes: no checks there, nor in functions defined there.
    if (this.ignoring || this.withDepth > 0 || this.frame.insideWith) return undefined;
    const plan: SitePlan = {
      kind,
      start: node.start!,
      line: node.loc!.start.line,
      column: node.loc!.start.column,
      endLine: node.loc!.end.line,
      endColumn: node.loc!.end.column,
      functionName: this.functionName,
      capturesThis: capturesThis(this.frame, point),
      sideEffectFree: false,
      placement,
      elided: false,
      depth: this.depth,
      frame: this.frame,
      block: scope,
      point,
    };
    this.sites.push(plan);
    return plan;
  }

  /** A loop body: a block gets the check after its `{`; any other statement is wrapped in braces. */
  private body(body: t.Statement, site: (scope: Block, point: number, placement: Placement) => void): void {
    // A function with a loop keeps its entry check (`entryNeeded`): stepping into it, and a
    // breakpoint on its first line, stop at its entry as before; one check is little beside a loop.
    this.frame.runsCode = true;
    if (body.type === 'BlockStatement') {
      const scope = newBlock(this.scope);
      this.statements(body, scope, (point, placement) => site(scope, point, placement));
    } else {
      site(this.scope, body.start!, { type: 'wrap', at: body.start!, end: body.end! });
      this.visit(body as AnyNode, null);
    }
  }

  /** A `{ … }` whose scope is `scope`: the site (if any) goes after the `{` and the directives. */
  private statements(
    block: t.BlockStatement,
    scope: Block,
    site: ((point: number, placement: Placement) => void) | null,
    directives: t.Directive[] = [],
  ): void {
    const outer = this.scope;
    this.scope = scope;
    this.hoistFunctions(block.body, scope, block.start!);
    if (site) {
      const last = directives[directives.length - 1];
      const at = last ? last.end! : block.start! + 1;
      site(at, { type: 'statement', at, semicolonFirst: last !== undefined && this.code[at - 1] !== ';' });
    }
    for (const s of block.body) this.visit(s as AnyNode, block as AnyNode);
    this.scope = outer;
  }

  private enterFrame(name: string, thisFrom: number, body: () => void): void {
    const saved = { frame: this.frame, scope: this.scope, name: this.functionName, withDepth: this.withDepth, switchCase: this.switchCase };
    this.frame = newFrame(this.frame, this.withDepth > 0 || this.frame.insideWith, thisFrom);
    this.scope = this.frame.root;
    this.functionName = name;
    this.withDepth = 0;
    this.switchCase = null;
    body();
    ({ frame: this.frame, scope: this.scope, name: this.functionName, withDepth: this.withDepth, switchCase: this.switchCase } = saved);
  }

  // ---- scopes and declarations ---------------------------------------------------------------

  block(node: t.BlockStatement): void {
    this.statements(node, newBlock(this.scope), null);
  }

  catchClause(node: t.CatchClause): void {
    const outer = this.scope;
    this.scope = newBlock(outer);
    if (node.param) {
      for (const name of patternNames(node.param)) this.declare(name, node.param.end!, true, node.param.start!);
      this.visit(node.param as AnyNode, node as AnyNode);
    }
    this.statements(node.body, newBlock(this.scope), null);
    this.scope = outer;
  }

  /**
   * Cases share one scope, but control can enter at any case: a `let` of another case may be in
   * its temporal dead zone, so it shadows without ever being captured.
   */
  switchStatement(node: t.SwitchStatement): void {
    this.visit(node.discriminant as AnyNode, node as AnyNode);
    const outer = this.scope;
    const savedCase = this.switchCase;
    this.scope = newBlock(outer);
    const hoistedAt = node.start!;
    for (const c of node.cases) this.hoistFunctions(c.consequent, this.scope, hoistedAt);
    for (const c of node.cases) {
      this.switchCase = { scope: this.scope, start: c.start!, end: c.end! };
      if (c.test) this.visit(c.test as AnyNode, c as AnyNode);
      for (const s of c.consequent) this.visit(s as AnyNode, c as AnyNode);
    }
    this.switchCase = savedCase;
    this.scope = outer;
  }

  variables(node: t.VariableDeclaration): void {
    for (const d of node.declarations) {
      const names = patternNames(d.id);
      if (node.kind === 'var') {
        for (const name of names) this.frame.hoisted.push(declared(name, -1, true, d.start!));
      } else {
        for (const name of names) this.declare(name, d.end!, node.kind === 'let', d.start!);
      }
      this.visit(d.id as AnyNode, d as AnyNode);
      this.visit(d.init as AnyNode, d as AnyNode);
    }
  }

  classDeclaration(node: t.ClassDeclaration): void {
    if (node.id) this.declare(node.id.name, node.end!, false, node.start!);
    this.classBody(node as AnyNode, node.id?.name ?? '');
  }

  /** Engines name a class's constructor frames after the class. */
  classBody(node: AnyNode, name: string): void {
    const outer = { name: this.className, derived: this.classDerived };
    this.className = name;
    this.classDerived = node.superClass != null;
    // Defining a class runs its static parts and computed keys: not tracked, so it counts as an effect.
    this.frame.impure = true;
    this.markRunsCode();
    this.children(node);
    ({ name: this.className, derived: this.classDerived } = outer);
  }

  /**
   * Marks the frame impure when `node` may have an effect outside it: an assignment to anything
   * but the frame's own bindings, `delete`, `new`, a tagged template, `yield`/`await`, `import()`,
   * a call of anything but a built-in known to be free of side effects. Then walks it.
   */
  effect(node: AnyNode): void {
    if (!this.frame.impure && !this.effectFree(node)) this.frame.impure = true;
    if (node.type === 'CallExpression' && (node.callee as t.Node).type === 'Identifier' && (node.callee as t.Identifier).name === 'eval') this.readsThis();
    // Assignments and updates run no code of the program's but setters (which keep their checks); `delete` may run a proxy's trap.
    const type = node.type;
    if ((type !== 'AssignmentExpression' && type !== 'UpdateExpression' && type !== 'UnaryExpression') || (type === 'UnaryExpression' && node.operator === 'delete')) this.markRunsCode();
    this.children(node);
  }

  private effectFree(node: AnyNode): boolean {
    switch (node.type) {
      case 'AssignmentExpression':
        return this.assignsLocals(node.left as t.Node);
      case 'UpdateExpression':
        return this.assignsLocals(node.argument as t.Node);
      case 'UnaryExpression':
        return node.operator !== 'delete';
      case 'CallExpression':
      case 'OptionalCallExpression':
        return this.pureCallee(node.callee as t.Node) && this.pureArguments(node);
      default:
        return false;
    }
  }

  /** Whether an assignment target names only the frame's own bindings. */
  private assignsLocals(target: t.Node | null): boolean {
    if (target === null) return true;
    switch (target.type) {
      case 'Identifier':
        return isLocal(this.frame, this.scope, target.name);
      case 'ObjectPattern':
        return target.properties.every((p) => this.assignsLocals(p.type === 'RestElement' ? p : (p.value as t.Node)));
      case 'ArrayPattern':
        return target.elements.every((e) => this.assignsLocals(e));
      case 'AssignmentPattern':
        return this.assignsLocals(target.left);
      case 'RestElement':
        return this.assignsLocals(target.argument);
      case 'TSAsExpression':
      case 'TSSatisfiesExpression':
      case 'TSNonNullExpression':
      case 'TSTypeAssertion':
      case 'TypeCastExpression':
      case 'ParenthesizedExpression':
        return this.assignsLocals(target.expression as t.Node);
      default:
        return false;
    }
  }

  /** Arguments a callback-taking method may call: only function literals (and primitives). */
  private pureArguments(node: AnyNode): boolean {
    const callee = node.callee as t.Node;
    if (callee.type !== 'MemberExpression' && callee.type !== 'OptionalMemberExpression') return true;
    const property = callee.property as t.Node;
    const name = !callee.computed && property.type === 'Identifier' ? property.name : callee.computed && property.type === 'StringLiteral' ? property.value : undefined;
    if (name === undefined || !CALLBACK_METHODS.has(name)) return true;
    return (node.arguments as t.Node[]).every(
      (a) => a.type === 'ArrowFunctionExpression' || a.type === 'FunctionExpression' || a.type === 'NumericLiteral' || a.type === 'StringLiteral' || a.type === 'BooleanLiteral' || a.type === 'NullLiteral',
    );
  }

  private pureCallee(callee: t.Node): boolean {
    if (callee.type === 'Identifier') return PURE_CALLS.has(callee.name) && !isLocal(this.frame, this.scope, callee.name);
    if (callee.type !== 'MemberExpression' && callee.type !== 'OptionalMemberExpression') return false;
    const property = callee.property as t.Node;
    const name =
      !callee.computed && property.type === 'Identifier' ? property.name
      : callee.computed && property.type === 'StringLiteral' ? property.value
      : undefined;
    if (name === undefined) return false;
    const object = callee.object as t.Node;
    if (object.type === 'Identifier' && Object.hasOwn(PURE_STATICS, object.name) && !isLocal(this.frame, this.scope, object.name)) {
      const allowed = PURE_STATICS[object.name]!;
      return allowed === 'all' ? name !== 'random' : allowed.has(name);
    }
    return PURE_METHODS.has(name);
  }

  withStatement(node: t.WithStatement): void {
    this.frame.impure = true;
    this.markRunsCode();
    this.visit(node.object as AnyNode, node as AnyNode);
    this.withDepth++;
    this.visit(node.body as AnyNode, node as AnyNode);
    this.withDepth--;
  }

  /** Function declarations are initialised when their block is entered. */
  private hoistFunctions(statements: t.Statement[], scope: Block, blockStart: number): void {
    for (let s of statements as t.Node[]) {
      if (s.type === 'ExportNamedDeclaration' || s.type === 'ExportDefaultDeclaration') s = s.declaration as t.Node;
      if (s?.type === 'FunctionDeclaration' && s.id && !(s as AnyNode).declare) {
        scope.declarations.push(declared(s.id.name, blockStart, false, s.start!));
      }
    }
  }

  private declare(name: string, readyAt: number, writable: boolean, order: number): void {
    const d = declared(name, readyAt, writable, order);
    // Declared directly in a switch case: initialised only for checks later in that same case.
    const c = this.switchCase;
    if (c !== null && c.scope === this.scope) d.onlyWithin = { start: c.start, end: c.end };
    this.scope.declarations.push(d);
  }
}

/**
 * The universal check form (JavaScriptCore's: targets `bun` and `any`) passes `this` only in a
 * frame whose own code reads it (`Frame.usesThis`); the V8 form wherever `capturesThis` allows.
 * JavaScriptCore emits `op_to_this` at the entry of every function whose body mentions `this`,
 * strict functions included, and in its first two tiers (LLInt, Baseline) that instruction calls
 * into the runtime at every entry whose `this` is not an ordinary object, such as a plain call's
 * `undefined`: so the check's own mention cost every call of a function that never reads `this`
 * (`node bench/check-forms/this-entry.mjs`: up to the Baseline tier, a checked two-parameter
 * function's calls took 2.06× the plain function's with `this` passed, 1.54× without; and
 * TypeScript's compiler on Bun, bench:overhead paired with the earlier copies: 0.865×). Where the
 * function reads `this` itself the conversion is there anyway, and passing it costs nothing
 * until the slow path runs. Elsewhere a paused frame's `this` shows as `undefined`: a value the
 * function's own code never reads. Plans are changed in place.
 */
export function thisOnlyWhereRead(plans: SitePlan[]): void {
  for (const plan of plans) if (plan.capturesThis && !plan.frame.usesThis) plan.capturesThis = false;
}

/** The end of the first `super(…)` statement of a constructor's own body; `Infinity` without one. */
function superCallEnd(body: t.BlockStatement): number {
  for (const s of body.body) {
    if (s.type === 'ExpressionStatement' && s.expression.type === 'CallExpression' && s.expression.callee.type === 'Super') return s.end!;
  }
  return Infinity;
}

function declared(name: string, readyAt: number, writable: boolean, order: number): Declaration {
  return { name, readyAt, writable, order };
}

function isHook(key: t.Node): boolean {
  const name = key.type === 'Identifier' ? key.name : key.type === 'StringLiteral' ? key.value : undefined;
  return name !== undefined && (IMPLICIT_HOOKS.has(name) || PURE_METHODS.has(name));
}

function hasIgnoreComment(node: AnyNode): boolean {
  const comments = node.leadingComments as t.Comment[] | null | undefined;
  return !!comments && comments.some((c) => /^\s*trapdoor-ignore-next\b/.test(c.value));
}

/** The name a debugger shows for a function, inferred as engines do for anonymous ones. */
function functionName(node: t.Function, parent: AnyNode | null): string {
  if ((node.type === 'FunctionDeclaration' || node.type === 'FunctionExpression') && node.id) return node.id.name;
  if (node.type === 'ObjectMethod' || node.type === 'ClassMethod' || node.type === 'ClassPrivateMethod') {
    const key = keyName(node.key as t.Node, node.computed ?? false);
    if (node.kind === 'get' || node.kind === 'set') return `${node.kind} ${key}`;
    return key;
  }
  if (!parent) return '';
  switch (parent.type) {
    case 'VariableDeclarator':
      return parent.id && (parent.id as t.Node).type === 'Identifier' ? (parent.id as t.Identifier).name : '';
    case 'AssignmentExpression':
    case 'AssignmentPattern': {
      const left = parent.left as t.Node;
      if (left.type === 'Identifier') return left.name;
      if (left.type === 'MemberExpression' && !left.computed) return keyName(left.property as t.Node, false);
      return '';
    }
    case 'ObjectProperty':
    case 'ClassProperty':
    case 'ClassPrivateProperty':
    case 'ClassAccessorProperty':
      return keyName(parent.key as t.Node, (parent.computed as boolean) ?? false);
    default:
      return '';
  }
}

function classExpressionName(node: t.ClassExpression, parent: AnyNode | null): string {
  if (node.id) return node.id.name;
  if (parent?.type === 'VariableDeclarator' && (parent.id as t.Node).type === 'Identifier') return (parent.id as t.Identifier).name;
  return '';
}

function keyName(key: t.Node, computed: boolean): string {
  if (computed) return '';
  switch (key.type) {
    case 'Identifier':
      return key.name;
    case 'PrivateName':
      return `#${key.id.name}`;
    case 'StringLiteral':
      return key.value;
    case 'NumericLiteral':
      return String(key.value);
    default:
      return '';
  }
}

/** Offset of `token` at or after `from`, skipping whitespace and comments. */
function tokenAfter(code: string, from: number, token: string): number {
  let i = from;
  while (i < code.length) {
    if (code.startsWith(token, i)) return i;
    if (code.startsWith('//', i)) i = nextTerminator(code, i) === -1 ? code.length : nextTerminator(code, i);
    else if (code.startsWith('/*', i)) i = code.indexOf('*/', i + 2) + 2;
    else i++;
  }
  throw new Error(`trapdoor: expected '${token}' after offset ${from}`);
}
