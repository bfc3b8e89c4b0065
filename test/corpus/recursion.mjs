// Recursion: direct, mutual, through callbacks, memoised, deep (caught stack overflow), and
// recursion whose depth comes from data.
const out = [];
function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
out.push(fib(20));
const isEven = (n) => (n === 0 ? true : isOdd(n - 1));
const isOdd = (n) => (n === 0 ? false : isEven(n - 1));
out.push(isEven(100), isOdd(7));
function ackermann(m, n) { while (m > 0) { if (n === 0) { n = 1; } else { n = ackermann(m, n - 1); } m--; } return n + 1; }
out.push(ackermann(2, 3));
const memo = new Map();
function partitions(n, k = n) { if (n === 0) return 1; if (n < 0 || k === 0) return 0; const key = n + ',' + k; if (memo.has(key)) return memo.get(key); const r = partitions(n - k, k) + partitions(n, k - 1); memo.set(key, r); return r; }
out.push(partitions(60));
function flatten(x) { return Array.isArray(x) ? x.flatMap(flatten) : [x]; }
out.push(flatten([1, [2, [3, [4, [5]]]], 6]).join(''));
function depth(node) { let d = 0; for (const c of node.children ?? []) d = Math.max(d, depth(c)); return d + 1; }
const tree = { children: [{ children: [{}, { children: [{}] }] }, {}] };
out.push(depth(tree));
function overflow(n) { return overflow(n + 1) + 1; }
try { overflow(0); } catch (e) { out.push('overflow caught: ' + e.name); }
function hanoi(n, from, to, via, moves) { if (n === 0) return moves; hanoi(n - 1, from, via, to, moves); moves.push(from + to); hanoi(n - 1, via, to, from, moves); return moves; }
out.push(hanoi(4, 'A', 'C', 'B', []).length);
const Y = (f) => ((x) => x(x))((x) => f((...a) => x(x)(...a)));
out.push(Y((self) => (n) => (n <= 1 ? 1 : n * self(n - 1)))(10));
function permutations(arr) { if (arr.length <= 1) return [arr]; const r = []; for (let i = 0; i < arr.length; i++) for (const p of permutations([...arr.slice(0, i), ...arr.slice(i + 1)])) r.push([arr[i], ...p]); return r; }
out.push(permutations([1, 2, 3, 4]).map((p) => p.join('')).join(' '));
console.log(out.join('\n'));
