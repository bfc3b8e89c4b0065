/**
 * Evaluation: the program's code run on behalf of a client.
 *
 *  - global scope (`Runtime.evaluate`, outer call frames): indirect eval, so the expression sees
 *    exactly the global object and global lexical bindings, as V8's console does;
 *  - the trap site's frame (`Debugger.evaluateOnCallFrame` on the top frame, breakpoint
 *    conditions): direct eval inside `with (scope)`, where `scope` is a proxy over the pause's
 *    scope object (the captured locals by name). Reading a local reads the captured value;
 *    assigning one stores into the scope object, from which the trap writes writable locals back
 *    when the program resumes; assigning a `const` local throws as it would in the program.
 *    Names that are not captured locals resolve globally. `this` is the frame's, when its check
 *    passed it; else (and where it is `undefined`: the function is sloppy) the global object.
 *  - `Runtime.callFunctionOn`: the declaration is evaluated globally, then called with the
 *    resolved `this` and arguments.
 */
import type { Protocol } from 'devtools-protocol';
import { CONTEXT_ID } from './protocol.js';
import type { RemoteObjects } from './remote-objects.js';

export type Completion = { ok: true; value: unknown } | { ok: false; thrown: unknown };

const indirectEval = eval;

export function evaluateGlobal(expression: string): Completion {
  try {
    return { ok: true, value: indirectEval(expression) };
  } catch (thrown) {
    return { ok: false, thrown };
  }
}

// A sloppy function (indirect eval runs sloppy global code): `with` is allowed and
// the `eval` call in it is a direct eval that sees the `with` object's names.
// Made on first use, so that loading the runtime never compiles code.
let evaluateIn: ((this: unknown, scope: object, expression: string) => unknown) | undefined;

export function evaluateInScope(scope: object, expression: string, thisArg?: unknown): Completion {
  try {
    // Named, so that an error's stack shows where the evaluated code ends (call-frames.ts, withoutRuntimeFrames).
    evaluateIn ??= indirectEval('(function __trapdoor_scope_eval__(__trapdoor_scope__, __trapdoor_expression__) { with (__trapdoor_scope__) { return eval(__trapdoor_expression__); } })') as (
      this: unknown,
      scope: object,
      expression: string,
    ) => unknown;
    return { ok: true, value: evaluateIn.call(thisArg, scope, expression) };
  } catch (thrown) {
    return { ok: false, thrown };
  }
}

/**
 * The object a frame evaluation runs `with`: names are the scope object's own properties; a
 * property that is not writable (a `const`, a `class`, a binding the trap cannot assign back)
 * rejects assignment with the TypeError the program itself would get.
 */
export function scopeProxy(scope: Record<string, unknown>): object {
  const has = Object.prototype.hasOwnProperty;
  return new Proxy(scope, {
    has: (target, key) => typeof key === 'string' && has.call(target, key),
    get: (target, key) => (typeof key === 'string' && has.call(target, key) ? target[key] : undefined),
    set: (target, key, value) => {
      if (typeof key !== 'string' || !has.call(target, key)) return false;
      const descriptor = Object.getOwnPropertyDescriptor(target, key);
      if (descriptor?.writable !== true) throw new TypeError('Assignment to constant variable.');
      target[key] = value;
      return true;
    },
  });
}

export function callFunction(declaration: string, thisArg: unknown, args: unknown[]): Completion {
  let fn: unknown;
  try {
    fn = indirectEval(`(${declaration}\n)`);
  } catch (thrown) {
    return { ok: false, thrown };
  }
  if (typeof fn !== 'function') return { ok: false, thrown: new TypeError('Given expression does not evaluate to a function') };
  try {
    return { ok: true, value: Reflect.apply(fn, thisArg, args) };
  } catch (thrown) {
    return { ok: false, thrown };
  }
}

let exceptionCounter = 0;

/** `exceptionDetails` for a value thrown by an evaluation. */
export function exceptionDetails(objects: RemoteObjects, thrown: unknown, group: string | undefined, generatePreview = false): Protocol.Runtime.ExceptionDetails {
  let text = 'Uncaught';
  if (thrown instanceof Error) {
    // V8 puts the whole message in `text` for syntax errors found before running.
    try {
      if (thrown instanceof SyntaxError) text = `Uncaught SyntaxError: ${thrown.message}`;
    } catch {
      // keep 'Uncaught'
    }
  }
  return {
    exceptionId: ++exceptionCounter,
    text,
    lineNumber: 0,
    columnNumber: 0,
    exception: objects.wrap(thrown, { group, generatePreview }),
    executionContextId: CONTEXT_ID,
  };
}

/** Whether a value is a thenable (for `awaitPromise`). */
export function isThenable(value: unknown): value is PromiseLike<unknown> {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return false;
  try {
    return typeof (value as { then?: unknown }).then === 'function';
  } catch {
    return false;
  }
}
