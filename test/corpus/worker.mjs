// Instrumented code in worker threads (each thread has its own runtime state); the worker also
// runs a busy loop and a recursive function. Messages keep the output deterministic.
import { Worker } from 'node:worker_threads';
const results = [];
for (let i = 0; i < 2; i++) {
  const w = new Worker(new URL('./_worker-child.mjs', import.meta.url), { workerData: { n: 10 + i } });
  // Listening for the exit before awaiting the message: a worker that has already exited when
  // its message is handled emits 'exit' in the same turn, before an await after the message
  // could add the listener (the run then ends with exit 13, plain or instrumented, on a loaded machine).
  const exited = new Promise((resolve) => w.once('exit', resolve));
  const msg = await new Promise((resolve, reject) => { w.once('message', resolve); w.once('error', reject); });
  await exited;
  results.push(JSON.stringify(msg));
}
console.log(results.join('\n'));
