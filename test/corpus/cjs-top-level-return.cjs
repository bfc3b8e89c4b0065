// CommonJS top-level `return` (legal: the module body is a function), with code after it that
// must not run, a hoisted function declared after the return, and the module wrapper's
// `arguments` and `this`.
console.log('wrapper arguments', arguments.length, typeof arguments[1])
console.log('this is module.exports', this === module.exports)
let total = 0
for (let i = 0; i < 3; i++) total += i
console.log('total', total, hoistedAfterReturn())
module.exports = { total }
if (total > 0) {
  console.log('returning early')
  return
}
console.log('never printed')
function hoistedAfterReturn() { for (const x of [1]) return 'hoisted ' + x }
