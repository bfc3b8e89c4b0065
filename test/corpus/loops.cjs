// Every loop form, braced, unbraced and empty; for-in/for-of with var/let/const/destructuring/
// member-expression targets; loops whose body is another loop, a label, a var declaration,
// an if/else; comments in odd places; and loops in expression positions (IIFEs in conditions).
const out = []
let i = 0
for (;;) { if (++i > 2) break }
for (; i < 5;) i++
for (i = 0; i < 3; i++);
for (var v1 = 0, v2 = 10; v1 < v2; v1 += 4, v2--) /* comment body */ ;
out.push('for', i, v1, v2)
while (i-- > 0);
while (i < 3) i += 1
while (false) {}
do ; while (false)
do { i++ } while (i < 5)
do i++; while (i < 7)
do
  i++
while (i < 9)
out.push('while/do', i)
const o = { a: 1, b: 2 }
Object.prototype.inherited = 'proto'
for (var k in o) out.push('var-in ' + k)
for (let k in o) out.push('let-in ' + k)
for (const k in o) { out.push('const-in ' + k) }
delete Object.prototype.inherited
const target = {}
for (target.prop in o);
out.push('member target', target.prop)
const arr = [[1, 2], [3, 4]]
for (const [x, y] of arr) out.push('pair ' + (x + y))
for (let { length } of ['abc', 'de']) out.push('len ' + length)
for (var [p = 'dp', q] of [[undefined, 'q1']]) out.push('var destr ' + p + q)
const holder = { slot: null }
for (holder.slot of [7, 8]);
out.push('member of', holder.slot)
let bare
for (bare of 'xy') out.push('bare ' + bare)
const tgt = []
for ([tgt[0], tgt[1]] of [['m', 'n']]);
out.push('pattern assign', tgt.join(''))
for (const ch of 'ab') for (const d of [1, 2]) out.push(ch + d)
for (let n = 0; n < 2; n++) lbl: for (;;) break lbl
for (let n = 0; n < 2; n++) var declaredInBody = n
out.push('var in body', declaredInBody)
for (let n = 0; n < 3; n++) if (n % 2) out.push('odd ' + n); else out.push('even ' + n)
for (let n = 0; n < 1; n++) try { out.push('try body') } finally { out.push('finally body') }
for (let n = 0; n < 1; n++) switch (n) { case 0: out.push('switch body') }
for (let n = 0; n < 1; n++) { ; }
for (let n = 0; n < 1; n++) {
  // only a comment
}
while ((() => { let c = 0; for (const _ of [1, 2]) c++; return c })() < 0);
out.push('cond iife done')
let count = 0
for (const f of [function () { for (;;) return 'fn in iterable' }]) out.push(f())
for (let n = 0, fn = function inHead() { return n }; n < 2; n++) count += fn()
out.push('count', count)
const sparse = [1, , 3]
for (const s of sparse) out.push('sparse ' + s)
for (const s in sparse) out.push('sparse index ' + s)
for (const cp of 'a😀') out.push('codepoint ' + cp.length)
for (const [key, val] of new Map([['mk', 'mv']])) out.push(key + val)
for (const val of new Set([1, 1, 2])) out.push('set ' + val)
function* g() { yield* [1, 2] }
for (const val of g()) out.push('gen ' + val)
let guard = 0
for (;;) if (++guard > 3) break; else continue
out.push('guard', guard)
console.log(out.join('\n'))
