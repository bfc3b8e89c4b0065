// Exceptions thrown through loops, try/finally with break/continue/return inside loops,
// finally overriding completion, rethrow, optional catch binding, destructured catch params.
const out = [];
function thrower(n) { for (let i = 0; ; i++) if (i === n) throw new RangeError('at ' + i); }
try { thrower(3); } catch (e) { out.push(e.name + ' ' + e.message); }
function finallyCounts() {
  let count = 0, seen = [];
  for (let i = 0; i < 5; i++) {
    try {
      if (i === 1) continue;
      if (i === 3) break;
      seen.push(i);
    } finally {
      count++;
    }
  }
  return seen.join(',') + ' finally x' + count;
}
out.push(finallyCounts());
function finallyOverrides() {
  for (;;) {
    try { return 'from try'; } finally { break; }
  }
  return 'after loop (finally broke out)';
}
out.push(finallyOverrides());
function finallyReturn() { try { throw new Error('lost'); } finally { return 'finally return wins'; } }
out.push(finallyReturn());
function nested() {
  const r = [];
  outer: for (let i = 0; i < 3; i++) {
    try {
      for (let j = 0; j < 3; j++) {
        try {
          if (j === 1) throw new Error(`e${i}${j}`);
          r.push(`ok${i}${j}`);
        } catch (e) {
          r.push('inner caught ' + e.message);
          if (i === 1) throw e;
          continue outer;
        } finally {
          r.push(`fin${i}${j}`);
        }
      }
    } catch (e) {
      r.push('outer caught ' + e.message);
    }
  }
  return r.join(' ');
}
out.push(nested());
try {
  [1, 2, 3].forEach((v) => { if (v === 2) throw new TypeError('from forEach ' + v); });
} catch (e) { out.push(e.name + ': ' + e.message); }
try { JSON.parse('{bad'); } catch { out.push('optional catch binding'); }
try { throw { code: 42, detail: { msg: 'destructured' } }; } catch ({ code, detail: { msg } }) { out.push(code + ' ' + msg); }
try {
  try { throw new Error('first'); } catch (e) { for (let i = 0; i < 1; i++) e.message += ' rethrown'; throw e; }
} catch (e) { out.push(e.message); }
function* genThrows() { try { yield 1; yield 2; } finally { out.push('gen cleanup'); } }
try { for (const v of genThrows()) { if (v === 1) throw new Error('stop iterating'); } } catch (e) { out.push(e.message); }
const iterable = {
  [Symbol.iterator]() {
    let i = 0;
    return { next: () => ({ value: i++, done: i > 3 }), return: () => { out.push('iterator closed'); return {}; } };
  },
};
for (const v of iterable) { if (v === 1) break; }
try { for (const [a] of [[1], 2]) out.push('destructured ' + a); } catch (e) { out.push(e.name); }
async function asyncThrows() { for (let i = 0; i < 2; i++) { await null; if (i === 1) throw new Error('async loop throw'); } }
await asyncThrows().catch((e) => out.push(e.message));
const err = new Error('stack shape');
out.push(typeof err.stack, err.stack.split('\n')[0]);
process.on('exit', (code) => console.log('exit code', code));
console.log(out.join('\n'));
console.error('to stderr: a line');
process.exitCode = 3;
