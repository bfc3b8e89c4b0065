import { parentPort, workerData, isMainThread } from 'node:worker_threads';
function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
let spins = 0;
const until = workerData.n * 1000;
while (spins < until) spins++;
const squares = Array.from({ length: 5 }, (_, i) => i * i);
parentPort.postMessage({ isMainThread, fib: fib(workerData.n), spins, squares });
