// Enums and classes declared after loops inside functions (TypeScript emits them as bindings
// that are uninitialised before their declaration), namespaces with loops, const enums in loops.
export {};
function enumAfterLoop(n: number): string {
  const r: string[] = [];
  for (let i = 0; i < n; i++) r.push(String(i));
  enum Local { A = 'la', B = 'lb' }
  for (const v of [Local.A, Local.B]) r.push(v);
  class LocalClass { static tag = 'lc'; }
  while (r.length < 6) r.push(LocalClass.tag);
  return r.join(' ');
}
console.log(enumAfterLoop(2));
function constEnum(): number {
  const enum Bits { One = 1, Two = 2, Four = 4 }
  let mask = 0;
  for (const b of [Bits.One, Bits.Four]) mask |= b;
  return mask;
}
console.log(constEnum());
namespace Outer {
  for (let i = 0; i < 1; i++) console.log('namespace body loop');
  export let exported = 'exported';
  const local = 'local';
  export function read(): string { let s = ''; for (const x of [exported, local]) s += x; return s; }
  export namespace Deeper { export const v = (() => { let t = 0; for (let i = 0; i < 3; i++) t += i; return t; })(); }
}
console.log(Outer.read(), Outer.Deeper.v);
module Legacy { export const old = 'module keyword'; }
console.log(Legacy.old);
