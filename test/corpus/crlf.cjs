// CRLF line endings throughout (Windows checkouts). Positions and the source map must agree
// with how JavaScript counts lines.
'use strict'
function sum(list) {
  let s = 0
  for (const v of list) s += v
  return s
}
const twice = (x) =>
  x * 2
let i = 0
do i++
while (i < 3)
console.log(sum([1, 2, 3]), twice(4), i, `template
with a CRLF inside`.length)
