// A CommonJS module that declares its own top-level `require` (hoisted function) and `module`-level
// names that a naive header could collide with. Real bundles (browserify/UMD prologues) do this.
const realRequire = module.require.bind(module)
function require(id) {
  calls.push(id)
  return realRequire(id)
}
var calls = calls || []
const path = require('node:path')
console.log('path.sep', path.sep)
console.log('require calls', calls.join(','))
for (let i = 0; i < 2; i++) require('node:os')
console.log('require calls after loop', calls.join(','))
