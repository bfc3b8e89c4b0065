// Sloppy file; function-level directives. Inserting a check before a directive turns it into an
// ordinary expression statement, and the function silently becomes sloppy.
function sloppy() { return this === globalThis }
function strict1() { 'use strict'; return this === undefined }
function strict2() {
  "use client"
  "use strict"
  return this === undefined
}
function strictNoSemi() {
  'use strict'
  for (let i = 0; i < 2; i++) { }
  return this === undefined
}
const strictArrow = () => { 'use strict'; return (function () { return this })() === undefined }
const strictExpr = function () { "use strict"; return this }
const obj = { m() { 'use strict'; return this }, get g() { 'use strict'; return typeof this } }
class K { static s() { return this } } // class bodies are always strict
// Not a directive: a string after a statement.
function notDirective() { void 0; 'use strict'; return this === globalThis }
// Not "use strict": escaped form is a directive but not the strict one.
function escaped() { 'use\x20strict'; return this === globalThis }
// Parenthesised: an expression, not a directive.
function parens() { ('use strict'); return this === globalThis }
console.log('sloppy', sloppy())
console.log('strict1', strict1())
console.log('strict2', strict2())
console.log('strictNoSemi', strictNoSemi())
console.log('strictArrow', strictArrow())
console.log('strictExpr', strictExpr.call(undefined) === undefined)
console.log('method', obj.m.call(undefined) === undefined, obj.g)
console.log('class static', K.s.call(undefined) === undefined)
console.log('notDirective', notDirective())
console.log('escaped', escaped())
console.log('parens', parens())
function octal() { return 010 } // legal only in sloppy code
console.log('octal', octal())
function strictParamDup() { 'use strict'; try { eval('(function (a, a) {})'); return 'accepted' } catch (e) { return e.name } }
console.log('strict eval dup params', strictParamDup())
