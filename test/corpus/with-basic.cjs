// `with` statements: identifiers inside resolve against the object first.
const out = []
const obj = { a: 1, b: 2, list: [] }
let local = 'local'
let b = 'outer b'
with (obj) {
  for (let i = 0; i < 3; i++) { a += i; list.push(b) }
  out.push(a, local)
  var declaredInWith = 'var in with'
  const f = function () { for (let k = 0; k < 1; k++) {} return a + b }
  out.push(f())
  const g = () => { while (a < 10) a++; return a }
  out.push(g())
}
out.push(obj.a, obj.list.join(','), declaredInWith, b)
function withInFn(o) {
  let x = 'local x'
  let count = 0
  with (o) {
    do { count++ } while (count < 2)
    out.push(x)
  }
  return x
}
out.push(withInFn({ x: 'prop x' }), withInFn({}))
const unscopable = { [Symbol.unscopables]: { hidden: true }, hidden: 'prop', shown: 'prop' }
var hidden = 'global hidden', shown = 'global shown'
with (unscopable) {
  for (const _ of [0]) out.push(hidden, shown)
}
console.log(out.join('\n'))
