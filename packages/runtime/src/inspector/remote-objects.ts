/**
 * Remote objects: how a JavaScript value is shown to a CDP client (RemoteObject, ObjectPreview,
 * PropertyDescriptor), and the table of objectIds a session holds, by object group.
 *
 * Rules followed (V8's inspector, src/inspector/value-mirror.cc, as far as it can be done from
 * JavaScript):
 *  - primitives travel by value (`-0`, `NaN`, `±Infinity` and bigints as `unserializableValue`);
 *    objects, functions and symbols by `objectId`;
 *  - describing a value never runs the program's code: no getter is invoked (accessors are listed
 *    as `get`/`set`; a client invokes them with `Runtime.callFunctionOn` when the user asks),
 *    no proxy trap is touched (a proxy is shown as `Proxy`, without properties), sizes and
 *    lengths are read with the engine's own intrinsics captured when this module loaded;
 *  - an objectId stays valid until its group (or the object itself) is released, or the
 *    session ends. Each session has its own table, as each V8 session has its own injected script.
 */
import { types } from 'node:util';
import type { Protocol } from 'devtools-protocol';
import { ErrorCode, ProtocolError } from './protocol.js';
import { withoutRuntimeFrames } from './call-frames.js';

type RemoteObject = Protocol.Runtime.RemoteObject;
type ObjectPreview = Protocol.Runtime.ObjectPreview;
type PropertyPreview = Protocol.Runtime.PropertyPreview;
type EntryPreview = Protocol.Runtime.EntryPreview;
type PropertyDescriptor = Protocol.Runtime.PropertyDescriptor;
type InternalPropertyDescriptor = Protocol.Runtime.InternalPropertyDescriptor;
type Subtype = NonNullable<RemoteObject['subtype']>;

// ─── Intrinsics, captured before the program can patch them ───────────────────────────────
const { getPrototypeOf, getOwnPropertyDescriptor, create } = Object;
const { ownKeys, apply } = Reflect;
const isArray = Array.isArray;
const getter = (proto: object, name: PropertyKey): ((this: unknown) => unknown) => getOwnPropertyDescriptor(proto, name)!.get as never;
const mapSize = getter(Map.prototype, 'size');
const setSize = getter(Set.prototype, 'size');
const mapEntries = Map.prototype.entries;
const setValues = Set.prototype.values;
const typedArrayProto = getPrototypeOf(Uint8Array.prototype) as object;
const typedArrayLength = getter(typedArrayProto, 'length');
const arrayBufferByteLength = getter(ArrayBuffer.prototype, 'byteLength');
const sharedByteLength = typeof SharedArrayBuffer === 'function' ? getter(SharedArrayBuffer.prototype, 'byteLength') : undefined;
const regexpSource = getter(RegExp.prototype, 'source');
const regexpFlags = getter(RegExp.prototype, 'flags');
const dateToString = Date.prototype.toString;
const functionToString = Function.prototype.toString;
const symbolToString = Symbol.prototype.toString;
const errorProto = Error.prototype;

/** Previews list at most this many properties of an object, and this many elements of an array (V8's limits). */
const PREVIEW_PROPERTIES = 5;
const PREVIEW_INDICES = 100;
const PREVIEW_ENTRIES = 5;
const PREVIEW_STRING = 100;

function safe<T>(fn: () => T, fallback: T): T {
  try {
    return fn();
  } catch {
    return fallback;
  }
}

function isProxy(value: unknown): boolean {
  return types.isProxy(value);
}

/** Own data property without invoking anything (undefined for accessors and proxies). */
function ownData(object: object, key: PropertyKey): unknown {
  if (isProxy(object)) return undefined;
  const descriptor = safe(() => getOwnPropertyDescriptor(object, key), undefined);
  return descriptor !== undefined && 'value' in descriptor ? descriptor.value : undefined;
}

function functionName(fn: unknown): string {
  if (typeof fn !== 'function') return '';
  const name = ownData(fn, 'name');
  return typeof name === 'string' ? name : '';
}

