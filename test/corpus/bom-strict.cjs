'use strict'
// A UTF-8 byte order mark before a 'use strict' directive (Node strips the BOM).
function f() { return this }
let n = 0
for (let i = 0; i < 3; i++) n += i
console.log('strict with BOM', f() === undefined, n)
