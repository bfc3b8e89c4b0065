// Annex B function declarations in blocks (sloppy) next to loops, in a strict function inside a
// sloppy file (block-scoped there), in switch cases and in loop bodies, and shadowing params.
const out = []
function sloppyBlocks() {
  for (let i = 0; i < 1; i++) out.push('before: ' + typeof g1)
  {
    for (let i = 0; i < 1; i++) out.push('in block: ' + typeof g1)
    function g1() { return 'g1' }
  }
  out.push('after: ' + typeof g1)
  if (out.length > 100) { function never() {} }
  for (const _ of [0]) out.push('never declared: ' + typeof never)
}
sloppyBlocks()
function strictBlocks() {
  'use strict'
  for (let i = 0; i < 1; i++) out.push('strict before: ' + typeof g2)
  {
    function g2() { return 'g2' }
    for (let i = 0; i < 1; i++) out.push('strict in block: ' + g2())
  }
  out.push('strict after: ' + typeof g2)
}
strictBlocks()
function shadowsParam(g3) {
  {
    function g3() { return 'inner g3' }
  }
  for (let i = 0; i < 1; i++) out.push('param kept: ' + g3)
}
shadowsParam('param')
function shadowsLet() {
  let g4 = 'let'
  {
    function g4() { return 'block g4' }
    for (let i = 0; i < 1; i++) out.push('block sees ' + typeof g4)
  }
  out.push('outer let kept: ' + g4)
}
shadowsLet()
function inLoop() {
  const r = []
  for (let i = 0; i < 3; i++) {
    if (i === 0) r.push('first: ' + typeof loopFn)
    function loopFn() { return i }
    r.push(loopFn())
  }
  return r.join(',') + ' after: ' + loopFn()
}
out.push(inLoop())
function inSwitch(k) {
  for (let i = 0; i < 1; i++) out.push('switch before: ' + typeof sf)
  switch (k) {
    case 1:
      function sf() { return 'sf' }
      break
  }
  return typeof sf
}
out.push(inSwitch(1), inSwitch(2))
console.log(out.join('\n'))