/** The constructor's name along the prototype chain ('Object' when there is none). */
export function className(value: object): string {
  if (isProxy(value)) return 'Object';
  let object: object | null = value;
  for (let i = 0; object !== null && i < 1000; i++) {
    const ctor = ownData(object, 'constructor');
    const name = functionName(ctor);
    if (name !== '') return name;
    const next: object | null = safe(() => getPrototypeOf(object) as object | null, null);
    if (next === null || isProxy(next)) break;
    object = next;
  }
  return 'Object';
}

function isError(value: object): boolean {
  if (types.isNativeError(value)) return true;
  for (let object: object | null = value, i = 0; object !== null && i < 1000; i++) {
    if (object === errorProto) return true;
    if (isProxy(object)) return false;
    object = safe(() => getPrototypeOf(object) as object | null, null);
  }
  return false;
}

export function subtypeOf(value: object): Subtype | undefined {
  if (isProxy(value)) return 'proxy';
  if (isArray(value)) return 'array';
  if (types.isRegExp(value)) return 'regexp';
  if (types.isDate(value)) return 'date';
  if (types.isMap(value)) return 'map';
  if (types.isSet(value)) return 'set';
  if (types.isWeakMap(value)) return 'weakmap';
  if (types.isWeakSet(value)) return 'weakset';
  if (types.isMapIterator(value) || types.isSetIterator(value)) return 'iterator';
  if (types.isGeneratorObject(value)) return 'generator';
  if (types.isPromise(value)) return 'promise';
  if (types.isTypedArray(value)) return 'typedarray';
  if (types.isArrayBuffer(value) || types.isSharedArrayBuffer(value)) return 'arraybuffer';
  if (types.isDataView(value)) return 'dataview';
  if (isError(value)) return 'error';
  return undefined;
}

function errorDescription(error: object): string {
  // `stack` is an own data property on V8 11 and JSC, an own engine accessor on V8 15 (Deno):
  // reading it runs no program code unless the program replaced it.
  const stack = safe(() => (error as { stack?: unknown }).stack, undefined);
  // An error thrown by code the debugger ran carries the runtime's frames: not shown.
  if (typeof stack === 'string' && stack !== '') return withoutRuntimeFrames(stack);
  const name = safe(() => String((error as Error).name), 'Error');
  const message = safe(() => String((error as Error).message), '');
  return message === '' ? name : `${name}: ${message}`;
}

export function describeFunction(fn: Function): string {
  return safe(() => apply(functionToString, fn, []) as string, `function ${functionName(fn)}() { [native code] }`);
}

/** V8's description of an object (what DevTools prints next to it). */
export function describeObject(value: object, subtype = subtypeOf(value), name = className(value)): string {
  switch (subtype) {
    case 'proxy':
      return 'Proxy';
    case 'array':
      return `${name}(${safe(() => (value as unknown[]).length, 0)})`;
    case 'typedarray':
      return `${name}(${safe(() => apply(typedArrayLength, value, []) as number, 0)})`;
    case 'arraybuffer': {
      const length = types.isSharedArrayBuffer(value) ? sharedByteLength : arrayBufferByteLength;
      return `${name}(${safe(() => apply(length!, value, []) as number, 0)})`;
    }
    case 'map':
      return `${name}(${safe(() => apply(mapSize, value, []) as number, 0)})`;
    case 'set':
      return `${name}(${safe(() => apply(setSize, value, []) as number, 0)})`;
    case 'regexp':
      return safe(() => `/${apply(regexpSource, value, [])}/${apply(regexpFlags, value, [])}`, name);
    case 'date':
      return safe(() => apply(dateToString, value, []) as string, 'Invalid Date');
    case 'error':
      return errorDescription(value);
    case 'promise':
      return 'Promise';
    case 'generator':
      return 'Generator';
    default:
      return name;
  }
}

function abbreviate(text: string, max = PREVIEW_STRING): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function unserializable(value: number | bigint): string | undefined {
  if (typeof value === 'bigint') return `${value}n`;
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return 'Infinity';
  if (value === -Infinity) return '-Infinity';
  if (Object.is(value, -0)) return '-0';
  return undefined;
}

