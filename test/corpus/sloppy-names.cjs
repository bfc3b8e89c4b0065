// Sloppy-mode oddities: `let`, `yield`, `await`, `static`, `async` and `of` as plain identifiers,
// a parameter named `arguments`, and TDZ through a shadowing block in a sloppy function.
var let = 1
var yield = 2
var await = 3
var async = 4
var of = [5, 6]
function names(static) {
  var implements = 'impl'
  let total = 0
  for (var i = 0; i < 2; i++) total += let + yield + await + async + static
  for (let x of of) total += x
  for (async in { seven: 7 }) total += async.length
  return total + implements
}
console.log(names(10))
function argParam(arguments) {
  for (let i = 0; i < 1; i++) {}
  return arguments
}
console.log(argParam('param named arguments'))
function varArguments() {
  var arguments
  for (let i = 0; i < 1; i++) {}
  return typeof arguments + ' ' + arguments.length
}
console.log(varArguments(1, 2))
function sloppyShadow() {
  var r = []
  let s = 'outer'
  {
    while (r.length < 1) r.push('loop')
    try { r.push(s) } catch (e) { r.push(e.name) }
    let s = 'inner'
    r.push(s)
  }
  return r.concat(s).join(' ')
}
console.log(sloppyShadow())
function forInVarInit() {
  var out = []
  for (var k = 'init' in {}) out.push(k)
  return k
}
console.log(forInVarInit())
