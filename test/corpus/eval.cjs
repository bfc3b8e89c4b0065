// Direct eval in sloppy functions: reading locals, declaring vars into the function scope,
// shadowing parameters, and eval-declared functions. Indirect eval for contrast.
function reads(a) {
  var b = 2
  let c = 3
  const out = []
  for (let i = 0; i < 2; i++) out.push(eval('a + b + c + i'))
  return out.join(',')
}
console.log('reads', reads(1))
function declares() {
  const out = []
  out.push(typeof declared)
  eval('var declared = "from eval"')
  for (let i = 0; i < 1; i++) out.push(declared)
  declared += '!'
  out.push(declared)
  eval('function evalFn(n) { let s = 0; for (let i = 0; i < n; i++) s += i; return s }')
  out.push(evalFn(4))
  return out.join(' | ')
}
console.log('declares', declares())
function shadowsParam(p) {
  eval('var p = "shadowed"')
  for (let i = 0; i < 1; i++) {}
  return p
}
console.log('shadowsParam', shadowsParam('param'))
var outer = 'outer'
function shadowsOuter() {
  const before = outer
  eval('var outer = "inner"')
  let seen
  for (const x of [0]) seen = outer
  return before + ' -> ' + seen
}
console.log('shadowsOuter', shadowsOuter(), outer)
function deletes() {
  eval('var tmp = 1')
  const del = delete tmp
  return del + ' ' + typeof tmp
}
console.log('deletes', deletes())
function evalArrow() {
  let v = 'v'
  const f = () => eval('v + typeof this')
  return f.call(null)
}
console.log('evalArrow', evalArrow())
function evalThis() { return eval('this') === globalThis }
console.log('evalThis', evalThis())
function evalArguments(a, b) { return eval('arguments.length + ":" + arguments[1]') }
console.log('evalArguments', evalArguments(1, 'two', 3))
function evalLet() {
  eval('let scoped = 1')
  return typeof scoped
}
console.log('evalLet', evalLet())
function indirect() {
  var local = 'local'
  ;(0, eval)('var globalFromIndirect = 42')
  return typeof local + ' ' + globalFromIndirect
}
console.log('indirect', indirect())
function evalStrictInside() {
  eval('"use strict"; var notLeaked = 1')
  return typeof notLeaked
}
console.log('evalStrictInside', evalStrictInside())
function evalLoop() {
  let s = 0
  for (let i = 0; i < 3; i++) eval('s += i')
  return s
}
console.log('evalLoop', evalLoop())
console.log('new Function', new Function('a', 'b', 'let r = 0; for (let i = a; i < b; i++) r += i; return r')(1, 4))