function isIndex(key: PropertyKey): boolean {
  return typeof key === 'string' && /^(?:0|[1-9]\d*)$/.test(key) && Number(key) < 4294967295;
}

function keyName(key: PropertyKey): string {
  return typeof key === 'symbol' ? (apply(symbolToString, key, []) as string) : String(key);
}

/** The serialisable copy `returnByValue` asks for (JSON rules; throws on cycles). */
function byValue(value: unknown): unknown {
  if (value === undefined) return undefined;
  const text = JSON.stringify(value);
  return text === undefined ? undefined : JSON.parse(text);
}

export interface WrapOptions {
  group?: string;
  generatePreview?: boolean;
  returnByValue?: boolean;
}

export interface PropertiesOptions {
  ownProperties?: boolean;
  accessorPropertiesOnly?: boolean;
  nonIndexedPropertiesOnly?: boolean;
  generatePreview?: boolean;
  group?: string;
}

let storeCounter = 0;

/** One session's objectIds. */
export class RemoteObjects {
  readonly #prefix = `${Math.floor(Math.random() * 1e9)}.${++storeCounter}`;
  readonly #byId = new Map<string, { value: unknown; group: string | undefined }>();
  #next = 0;

  /** How many objects the session holds (for tests). */
  get size(): number {
    return this.#byId.size;
  }

  /** A new objectId for `value`, in `group`. */
  idFor(value: unknown, group?: string): string {
    const id = `${this.#prefix}.${++this.#next}`;
    this.#byId.set(id, { value, group });
    return id;
  }

  /** The value behind an objectId. */
  get(objectId: string): unknown {
    const entry = this.#byId.get(objectId);
    if (entry === undefined) throw new ProtocolError('Could not find object with given id', ErrorCode.SERVER);
    return entry.value;
  }

  /** The group an objectId was made in. */
  groupOf(objectId: string): string | undefined {
    return this.#byId.get(objectId)?.group;
  }

  release(objectId: string): void {
    this.#byId.delete(objectId);
  }

