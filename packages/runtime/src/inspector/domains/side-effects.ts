/**
 * Evaluation that must not change the program (`throwOnSideEffect: true`).
 *
 * V8 checks side effects in its bytecode; JavaScript cannot. So trapdoor runs only what it can
 * show to be free of them, and answers everything else as V8 does when its check fails: the
 * evaluation throws `EvalError: Possible side-effect in debug-evaluate` (clients then fall back,
 * e.g. VS Code to its plain preview, DevTools to no eager result). What runs:
 *
 *  - the program's functions the transform marked side-effect free (`Site.sideEffectFree`: they
 *    assign only their own locals and call only built-ins known to be pure). A function is known
 *    to be instrumented by the check in its text; while a guarded call runs, every check comes to
 *    the trap, and the entry of any function that is not marked throws the EvalError before its
 *    body runs (`Inspector.runSideEffectFree`). So what a marked function calls is checked again;
 *  - a few built-ins known to be pure; never a function that was not instrumented;
 *  - VS Code's description function (js-debug's `getStringyProps`, sent with
 *    `Runtime.callFunctionOn`): recognised by its text and done here with the same steps, every
 *    property read and call going through the rules above;
 *  - `Runtime.evaluate` / `Debugger.evaluateOnCallFrame` of a name or a dotted path
 *    (`price.cents`, `this.limit`): read without running code, getters by the same rules.
 *
 * Not caught: code that was not instrumented but is reached from a marked function implicitly
 * (a getter or `valueOf` defined in `node_modules` that a property read or a conversion runs),
 * and a method of an uninstrumented object named like a pure built-in (`toFixed`).
 */
import { types } from 'node:util';

export const SIDE_EFFECT_MESSAGE = 'Possible side-effect in debug-evaluate';

export function sideEffect(): EvalError {
  return new EvalError(SIDE_EFFECT_MESSAGE);
}

/** Runs `call` so that every check comes to the trap and only side-effect-free functions may be entered. */
export type GuardedRunner = <T>(call: () => T) => T;

const functionToString = Function.prototype.toString;
// The check's text: the universal form, or the V8 one (the transform's `target: 'node' | 'deno'`),
// as emitted (no spaces) or as older transforms spaced it (code instrumented at build time), and
// with the numbered names a bundler gives colliding module-level names (esbuild: `__td_F80`).
const CHECK = /\(__td\d*_F\d*\[1\] ?= ?\d+, ?__td\d*_F\d*\[0\]\) ?!== ?0|\(__td\d*_F\d*\[0\] ?!== ?0(?: ?&&|\))/;

/** Built-ins that read and compute only (getters and methods). */
const PURE_NATIVES = new Set<unknown>(
  [
    Object.prototype.toString,
    Object.prototype.valueOf,
    Object.prototype.hasOwnProperty,
    Function.prototype.toString,
    Error.prototype.toString,
    Number.prototype.toString,
    Number.prototype.toFixed,
    Number.prototype.valueOf,
    String.prototype.toString,
    String.prototype.valueOf,
    Boolean.prototype.toString,
    Boolean.prototype.valueOf,
    Symbol.prototype.toString,
    Date.prototype.toString,
    Date.prototype.toISOString,
    Date.prototype.valueOf,
    RegExp.prototype.toString,
    Object.getOwnPropertyDescriptor(Map.prototype, 'size')?.get,
    Object.getOwnPropertyDescriptor(Set.prototype, 'size')?.get,
    Object.getOwnPropertyDescriptor(ArrayBuffer.prototype, 'byteLength')?.get,
    Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype) as object, 'length')?.get,
    Object.getOwnPropertyDescriptor(Symbol.prototype, 'description')?.get,
  ].filter((f) => f !== undefined),
);

function functionText(fn: Function): string {
  return functionToString.call(fn);
}

/** Calls `fn` if that is known to change nothing (see the file comment); else throws the EvalError. */
export function guardedCall(run: GuardedRunner, fn: unknown, thisArg: unknown, args: unknown[]): unknown {
  if (typeof fn !== 'function' || types.isProxy(fn)) throw sideEffect();
  if (PURE_NATIVES.has(fn)) return Reflect.apply(fn, thisArg, args);
  let text: string;
  try {
    text = functionText(fn);
  } catch {
    throw sideEffect();
  }
  if (!CHECK.test(text)) throw sideEffect(); // native, bound, or not instrumented
  return run(() => Reflect.apply(fn, thisArg, args));
}

/** `object[key]`, running a getter only by the rules of `guardedCall`; never a proxy trap. */
export function guardedGet(run: GuardedRunner, object: unknown, key: PropertyKey): unknown {
  if (object === null || object === undefined) throw new TypeError(`Cannot read properties of ${object} (reading '${String(key)}')`);
  for (let o: object | null = Object(object) as object; o !== null; o = Object.getPrototypeOf(o) as object | null) {
    if (types.isProxy(o)) throw sideEffect();
    const descriptor = Object.getOwnPropertyDescriptor(o, key);
    if (descriptor === undefined) continue;
    if ('value' in descriptor) return descriptor.value;
    return descriptor.get === undefined ? undefined : guardedCall(run, descriptor.get, object, []);
  }
  return undefined;
}

