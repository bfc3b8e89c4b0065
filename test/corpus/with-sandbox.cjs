// The classic sandbox pattern: `with` over a Proxy whose `has` trap claims every name, and whose
// `get` falls back to globalThis. Every identifier inside the block resolves through the proxy,
// including any identifier the instrumentation inserts there.
const sandbox = new Proxy(Object.create(null), {
  has: () => true,
  get: (t, k) => (k === Symbol.unscopables ? undefined : k in t ? t[k] : globalThis[k]),
  set: (t, k, v) => { t[k] = v; return true },
})
// (Assignments inside the block go to the sandbox too, so the block prints its own result:
// `console` is found on globalThis through the proxy's `get`.)
try {
  with (sandbox) {
    total = 0
    for (let i = 0; i < 3; i++) total += i
    const double = (x) => x * 2
    console.log('total ' + total + ', doubled ' + double(total))
  }
} catch (e) {
  console.log('threw ' + e.name + ': ' + e.message)
}
