// ASI hazards. Everything here relies on where semicolons are (or are not) inserted.
let log = []
const print = (...a) => log.push(a.join(' '))
function id(x) { return x }
let a = 1
let b = a
;(function () { print('iife after semicolon-less line') })()
let c = id
(5) // no ASI: c = id(5)
print('c', c)
let arr = [1, 2, 3]
let d = arr
[1] // no ASI: d = arr[1]
print('d', d)
let e = 'x'
let tag = (s) => 'tagged:' + s.raw[0]
let t = tag
`tpl` // no ASI: t = tag`tpl`
print('t', t)
let f = 10
let g = f
+1 // g = f + 1
print('g', g)
let h = f
-1
print('h', h)
let i = 0
i
++f // ASI: i; ++f
print('i f', i, f)
function r1() {
  return
  42
}
function r2() {
  return (
    42
  )
}
function r3() { return /* comment
  */ 7 }
print('returns', r1(), r2(), r3())
function th() {
  try {
    throw new
    Error('after newline')
  } catch (err) { return err.message }
}
print('throw', th())
// Unbraced loop bodies without semicolons
let s = 0
for (let k = 0; k < 3; k++) s += k
while (s < 10) s++
print('s', s)
let x = 0
do x++; while (x < 5)
print('x', x)
do x++
while (x < 8)
print('x', x)
do ; while (x-- > 7)
print('x', x)
for (const v of [1, 2]) print('v', v)
for (const key in { p: 1, q: 2 }) print('key', key)
let y = 0
while (y < 2) y++
[0].forEach(() => print('after loop: y++ cannot be followed by [ so ASI ends the body')) 
print('y', y)
let z = 0
while (z++ < 3) z
++
y // parsed as: while (z++ < 3) z; ++y;
print('z', z, y)
for (const fn of [() => 1, () => 2]) print(fn
())
if (y) for (;;) break
else print('unreachable')
let obj = { get: 1 }
let w = obj
.get
print('w', w)
console.log(log.join('\n'))
