// Hoisting in sloppy CommonJS: functions called before their declaration, var hoisting,
// function declarations in blocks (Annex B), and functions declared in loops.
console.log(early(2))
function early(n) { let s = 0; for (let i = 0; i < n; i++) s += later(i); return s }
function later(i) { return i * 10 }
console.log('v before', v, typeof v)
var v = 1
console.log('v after', v)
function varScopes() {
  console.log('inner before', typeof inner, inner)
  for (var k = 0; k < 2; k++) { var inner = k }
  console.log('inner after', inner, 'k', k)
  if (true) { var deep = 'deep' }
  return deep
}
console.log(varScopes())
function annexB() {
  const out = []
  out.push('g before block: ' + typeof g)
  {
    out.push('g in block: ' + typeof g)
    function g() { return 'g' }
  }
  out.push('g after block: ' + typeof g)
  if (true) function h() { return 'h' }
  out.push('h: ' + typeof h)
  for (let i = 0; i < 2; i++) {
    out.push('loopFn before ' + i + ': ' + typeof loopFn)
    function loopFn() { return i }
    out.push('loopFn() ' + loopFn())
  }
  out.push('loopFn after: ' + typeof loopFn + ' ' + loopFn())
  switch (1) {
    case 1:
      function inSwitch() { return 'switch' }
  }
  out.push(inSwitch())
  return out.join('\n')
}
console.log(annexB())
function paramAndVar(a) {
  var a
  console.log('var a keeps param', a)
  var a = 2
  for (var j = 0; j < 1; j++) {}
  return a
}
console.log(paramAndVar(1))
function fnAndVar() {
  console.log(typeof dup)
  var dup = 1
  function dup() {}
  console.log(typeof dup)
}
fnAndVar()
label: function labelled() { return 'labelled fn' }
console.log(labelled())
var self = function selfName() { for (let i = 0; i < 1; i++) selfName = 5; return typeof selfName }
console.log('named fn expr name assignment ignored in sloppy mode:', self())
