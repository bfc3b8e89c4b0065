// Bodies that start their own line (an arrow's expression body, a loop body without braces): the
// check goes at the end of the line before, after the token there. The program's tokens, its ASI,
// its HTML-like comments and the columns of errors on those lines stay what they were.
const me = require('node:path').basename(__filename)
const where = (err) => err.stack.split('\n').filter((l) => l.includes(me)).map((l) => /:(\d+:\d+)\)?$/.exec(l)[1]).join(' <- ')
const get = (o) =>
  o.a.b
try { get({}) } catch (e) { console.log('get', where(e)) }
let n = 0
for (const x of [1, 2]) // a comment
  n += x
while (n < 10) /* a
  b */
  n++
do
  n--
while (n > 8)
console.log(n)
const inc = (x) => // a comment
--> an HTML-like comment, on a line of its own
  x + 1
console.log(inc(1))
const curried = (a) =>
  (b) =>
    a.c(b)
try { curried({})(1) } catch (e) { console.log('curried', where(e)) }
outer: for (const i of [1, 2])
  for (const j of [1, 2])
    if (j === 2) continue outer; else console.log(i, j)
const later = async (x) =>
  await x
later(3).then((v) => console.log('later', v))
