// Stack traces: line numbers (not columns) and function names of this file's frames must be
// unchanged by instrumentation, including frames of callbacks driven by native loops.
const path = require('node:path')
const me = path.basename(__filename)
function frames(err) {
  return err.stack.split('\n').slice(1)
    .filter((l) => l.includes(me))
    .map((l) => {
      const m = /at (?:(.*?) \()?.*?:(\d+):\d+\)?$/.exec(l.trim())
      return m ? `${m[1] ?? '<anonymous>'}@${m[2]}` : '?'
    })
    .join(' <- ')
}
function outer() {
  return [1].map(function mapper() {
    for (let i = 0; i < 1; i++) {
      return inner()
    }
  })[0]
}
const inner = () => frames(new Error('here'))
console.log(outer())
class K {
  constructor() { this.trace = this.method() }
  method() { return [3, 1, 2].sort((a, b) => { if (!this.seen) this.seen = frames(new Error()); return a - b }) && this.seen }
  static get g() { return frames(new Error()) }
}
console.log(new K().trace)
console.log(K.g)
function* gen() { yield frames(new Error()) }
console.log(gen().next().value)
console.log('x'.replace(/x/, () => frames(new Error())))
Error.prepareStackTrace = (err, callsites) => callsites.filter((c) => (c.getFileName() || '').endsWith(me)).map((c) => `${c.getFunctionName()}:${c.getLineNumber()}:${c.isConstructor()}`).join(' ')
function viaCallsites() { return new Error().stack }
console.log(viaCallsites())
