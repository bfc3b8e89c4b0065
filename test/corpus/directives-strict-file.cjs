'use strict'
// A file-level "use strict" directive (no semicolon, single quotes) in a CommonJS file.
// If anything is inserted before it, the file silently turns sloppy.
function isStrict() { return this === undefined }
console.log('file strict:', isStrict())
try {
  undeclaredGlobal = 1 // ReferenceError only in strict mode
  console.log('assigned undeclared (sloppy!)')
} catch (e) {
  console.log('assignment to undeclared threw', e.name)
}
const arrowStrict = () => { for (let i = 0; i < 1; i++) { try { Object.freeze({ a: 1 }).a = 2; console.log('frozen write ignored (sloppy!)') } catch (e) { console.log('frozen write threw', e.name) } } }
arrowStrict()
console.log('delete of non-configurable:', (() => { try { delete Object.prototype; return 'no throw' } catch (e) { return e.name } })())
