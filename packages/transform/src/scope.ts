/**
 * Which locals a check may read. DESIGN.md, section 2: only the current function's own
 * bindings, and only those certainly initialised at the check: parameters, `var`s, hoisted
 * function declarations, and `let`/`const`/`class` whose declaration dominates the check.
 * A name declared in an enclosing block but not yet initialised shadows any outer binding of
 * the same name, so it is left out altogether (reading it would throw).
 *
 * Scopes are recorded while walking and resolved after the walk, when every block's
 * declarations are known (a `var` or a shadowing `let` may come after the check in the text).
 */
import type { Node } from '@babel/types';

export interface Declaration {
  name: string;
  /** Offset after which the binding is initialised (hoisted bindings: their scope's start). */
  readyAt: number;
  /** May the trap assign a new value back (let, var, parameter, catch parameter)? */
  writable: boolean;
  /** Offset used to order the captured locals as they appear in the source. */
  order: number;
  /** Declared directly in a `switch` case: initialised only for checks inside that case. */
  onlyWithin?: { start: number; end: number };
}

/** A lexical scope inside one function: a block, a loop head, a catch clause, a switch case. */
export interface Block {
  readonly parent: Block | null;
  readonly declarations: Declaration[];
}

/** A function, the program, a class static block or a TypeScript namespace body. */
export interface Frame {
  readonly parent: Frame | null;
  /** Parameters and `var`s: function-scoped, initialised (or `undefined`) at every check. */
  readonly hoisted: Declaration[];
  readonly root: Block;
  /** Inside a `with` body (here or in an enclosing function): names may resolve to the object's properties. */
  readonly insideWith: boolean;
  /**
   * Offset from which a check may pass `this` (see `capturesThis`): 0 in most frames,
   * `Infinity` where it may never, the end of `super(…)` in a derived constructor.
   */
  thisFrom: number;
  /**
   * Whether the frame's own code reads its `this`: a `this` or `super` in its body or in an
   * arrow function inside it (an arrow's `this` is its enclosing function's), or a direct `eval`.
   * Set by the walk (sites.ts); always set for the program, class static blocks and class
   * constructors. JavaScriptCore converts `this` at the entry of every function that mentions it
   * (`op_to_this`), so where the check would be the only mention, the universal form leaves it
   * out (sites.ts, `thisOnlyWhereRead`).
   */
  usesThis: boolean;
  /** An arrow function or a TypeScript namespace body: `this` there is the enclosing frame's. */
  lexicalThis: boolean;
  /** Set when the walk finds code with an effect outside the frame (see sites.ts, `effect`). */
  impure: boolean;
  /**
   * Set when the frame has a loop or may run code of the program's: a call, `new`, a tagged
   * template, spread or array destructuring (iterators), `in`/`instanceof`/`delete` (proxies,
   * `Symbol.hasInstance`), a class definition, JSX (see sites.ts, `entryNeeded`).
   */
  runsCode: boolean;
}

export interface Local {
  name: string;
  writable: boolean;
}

/** Names never captured: reading `arguments` allocates, and `this`/`eval` are not ordinary locals. */
const NEVER = new Set(['arguments', 'eval', 'this', 'undefined']);

export function newFrame(parent: Frame | null, insideWith: boolean, thisFrom = 0): Frame {
  return { parent, hoisted: [], root: { parent: null, declarations: [] }, insideWith, thisFrom, usesThis: false, lexicalThis: false, impure: false, runsCode: false };
}

/**
 * Whether a check at `point` may pass `this`, so the debugger can show the frame's receiver.
 * Reading `this` is free of effects everywhere except in a derived class's constructor before
 * `super()` returned (a ReferenceError): there it is passed only after a `super(…)` statement
 * of the constructor's own body. Arrow functions never pass it: an arrow's `this` is its
 * enclosing function's, which would then have to keep `this` in a context object on every call
 * (a cost on the fast path). TypeScript namespace bodies neither (`this` is an error there).
 */
export function capturesThis(frame: Frame, point: number): boolean {
  return frame.thisFrom <= point;
}

/** Notes a read of `this` in `frame`: the nearest frame around it that has a `this` of its own. */
export function markThisUse(frame: Frame): void {
  let f = frame;
  while (f.lexicalThis && f.parent !== null) f = f.parent;
  f.usesThis = true;
}

/** Whether `name` is declared in `frame`, in `block` or the blocks around it, by `point`'s time of walking. */
export function isLocal(frame: Frame, block: Block, name: string): boolean {
  for (let b: Block | null = block; b !== null; b = b.parent) if (b.declarations.some((d) => d.name === name)) return true;
  return frame.hoisted.some((d) => d.name === name);
}

export function newBlock(parent: Block): Block {
  return { parent, declarations: [] };
}

/** The locals a check at `point`, in `block` of `frame`, may read, in source order. */
export function localsAt(frame: Frame, block: Block, point: number): Local[] {
  const decided = new Set<string>();
  const captured: Declaration[] = [];
  const consider = (d: Declaration) => {
    if (decided.has(d.name)) return;
    decided.add(d.name);
    const ready = d.readyAt <= point && (d.onlyWithin === undefined || (d.onlyWithin.start <= point && point <= d.onlyWithin.end));
    if (ready && !NEVER.has(d.name)) captured.push(d);
  };
  for (let b: Block | null = block; b !== null; b = b.parent) b.declarations.forEach(consider);
  frame.hoisted.forEach(consider);
  captured.sort((a, b) => a.order - b.order);
  return captured.map(({ name, writable }) => ({ name, writable }));
}

/** Every name a binding pattern declares (`a`, `{ b, c: [d] }`, `...e`, `f = 1`). */
export function patternNames(pattern: Node | null | undefined, out: string[] = []): string[] {
  if (!pattern) return out;
  switch (pattern.type) {
    case 'Identifier':
      out.push(pattern.name);
      break;
    case 'ObjectPattern':
      for (const p of pattern.properties) patternNames(p.type === 'RestElement' ? p : (p.value as Node), out);
      break;
    case 'ArrayPattern':
      for (const e of pattern.elements) patternNames(e, out);
      break;
    case 'AssignmentPattern':
      patternNames(pattern.left, out);
      break;
    case 'RestElement':
      patternNames(pattern.argument, out);
      break;
    case 'TSParameterProperty':
      patternNames(pattern.parameter, out);
      break;
    default:
      // MemberExpression targets (`for (a.b of c)`) and TS-only nodes declare nothing.
      break;
  }
  return out;
}
