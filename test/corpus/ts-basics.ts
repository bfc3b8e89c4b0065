// TypeScript: annotations, enums, namespaces, parameter properties, overloads, abstract classes,
// generic arrows, `declare` statements, satisfies/as/non-null, definite assignment, type guards.
export {};
declare const DECLARED_CONST: string;
declare let declaredLet: number;
declare function declaredFn(x: number): void;
declare class DeclaredClass { m(): void }
declare enum DeclaredEnum { A }
declare namespace DeclaredNs { const v: number; function f(): void; }
declare global { interface Array<T> { readonly __brand?: T } }
type Pair<T> = [T, T];
interface Shape { area(): number }
const out: string[] = [];
enum Color { Red, Green = 5, Blue }
enum Str { A = 'a', B = 'b' }
const enum Inline { X = 10, Y = 20 }
out.push(`enum ${Color.Red} ${Color.Blue} ${Color[5]} ${Str.B} ${Inline.Y}`);
for (const k in Color) out.push('enum key ' + k);
namespace Geometry {
  export const unit = 1;
  export let scale = 2;
  export function area(w: number, h: number): number { let a = 0; for (let i = 0; i < h; i++) a += w * scale; return a; }
  export namespace Inner { export const deep = (x: number): number => x * unit; }
  let hidden = 'hidden';
  for (let i = 0; i < 2; i++) hidden += i;
  export const seen = hidden;
}
namespace Geometry { export const merged = 'merged ' + unit; }
out.push(`ns ${Geometry.area(3, 2)} ${Geometry.Inner.deep(4)} ${Geometry.seen} ${Geometry.merged}`);
class Point {
  constructor(public x: number, private readonly y: number = 2, protected z?: number) {
    for (let i = 0; i < 1; i++) this.x += i;
  }
  sum(): number { return this.x + this.y + (this.z ?? 0); }
}
out.push(`params ${new Point(1).sum()} ${new Point(1, 1, 1).sum()} ${JSON.stringify(new Point(5))}`);
class Point3 extends Point {
  constructor(x: number, public w: number) {
    const pre = [x, w].map((v) => v * 2);
    super(pre[0]);
  }
}
out.push(`derived params ${JSON.stringify(new Point3(1, 4))}`);
function over(x: string): string;
function over(x: number): number;
function over(x: string | number): string | number {
  if (typeof x === 'number') { let r = 0; for (let i = 0; i < x; i++) r += i; return r; }
  return x.toUpperCase();
}
out.push(`overloads ${over(4)} ${over('s')} ${over.length}`);
abstract class Animal {
  abstract sound(): string;
  protected abstract get legs(): number;
  describe(): string { return `${this.sound()} on ${this.legs} legs`; }
}
class Dog extends Animal {
  sound() { return 'woof'; }
  protected get legs() { return 4; }
}
out.push(new Dog().describe());
const ident = <T,>(x: T): T => x;
const pair = <T extends string, U = number>(a: T, b: U): [T, U] => [a, b];
function generic<T>(items: readonly T[], pick: (t: T) => boolean): T[] { const r: T[] = []; for (const it of items) if (pick(it)) r.push(it); return r; }
out.push(`generics ${ident(5)} ${pair('a', 1).join('')} ${generic([1, 2, 3], (n) => n > 1).join('')}`);
const conf = { port: 8080, host: 'h' } satisfies Record<string, string | number>;
const asNum = (conf.port as number) + 1;
const maybeStr: string | undefined = 'defined' as string | undefined;
out.push(`satisfies ${conf.host} ${asNum} ${maybeStr!.length}`);
let definite!: number;
(function init() { definite = 42; })();
out.push('definite ' + definite);
function isStr(x: unknown): x is string { return typeof x === 'string'; }
function assertNum(x: unknown): asserts x is number { if (typeof x !== 'number') throw new Error('nan'); }
const mixed: unknown[] = [1, 'a', 2, 'b'];
out.push('guards ' + mixed.filter(isStr).join('') + ' ' + mixed.filter((x): x is number => { try { assertNum(x); return true; } catch { return false; } }).join(''));
class Box<T> {
  #value: T;
  static count: number = 0;
  declare tag: string;
  constructor(v: T) { this.#value = v; Box.count++; }
  map<U>(f: (t: T) => U): Box<U> { return new Box(f(this.#value)); }
  get value(): T { return this.#value; }
}
out.push(`box ${new Box(2).map((n) => n * 3).map(String).value} ${Box.count} ${'tag' in new Box(0)}`);
const tuple: Pair<number> = [1, 2];
const [ta, tb]: Pair<number> = tuple;
out.push('tuple ' + (ta + tb));
function thisParam(this: { base: number }, add: number): number { let r = this.base; for (let i = 0; i < add; i++) r++; return r; }
out.push('this param ' + thisParam.call({ base: 10 }, 3) + ' length ' + thisParam.length);
const arrowTyped = async (x: number): Promise<number> => x;
out.push('typeof ' + typeof arrowTyped);
let optional = (a: number, b?: number, ...rest: number[]): number => a + (b ?? 0) + rest.length;
out.push(`optional ${optional(1)} ${optional(1, 2, 3, 4)} ${optional.length}`);
const unique: unique symbol = Symbol('u');
out.push(String(unique.description));
console.log(out.join('\n'));