  releaseGroup(group: string): void {
    for (const [id, entry] of this.#byId) if (entry.group === group) this.#byId.delete(id);
  }

  clear(): void {
    this.#byId.clear();
  }

  /** A CallArgument's value. */
  argument(argument: Protocol.Runtime.CallArgument): unknown {
    if (argument.objectId !== undefined) return this.get(argument.objectId);
    if (argument.unserializableValue !== undefined) return parseUnserializable(argument.unserializableValue);
    return argument.value;
  }

  /** The RemoteObject for any value. */
  wrap(value: unknown, options: WrapOptions = {}): RemoteObject {
    switch (typeof value) {
      case 'undefined':
        return { type: 'undefined' };
      case 'boolean':
        return { type: 'boolean', value };
      case 'string':
        return { type: 'string', value };
      case 'number': {
        const special = unserializable(value);
        return special === undefined ? { type: 'number', value, description: String(value) } : { type: 'number', unserializableValue: special, description: special };
      }
      case 'bigint':
        return { type: 'bigint', unserializableValue: `${value}n`, description: `${value}n` };
      case 'symbol': {
        const description = apply(symbolToString, value, []) as string;
        return options.returnByValue ? { type: 'symbol', description } : { type: 'symbol', description, objectId: this.idFor(value, options.group) };
      }
      case 'function': {
        const remote: RemoteObject = { type: 'function', className: className(value), description: describeFunction(value) };
        if (options.returnByValue) remote.value = {};
        else remote.objectId = this.idFor(value, options.group);
        return remote;
      }
      default: {
        if (value === null) return { type: 'object', subtype: 'null', value: null };
        const object = value as object;
        const subtype = subtypeOf(object);
        const name = className(object);
        const remote: RemoteObject = { type: 'object', className: name, description: describeObject(object, subtype, name) };
        if (subtype !== undefined) remote.subtype = subtype;
        if (options.returnByValue) {
          try {
            remote.value = byValue(object);
          } catch {
            throw new ProtocolError("Object couldn't be returned by value");
          }
          return remote;
        }
        remote.objectId = this.idFor(object, options.group);
        if (options.generatePreview) remote.preview = preview(object, subtype, name);
        return remote;
      }
    }
  }

  /** `Runtime.getProperties` on `value`. */
  properties(value: unknown, options: PropertiesOptions): Protocol.Runtime.GetPropertiesResponse {
    const wrapOptions: WrapOptions = { group: options.group, generatePreview: options.generatePreview };
    const result: PropertyDescriptor[] = [];
    const internal: InternalPropertyDescriptor[] = [];
    if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return { result };
    const object = value as object;
    if (isProxy(object)) return { result };
    const seen = new Set<PropertyKey>();
    const ownOnly = options.ownProperties === true;
    let current: object | null = object;
    for (let level = 0; current !== null && level < 1000; level++) {
      const holder: object = current;
      const keys = safe(() => ownKeys(holder), [] as PropertyKey[]);
      for (const key of keys) {
        if (seen.has(key)) continue;
        seen.add(key);
        if (options.nonIndexedPropertiesOnly && isIndex(key)) continue;
        const descriptor = safe(() => getOwnPropertyDescriptor(holder, key), undefined);
        if (descriptor === undefined) continue;
        const accessor = descriptor.get !== undefined || descriptor.set !== undefined;
        if (options.accessorPropertiesOnly && !accessor) continue;
        const property: PropertyDescriptor = {
          name: keyName(key),
          configurable: descriptor.configurable === true,
          enumerable: descriptor.enumerable === true,
          isOwn: level === 0,
        };
        if (typeof key === 'symbol') property.symbol = this.wrap(key, wrapOptions);
        if (accessor && level === 0 && key === 'stack' && isError(object) && isNativeFunction(descriptor.get)) {
          // The engine's own `stack` accessor (V8 15): show the value, as V8's inspector does.
          property.value = this.wrap(safe(() => (object as { stack?: unknown }).stack, undefined), wrapOptions);
          property.writable = descriptor.set !== undefined;
        } else if (accessor) {
          property.get = this.wrap(descriptor.get, wrapOptions);
          property.set = this.wrap(descriptor.set, wrapOptions);
        } else {
          property.value = this.wrap(descriptor.value, wrapOptions);
          property.writable = descriptor.writable === true;
        }
        result.push(property);
      }
      if (ownOnly) break;
      const next: object | null = safe(() => getPrototypeOf(holder) as object | null, null);
      if (next !== null && isProxy(next)) break;
      current = next;
    }
    if (ownOnly && !options.accessorPropertiesOnly) {
      const proto = safe(() => getPrototypeOf(object) as object | null, null);
      if (proto !== null) internal.push({ name: '[[Prototype]]', value: this.wrap(proto, wrapOptions) });
      const entries = entryList(object);
      if (entries !== undefined) internal.push({ name: '[[Entries]]', value: this.wrap(entries, wrapOptions) });
      const primitive = primitiveValue(object);
      if (primitive !== NONE) internal.push({ name: '[[PrimitiveValue]]', value: this.wrap(primitive, wrapOptions) });
    }
    return internal.length > 0 ? { result, internalProperties: internal } : { result };
  }
}

const NONE = Symbol('none');

function primitiveValue(object: object): unknown {
  if (!types.isBoxedPrimitive(object)) return NONE;
  return safe(() => (object as { valueOf(): unknown }).valueOf(), NONE);
}

function isNativeFunction(fn: unknown): boolean {
  return typeof fn === 'function' && /\{\s*\[native code\]\s*\}\s*$/.test(describeFunction(fn));
}

/** The `[[Entries]]` of a Map or Set, as an array of `{key, value}` / `{value}` records. */
function entryList(object: object): object[] | undefined {
  if (types.isMap(object)) {
    const out: object[] = [];
    for (const [key, value] of apply(mapEntries, object, []) as IterableIterator<[unknown, unknown]>) out.push(Object.assign(create(null), { key, value }));
    return out;
  }
  if (types.isSet(object)) {
    const out: object[] = [];
    for (const value of apply(setValues, object, []) as IterableIterator<unknown>) out.push(Object.assign(create(null), { value }));
    return out;
  }
  return undefined;
}

export function parseUnserializable(text: string): unknown {
  switch (text) {
    case 'NaN':
      return NaN;
    case 'Infinity':
      return Infinity;
    case '-Infinity':
      return -Infinity;
    case '-0':
      return -0;
  }
  if (/^-?\d+n$/.test(text)) return BigInt(text.slice(0, -1));
  throw new ProtocolError(`Couldn't parse value object in call argument: ${text}`, ErrorCode.INVALID_PARAMS);
}

// ─── Previews ──────────────────────────────────────────────────────────────────────────────

function valuePreview(value: unknown): PropertyPreview {
  const remote = describeShallow(value);
  return { name: '', ...remote };
}

/** type / subtype / value-as-text of a value, for one line of a preview. */
function describeShallow(value: unknown): Omit<PropertyPreview, 'name'> {
  switch (typeof value) {
    case 'undefined':
      return { type: 'undefined', value: 'undefined' };
    case 'boolean':
    case 'number':
      return { type: typeof value as 'boolean' | 'number', value: unserializable(value as number) ?? String(value) };
    case 'string':
      return { type: 'string', value: abbreviate(value) };
    case 'bigint':
      return { type: 'bigint', value: `${value}n` };
    case 'symbol':
      return { type: 'symbol', value: apply(symbolToString, value, []) as string };
    case 'function':
      return { type: 'function', value: '' };
    default: {
      if (value === null) return { type: 'object', subtype: 'null', value: 'null' };
      const subtype = subtypeOf(value as object);
      const out: Omit<PropertyPreview, 'name'> = { type: 'object', value: abbreviate(describeObject(value as object, subtype)) };
      if (subtype !== undefined) out.subtype = subtype;
      return out;
    }
  }
}

function primitivePreview(value: unknown): ObjectPreview {
  const { type, subtype, value: text } = describeShallow(value);
  const out: ObjectPreview = { type: type as ObjectPreview['type'], description: text ?? '', overflow: false, properties: [] };
  if (subtype !== undefined) out.subtype = subtype as ObjectPreview['subtype'];
  if (type === 'object' && subtype !== 'null') return preview(value as object);
  return out;
}

/** The ObjectPreview of an object (a few properties or entries, no getters run). */
export function preview(object: object, subtype = subtypeOf(object), name = className(object)): ObjectPreview {
  const out: ObjectPreview = { type: 'object', description: describeObject(object, subtype, name), overflow: false, properties: [] };
  if (subtype !== undefined) out.subtype = subtype as ObjectPreview['subtype'];
  if (subtype === 'proxy') return out;
  const indexLimit = subtype === 'array' || subtype === 'typedarray' ? PREVIEW_INDICES : PREVIEW_PROPERTIES;
  let indices = 0;
  let others = 0;
  const keys = safe(() => ownKeys(object), [] as PropertyKey[]);
  for (const key of keys) {
    if (typeof key === 'symbol') continue;
    const descriptor = safe(() => getOwnPropertyDescriptor(object, key), undefined);
    if (descriptor === undefined || !descriptor.enumerable) continue;
    if (isIndex(key)) {
      if (indices >= indexLimit) {
        out.overflow = true;
        continue;
      }
      indices++;
    } else {
      if (others >= PREVIEW_PROPERTIES) {
        out.overflow = true;
        continue;
      }
      others++;
    }
    if (descriptor.get !== undefined || descriptor.set !== undefined) out.properties.push({ name: String(key), type: 'accessor' });
    else out.properties.push({ ...valuePreview(descriptor.value), name: String(key) });
  }
  const entries = subtype === 'map' || subtype === 'set' ? entryList(object) : undefined;
  if (entries !== undefined) {
    const list: EntryPreview[] = [];
    for (const entry of entries.slice(0, PREVIEW_ENTRIES) as Array<{ key?: unknown; value: unknown }>) {
      const item: EntryPreview = { value: primitivePreview(entry.value) };
      if (subtype === 'map') item.key = primitivePreview(entry.key);
      list.push(item);
    }
    if (entries.length > PREVIEW_ENTRIES) out.overflow = true;
    out.entries = list;
  }
  return out;
}
