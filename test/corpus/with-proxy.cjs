// `with` over a Proxy whose `has` trap logs every identifier lookup made inside the block.
// The printed lookup log is the program's observable behaviour: if the instrumentation's own
// identifiers (the check's flag array, trap function, …) appear in it, instrumentation is visible.
const lookups = []
const target = { a: 1, b: 2 }
const proxy = new Proxy(target, {
  has(t, key) {
    if (typeof key === 'string') lookups.push(key)
    return key in t
  },
})
let sum = 0
with (proxy) {
  for (let i = 0; i < 2; i++) {
    sum += a + b
  }
  const f = (x) => x + a
  sum += f(10)
}
console.log('sum', sum)
console.log('lookups', lookups.join(','))
