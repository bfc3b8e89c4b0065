/**
 * Remote objects in-process: how values are described, previewed and listed, and that describing
 * never runs the program's code (getters, proxy traps).
 */
import { describe, expect, it } from 'vitest';
import { RemoteObjects, parseUnserializable } from './remote-objects.js';

describe('RemoteObjects.wrap', () => {
  const objects = new RemoteObjects();

  it('sends primitives by value, with the unserializable ones as text', () => {
    expect(objects.wrap(undefined)).toEqual({ type: 'undefined' });
    expect(objects.wrap(null)).toEqual({ type: 'object', subtype: 'null', value: null });
    expect(objects.wrap(true)).toEqual({ type: 'boolean', value: true });
    expect(objects.wrap('x')).toEqual({ type: 'string', value: 'x' });
    expect(objects.wrap(1.5)).toEqual({ type: 'number', value: 1.5, description: '1.5' });
    expect(objects.wrap(-0)).toEqual({ type: 'number', unserializableValue: '-0', description: '-0' });
    expect(objects.wrap(NaN)).toEqual({ type: 'number', unserializableValue: 'NaN', description: 'NaN' });
    expect(objects.wrap(-Infinity)).toEqual({ type: 'number', unserializableValue: '-Infinity', description: '-Infinity' });
    expect(objects.wrap(12n)).toEqual({ type: 'bigint', unserializableValue: '12n', description: '12n' });
  });

  it('describes objects as V8 does', () => {
    class Point {
      constructor(
        public x: number,
        public y: number,
      ) {}
    }
    const cases: Array<[unknown, object]> = [
      [{}, { type: 'object', className: 'Object', description: 'Object' }],
      [Object.create(null), { type: 'object', className: 'Object', description: 'Object' }],
      [new Point(1, 2), { type: 'object', className: 'Point', description: 'Point' }],
      [[1, 2, 3], { type: 'object', subtype: 'array', className: 'Array', description: 'Array(3)' }],
      [new Uint8Array(4), { type: 'object', subtype: 'typedarray', className: 'Uint8Array', description: 'Uint8Array(4)' }],
      [new Map([[1, 2]]), { type: 'object', subtype: 'map', className: 'Map', description: 'Map(1)' }],
      [new Set([1, 2]), { type: 'object', subtype: 'set', className: 'Set', description: 'Set(2)' }],
      [/a+/gi, { type: 'object', subtype: 'regexp', className: 'RegExp', description: '/a+/gi' }],
      [new ArrayBuffer(8), { type: 'object', subtype: 'arraybuffer', className: 'ArrayBuffer', description: 'ArrayBuffer(8)' }],
      [Promise.resolve(1), { type: 'object', subtype: 'promise', className: 'Promise', description: 'Promise' }],
      [new Proxy({}, {}), { type: 'object', subtype: 'proxy', className: 'Object', description: 'Proxy' }],
      [new WeakMap(), { type: 'object', subtype: 'weakmap', className: 'WeakMap', description: 'WeakMap' }],
    ];
    for (const [value, expected] of cases) {
      const remote = objects.wrap(value);
      expect(remote).toMatchObject(expected);
      expect(typeof remote.objectId).toBe('string');
    }
    // Made by code outside the runtime's folder (this test file is inside it, and the runtime's frames are not shown).
    const error = objects.wrap(new Function("return new RangeError('out')")());
    expect(error).toMatchObject({ type: 'object', subtype: 'error', className: 'RangeError' });
    expect(error.description).toMatch(/^RangeError: out\n\s+at /);
    expect(objects.wrap(function named(a: number) { return a; })).toMatchObject({ type: 'function', className: 'Function', description: expect.stringContaining('function named(a') });
    expect(objects.wrap(Symbol('s'))).toMatchObject({ type: 'symbol', description: 'Symbol(s)' });
  });

  it('never runs getters or proxy traps to describe or preview', () => {
    let ran = 0;
    const tricky = {
      get risky() {
        ran++;
        return 1;
      },
      plain: 2,
    };
    const proxy = new Proxy(
      {},
      {
        get: () => ran++,
        ownKeys: () => {
          ran++;
          return [];
        },
        getPrototypeOf: () => {
          ran++;
          return null;
        },
      },
    );
    const remote = objects.wrap({ tricky, proxy }, { generatePreview: true });
    expect(remote.preview!.properties.map((p) => p.name)).toEqual(['tricky', 'proxy']);
    expect(objects.wrap(tricky, { generatePreview: true }).preview!.properties).toEqual([
      { name: 'risky', type: 'accessor' },
      { name: 'plain', type: 'number', value: '2' },
    ]);
    const listed = objects.properties(tricky, { ownProperties: true });
    expect(listed.result.find((p) => p.name === 'risky')).toMatchObject({ get: { type: 'function' }, set: { type: 'undefined' } });
    expect(objects.properties(proxy, { ownProperties: true })).toEqual({ result: [] });
    expect(ran).toBe(0);
  });

  it('previews a few properties, array elements and map entries, and says when there are more', () => {
    const big = { a: 1, b: 'two', c: null, d: undefined, e: [1], f: 6 };
    const preview = objects.wrap(big, { generatePreview: true }).preview!;
    expect(preview.overflow).toBe(true);
    expect(preview.properties).toEqual([
      { name: 'a', type: 'number', value: '1' },
      { name: 'b', type: 'string', value: 'two' },
      { name: 'c', type: 'object', subtype: 'null', value: 'null' },
      { name: 'd', type: 'undefined', value: 'undefined' },
      { name: 'e', type: 'object', subtype: 'array', value: 'Array(1)' },
    ]);
    const array = objects.wrap([1, 2, 3], { generatePreview: true }).preview!;
    expect(array).toMatchObject({ type: 'object', subtype: 'array', description: 'Array(3)', overflow: false });
    expect(array.properties.map((p) => p.value)).toEqual(['1', '2', '3']);
    const map = objects.wrap(new Map<unknown, unknown>([['k', { v: 1 }]]), { generatePreview: true }).preview!;
    expect(map.entries).toEqual([
      {
        key: { type: 'string', description: 'k', overflow: false, properties: [] },
        value: { type: 'object', description: 'Object', overflow: false, properties: [{ name: 'v', type: 'number', value: '1' }] },
      },
    ]);
  });

  it('returns values by value when asked, and refuses what JSON cannot carry', () => {
    expect(objects.wrap({ a: [1, { b: 'c' }] }, { returnByValue: true })).toMatchObject({ type: 'object', value: { a: [1, { b: 'c' }] } });
    const cycle: { self?: unknown } = {};
    cycle.self = cycle;
    expect(() => objects.wrap(cycle, { returnByValue: true })).toThrow("Object couldn't be returned by value");
  });
});

