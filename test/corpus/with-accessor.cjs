// `with` over an object whose properties shadow locals and are accessors that log.
// Reading or writing a local by name inside the block reaches the accessor instead.
const events = []
const o = {
  get x() { events.push('get x'); return 1 },
  set x(v) { events.push('set x ' + v) },
  get n() { events.push('get n'); return 2 },
}
function f(x) {
  let n = 100
  let total = 0
  with (o) {
    for (let i = 0; i < 2; i++) total += x + n
  }
  return total + ' ' + x + ' ' + n
}
console.log(f(50))
console.log(events.join(', '))
