// Instrumented code in worker threads (each thread has its own runtime state); the worker also
// runs a busy loop and a recursive function. Messages keep the output deterministic.
import { Worker } from 'node:worker_threads';
const results = [];
for (let i = 0; i < 2; i++) {
  const w = new Worker(new URL('./_worker-child.mjs', import.meta.url), { workerData: { n: 10 + i } });
  const msg = await new Promise((resolve, reject) => { w.once('message', resolve); w.once('error', reject); });
  await new Promise((resolve) => w.once('exit', resolve));
  results.push(JSON.stringify(msg));
}
console.log(results.join('\n'));