const isPrimitive = (v: unknown): boolean => v === null || (typeof v !== 'object' && typeof v !== 'function');

/** `String(value)` by the rules above (ToPrimitive with hint string). */
function guardedString(run: GuardedRunner, value: unknown): string {
  if (isPrimitive(value)) return String(value);
  const exotic = guardedGet(run, value, Symbol.toPrimitive);
  if (exotic !== undefined && exotic !== null) {
    const result = guardedCall(run, exotic, value, ['string']);
    if (!isPrimitive(result)) throw new TypeError('Cannot convert object to primitive value');
    return String(result);
  }
  for (const name of ['toString', 'valueOf']) {
    const method = guardedGet(run, value, name);
    if (typeof method !== 'function') continue;
    const result = guardedCall(run, method, value, []);
    if (isPrimitive(result)) return String(result);
  }
  throw new TypeError('Cannot convert object to primitive value');
}

/**
 * js-debug's description function as its `templateFunction` sends it:
 * `function(...runtimeArgs){let maxLength=N;let customToString=null;…}`. With a
 * `customDescriptionGenerator` (user code in place of `null`), it is not recognised.
 */
const STRINGY_PROPS = /^function\s*\(\.\.\.runtimeArgs\)\s*\{\s*let maxLength\s*=\s*(\d+)\s*;\s*let customToString\s*=\s*null\s*;/;

export function recogniseStringyProps(declaration: string): { maxLength: number } | undefined {
  const match = STRINGY_PROPS.exec(declaration);
  if (match === null || !declaration.includes('<<default preview>>') || !declaration.includes('customProps')) return undefined;
  return { maxLength: Number(match[1]) };
}

/**
 * What js-debug's getStringyProps computes: for each own enumerable property of `target` whose
 * value is an object with a description function (`Symbol.for('debug.description')`,
 * `nodejs.util.inspect.custom`) or its own `toString`, the string it gives; and whether `target`
 * has a `debug.properties` function. The same steps, in the same order, with the same `try`s.
 */
export function stringyProps(run: GuardedRunner, target: unknown, maxLength: number, symbols: unknown): unknown {
  const out: Record<string, string> = {};
  if (typeof target !== 'object' || target === null) return out;
  if (types.isProxy(target)) throw sideEffect();
  const syms = Array.isArray(symbols) ? (symbols as unknown[]) : [];
  for (const key of Object.keys(target)) {
    let value: unknown;
    try {
      value = guardedGet(run, target, key);
    } catch {
      continue;
    }
    if (typeof value !== 'object' || value === null) continue;
    let str: unknown;
    for (const sym of syms.slice(0, 2)) {
      if (typeof sym !== 'symbol') continue;
      const describe = guardedGet(run, value, sym);
      if (typeof describe !== 'function') continue;
      try {
        str = guardedCall(run, describe, value, [2]);
        break;
      } catch {
        // as js-debug: try the next one
      }
    }
    if (!str && !guardedString(run, guardedGet(run, value, 'toString')).includes('[native code]')) str = guardedString(run, value);
    if (typeof str === 'string' && str !== '' && !str.startsWith('[object ')) out[key] = str.length >= maxLength ? `${str.slice(0, maxLength)}…` : str;
  }
  let customProps = false;
  try {
    customProps = typeof syms[2] === 'symbol' && typeof guardedGet(run, target, syms[2] as symbol) === 'function';
  } catch {
    // as js-debug: no custom properties
  }
  return { out, customProps };
}

const PATH = /^\s*(this|[A-Za-z_$][\w$]*)((?:\s*\.\s*[A-Za-z_$][\w$]*)*)\s*$/;
const NOT_NAMES = new Set(['true', 'false', 'null', 'undefined', 'NaN', 'Infinity', 'typeof', 'void', 'delete', 'new', 'await', 'yield', 'function', 'class', 'async', 'let', 'var', 'const']);

/**
 * A name or dotted path (`a`, `this.limit`, `price.cents`) read without running code but getters
 * allowed by `guardedCall`. `lookup` resolves the first name (frame locals, `this`, globals);
 * returns undefined when the expression is not such a path.
 */
export function readPath(run: GuardedRunner, expression: string, lookup: (name: string) => { value: unknown } | undefined): { value: unknown } | undefined {
  const match = PATH.exec(expression);
  if (match === null || NOT_NAMES.has(match[1]!)) return undefined;
  const first = lookup(match[1]!);
  if (first === undefined) throw new ReferenceError(`${match[1]} is not defined`);
  let value = first.value;
  for (const name of match[2]!.split('.').map((s) => s.trim()).filter((s) => s !== '')) value = guardedGet(run, value, name);
  return { value };
}

/** A global name, read from the global object without running code (but allowed getters). */
export function globalLookup(run: GuardedRunner, name: string): { value: unknown } | undefined {
  for (let o: object | null = globalThis; o !== null; o = Object.getPrototypeOf(o) as object | null) {
    if (types.isProxy(o)) throw sideEffect();
    if (Object.getOwnPropertyDescriptor(o, name) !== undefined) return { value: guardedGet(run, globalThis, name) };
  }
  return undefined;
}
