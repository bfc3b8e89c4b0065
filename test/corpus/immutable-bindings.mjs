// Bindings that must never be assigned back to: const (including for-of/for-in heads), imports,
// a named function expression's own name, a class's inner name, and module namespace objects.
// In the every-check-traps run, writing any of them back throws a TypeError.
import { frozen as importedConst, counter as importedLet } from './_esm-dep.mjs';
import * as nsObj from './_esm-dep.mjs';
const out = [];
const topConst = 'top';
for (const x of [1, 2]) out.push('for-of const ' + x + topConst + importedConst.length + importedLet + typeof nsObj);
for (const k in { a: 1 }) out.push('for-in const ' + k);
const fact = function self(n) {
  for (let i = 0; i < 1; i++) {}
  return n <= 1 ? 1 : n * self(n - 1);
};
out.push('named fn expr ' + fact(5));
const arrowSelf = function inner() { const f = () => { for (const q of [0]) return typeof inner; }; return f(); };
out.push(arrowSelf());
const Cls = class InnerName {
  static make() { for (let i = 0; i < 1; i++) {} return new InnerName(); }
  method() { const c = InnerName; let n = 0; while (n < 1) n++; return c.name + n; }
};
out.push(Cls.make().method());
class Decl {
  static m() { for (const d of [Decl]) return d.name; }
}
out.push(Decl.m());
try { throw new Error('caught'); } catch (err) { for (let i = 0; i < 1; i++) out.push(err.message); }
function constsInFunction() {
  const a = 1;
  let b = 2;
  const { c, d: [e] } = { c: 3, d: [4] };
  for (let i = 0; i < 2; i++) b += a + c + e;
  return b;
}
out.push('consts ' + constsInFunction());
function fnDecl() { fnDecl.calls = (fnDecl.calls ?? 0) + 1; for (let i = 0; i < 1; i++) {} return fnDecl.calls; }
out.push('fn decl ' + fnDecl() + fnDecl());
const gen = function* g() { for (const v of [g.name]) yield v; };
out.push([...gen()].join(''));
const asyncNamed = async function an() { for (const v of [1]) await v; return an.name; };
out.push(await asyncNamed());
using: {
  const usingLike = 'label named using';
  for (;;) { out.push(usingLike); break using; }
}
console.log(out.join('\n'));
