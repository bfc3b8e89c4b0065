"use client";
'use strict';
// A module with directives: "use client" must stay first (bundlers look for it); modules are
// strict anyway. Functions with their own directive prologues.
export function Component(props) {
  'use memo'
  const out = []
  for (const k of Object.keys(props)) out.push(k + '=' + props[k])
  return out.join(',')
}
function serverAction() {
  "use server";
  return typeof this
}
console.log(Component({ a: 1, b: 'x' }))
console.log(serverAction())
console.log((function () { return this })() === undefined)
