// A CommonJS dependency loaded from ESM (so the CJS build of the runtime is loaded next to the ESM one).
exports.count = 0
exports.inc = function inc(by) { for (let i = 0; i < by; i++) exports.count++; return exports.count }
exports.self = function () { return this === exports }
module.exports.Loop = class Loop { run(n) { const r = []; while (r.length < n) r.push(r.length); return r } }
