// Annex B HTML-like comments, legal in scripts (CommonJS is a script).
let n = 0
<!-- this line is a comment
for (let i = 0; i < 3; i++) n += i
--> this line is a comment too
function f() {
  let m = 1 <!-- comment
  return m
}
console.log(n, f())
x = 5 /* block
*/ --> also a comment after a multi-line block comment
console.log(typeof x)