describe('RemoteObjects.properties', () => {
  it('lists own properties with [[Prototype]], inherited ones when asked, accessors only when asked', () => {
    const objects = new RemoteObjects();
    class Base {
      get computed(): number {
        return 1;
      }
    }
    class Child extends Base {
      own = 'mine';
    }
    const child = new Child();
    const own = objects.properties(child, { ownProperties: true });
    expect(own.result.map((p) => [p.name, p.isOwn])).toEqual([['own', true]]);
    expect(own.internalProperties!.map((p) => p.name)).toEqual(['[[Prototype]]']);
    const all = objects.properties(child, { ownProperties: false });
    expect(all.result.map((p) => p.name)).toEqual(expect.arrayContaining(['own', 'constructor', 'computed', 'hasOwnProperty']));
    expect(all.result.find((p) => p.name === 'computed')).toMatchObject({ isOwn: false, get: { type: 'function' } });
    const accessors = objects.properties(child, { ownProperties: false, accessorPropertiesOnly: true });
    expect(accessors.result.every((p) => p.get !== undefined || p.set !== undefined)).toBe(true);
    expect(accessors.result.map((p) => p.name)).toContain('computed');
  });

  it('lists symbols, array indices (or not), Map entries and boxed primitives', () => {
    const objects = new RemoteObjects();
    const symbol = Symbol('tag');
    const array = Object.assign([10, 20], { extra: true, [symbol]: 1 });
    const listed = objects.properties(array, { ownProperties: true });
    expect(listed.result.map((p) => p.name)).toEqual(['0', '1', 'length', 'extra', 'Symbol(tag)']);
    expect(listed.result.find((p) => p.name === 'Symbol(tag)')!.symbol).toMatchObject({ type: 'symbol', description: 'Symbol(tag)' });
    expect(objects.properties(array, { ownProperties: true, nonIndexedPropertiesOnly: true }).result.map((p) => p.name)).toEqual(['length', 'extra', 'Symbol(tag)']);
    const map = objects.properties(new Map([['k', 1]]), { ownProperties: true });
    const entries = map.internalProperties!.find((p) => p.name === '[[Entries]]')!;
    expect(entries.value).toMatchObject({ subtype: 'array', description: 'Array(1)' });
    const entryList = objects.properties(objects.get(entries.value!.objectId!), { ownProperties: true });
    const first = objects.get(entryList.result[0].value!.objectId!) as { key: unknown; value: unknown };
    expect([first.key, first.value]).toEqual(['k', 1]);
    expect(objects.properties(new Number(3), { ownProperties: true }).internalProperties).toContainEqual({ name: '[[PrimitiveValue]]', value: { type: 'number', value: 3, description: '3' } });
  });
});

