#!/usr/bin/env node
"use strict";
// A hashbang line followed by a directive: the runtime import has to go after both.
function f() { return this }
console.log('strict after hashbang', f() === undefined)
let n = 0
for (let i = 0; i < 3; i++) n += i
console.log(n)
