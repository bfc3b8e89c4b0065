/**
 * What a side-effect-free evaluation may run, in-process. (The guard at every function entry needs
 * the inspector's trap: tested end to end in test/e2e-cdp.test.ts, "what debuggers show".)
 */
import { describe, expect, it } from 'vitest';
import { guardedCall, guardedGet, readPath, recogniseStringyProps, SIDE_EFFECT_MESSAGE, stringyProps, type GuardedRunner } from './side-effects.js';

/** Runs the call as the inspector would, counting how often a guarded (instrumented) call was made. */
function runner(): GuardedRunner & { calls: number } {
  const run = (<T>(call: () => T): T => {
    run.calls++;
    return call();
  }) as GuardedRunner & { calls: number };
  run.calls = 0;
  return run;
}

/** A function whose text carries a check, as an instrumented one does (the check itself does nothing here). */
const instrumented = new Function('__td_F', 'return function toString() { if((__td_F[1]=3,__td_F[0])!==0){} return "$" + (this.cents / 100).toFixed(2) }')(new Int32Array(2)) as () => string;

describe('guardedCall', () => {
  it('runs instrumented functions through the guard and a few pure built-ins directly; refuses everything else with V8\'s EvalError', () => {
    const run = runner();
    expect(guardedCall(run, instrumented, { cents: 1234 }, [])).toBe('$12.34');
    expect(run.calls).toBe(1);
    expect(guardedCall(run, Object.prototype.toString, [], [])).toBe('[object Array]');
    expect(run.calls).toBe(1);
    // The check's V8 form (the transform's target node or deno) marks an instrumented function too.
    const v8Form = new Function('__td_F', 'return function toString() { if(__td_F[0]!==0){} return "$" + (this.cents / 100).toFixed(2) }')(new Int32Array(2)) as () => string;
    expect(guardedCall(run, v8Form, { cents: 5 }, [])).toBe('$0.05');
    expect(run.calls).toBe(2);
    // Both forms as older transforms spaced them (code instrumented at build time by an older version).
    for (const body of ['if ((__td_F[1] = 3, __td_F[0]) !== 0) {}', 'if (__td_F[0] !== 0) {}', 'return (__td_F[0] !== 0 && 0, 1);']) {
      const spaced = new Function('__td_F', `return function f() { ${body} return 1 }`)(new Int32Array(2)) as () => number;
      expect(guardedCall(run, spaced, {}, [])).toBe(1);
    }
    expect(run.calls).toBe(5);
    // A bundler renames the module-level names that collide between modules (esbuild: __td_F80).
    const bundled = new Function('__td_F80', 'return function toString() { if((__td_F80[1]=3,__td_F80[0])!==0){} return "b" }')(new Int32Array(2)) as () => string;
    expect(guardedCall(run, bundled, {}, [])).toBe('b');
    expect(run.calls).toBe(6);
    for (const fn of [function plain() {}, Array.prototype.push, instrumented.bind(null), new Proxy(instrumented, {}), 'nope']) {
      expect(() => guardedCall(run, fn, [], [1])).toThrow(new EvalError(SIDE_EFFECT_MESSAGE));
    }
  });

  it('reads properties without running getters that are not allowed, nor proxy traps', () => {
    const run = runner();
    let ran = 0;
    const object = { a: 1, get risky() { return ++ran; } };
    expect(guardedGet(run, object, 'a')).toBe(1);
    expect(guardedGet(run, 'abc', 'length')).toBe(3);
    expect(guardedGet(run, new Map([[1, 2]]), 'size')).toBe(1);
    expect(() => guardedGet(run, object, 'risky')).toThrow(EvalError);
    expect(() => guardedGet(run, new Proxy({}, { get: () => ++ran }), 'x')).toThrow(EvalError);
    expect(ran).toBe(0);
  });

  it('reads name paths', () => {
    const run = runner();
    const price = { cents: 1234 };
    const lookup = (name: string) => (name === 'price' ? { value: price } : undefined);
    expect(readPath(run, ' price . cents ', lookup)).toEqual({ value: 1234 });
    expect(readPath(run, 'price.cents + 1', lookup)).toBeUndefined();
    expect(readPath(run, 'true', lookup)).toBeUndefined();
    expect(() => readPath(run, 'missing', lookup)).toThrow(ReferenceError);
  });
});

describe("js-debug's getStringyProps", () => {
  const declaration = 'function(...runtimeArgs){let maxLength=8;let customToString=null;\n const defaultPlaceholder = "<<default preview>>"; /* … */ return { out, customProps };\n\n//# sourceURL=eval-1.cdp\n}';
  const symbols = [Symbol.for('debug.description'), Symbol.for('nodejs.util.inspect.custom'), Symbol.for('debug.properties')];

  it('is recognised by its text, and not with a customDescriptionGenerator', () => {
    expect(recogniseStringyProps(declaration)).toEqual({ maxLength: 8 });
    expect(recogniseStringyProps(declaration.replace('customToString=null', 'customToString=function (d) { return d }'))).toBeUndefined();
    expect(recogniseStringyProps('function () { return 1 }')).toBeUndefined();
  });

  it('describes properties with their own toString, truncated as js-debug does; plain objects and primitives are left out', () => {
    const run = runner();
    const money = Object.assign(Object.create({ toString: instrumented }), { cents: 123456 });
    expect(stringyProps(run, { money, plain: { a: 1 }, n: 1, list: [1] }, 8, symbols)).toEqual({ out: { money: '$1234.56…' }, customProps: false });
    expect(stringyProps(run, 5, 8, symbols)).toEqual({});
  });

  it('fails as a whole, like V8, when a toString may have a side effect, and that toString never runs', () => {
    let described = 0;
    const noisy = { toString() { return `noisy ${++described}`; } };
    expect(() => stringyProps(runner(), { noisy }, 8, symbols)).toThrow(new EvalError(SIDE_EFFECT_MESSAGE));
    expect(described).toBe(0);
  });
});
