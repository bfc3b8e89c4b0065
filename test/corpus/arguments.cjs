// Sloppy `arguments` aliasing with simple parameter lists (mapped arguments), unmapped
// arguments with default/rest/destructured params and in strict functions, arrows reading the
// enclosing function's arguments, and arguments objects of functions that never mention them.
const out = []
function mapped(a, b) {
  for (let i = 0; i < 1; i++) { a = 'a changed' }
  arguments[1] = 'b via arguments'
  out.push(arguments[0] + ' / ' + b + ' / ' + arguments.length)
  b = 'b again'
  out.push(arguments[1])
}
mapped('a0', 'b0', 'extra')
mapped('only a')
function unmappedDefault(a, b = 2) {
  a = 'changed'
  for (let i = 0; i < 1; i++) {}
  return arguments[0] + ' ' + arguments.length
}
out.push(unmappedDefault('orig'))
function unmappedStrict(a) {
  'use strict'
  a = 'changed'
  while (false) {}
  return arguments[0]
}
out.push(unmappedStrict('orig'))
function rest(...r) { return arguments.length + ':' + r.length }
out.push(rest(1, 2, 3))
function arrowsSeeOuter() {
  const f = () => arguments[0]
  const g = (x) => { for (let i = 0; i < 1; i++) {} return arguments.length + x }
  return f() + ' ' + g(10)
}
out.push(arrowsSeeOuter('outer arg', 2))
function calleeAndLength() {
  for (let i = 0; i < 1; i++) {}
  return typeof arguments.callee + ' ' + arguments.length
}
out.push(calleeAndLength(1, 2))
function neverMentions(a, b) { for (let i = 0; i < 1; i++) {} return a + b }
// Function.prototype.arguments of a sloppy function is visible while it runs.
function seenFromOutside(a, b) { return peek() }
function peek() { const args = seenFromOutside.arguments; return Array.prototype.join.call(args, '+') + ' ' + args.length }
out.push(seenFromOutside('x', 'y'))
function changeViaCaller(a) {
  changer()
  for (let i = 0; i < 1; i++) {}
  return a
}
function changer() { changeViaCaller.arguments[0] = 'changed from outside' }
out.push(changeViaCaller('original'))
out.push(neverMentions(1, 2))
function objectArgs() {
  const a = arguments
  for (let i = 0; i < a.length; i++) a[i] = a[i] * 2
  return Array.from(a).join(',') + ' ' + Object.prototype.toString.call(a)
}
out.push(objectArgs(1, 2, 3))
function paramWriteback(x) {
  for (let i = 0; i < 2; i++) x += i
  return arguments[0]
}
out.push(paramWriteback(10))
console.log(out.join('\n'))