describe('objectIds and groups', () => {
  it('resolves ids until they or their group are released', () => {
    const objects = new RemoteObjects();
    const a = objects.wrap({ a: 1 }, { group: 'console' }).objectId!;
    const b = objects.wrap({ b: 1 }, { group: 'backtrace' }).objectId!;
    const c = objects.wrap({ c: 1 }).objectId!;
    expect(objects.get(a)).toEqual({ a: 1 });
    expect(objects.groupOf(b)).toBe('backtrace');
    objects.releaseGroup('console');
    expect(() => objects.get(a)).toThrow('Could not find object with given id');
    expect(objects.get(b)).toEqual({ b: 1 });
    objects.release(c);
    expect(() => objects.get(c)).toThrow();
    expect(objects.size).toBe(1);
  });

  it('turns call arguments into values', () => {
    const objects = new RemoteObjects();
    const target = { t: 1 };
    const id = objects.wrap(target).objectId!;
    expect(objects.argument({ objectId: id })).toBe(target);
    expect(objects.argument({ value: 'v' })).toBe('v');
    expect(objects.argument({ unserializableValue: '-0' })).toBe(-0);
    expect(objects.argument({})).toBeUndefined();
    expect(parseUnserializable('123n')).toBe(123n);
    expect(parseUnserializable('Infinity')).toBe(Infinity);
    expect(() => parseUnserializable('nope')).toThrow();
  });
});

describe('errors thrown by code the debugger runs', () => {
  it('show the evaluated code as <anonymous> and none of the runtime frames, as Node shows them', async () => {
    const { evaluateGlobal, evaluateInScope } = await import('./evaluate.js');
    const objects = new RemoteObjects();
    const thrown = evaluateGlobal('nope + 1');
    expect(thrown.ok).toBe(false);
    expect(objects.wrap((thrown as { thrown: unknown }).thrown).description).toBe('ReferenceError: nope is not defined\n    at <anonymous>:1:1');
    const inScope = evaluateInScope({}, '\n  missing()');
    expect(objects.wrap((inScope as { thrown: unknown }).thrown).description).toBe('ReferenceError: missing is not defined\n    at <anonymous>:2:3');
    // With the frame's `this` (the engine then names the wrapper after the receiver's class).
    class Money {}
    const withThis = evaluateInScope({}, 'missing()', new Money());
    expect(objects.wrap((withThis as { thrown: unknown }).thrown).description).toBe('ReferenceError: missing is not defined\n    at <anonymous>:1:1');
    // What the evaluation called keeps its frames.
    const called = evaluateGlobal('[1].map(function inner() { throw new TypeError("bad") })');
    const description = objects.wrap((called as { thrown: unknown }).thrown).description!;
    expect(description).toMatch(/^TypeError: bad\n\s+at inner \(<anonymous>:1:\d+\)\n\s+at Array\.map \(<anonymous>\)\n\s+at <anonymous>:1:5$/);
  });
});
