// Test helper (not instrumented): a worker that waits for the trigger file, then asks the main
// thread to activate, as a signal watcher would. workerData: { flags, trigger, storm }.
// With `storm`, it asks 500 times in a row, a millisecond apart (a signal storm).
import { existsSync } from 'node:fs';
import { workerData } from 'node:worker_threads';
import { requestActivation } from '@trapdoor-js/runtime';

const sleeper = new Int32Array(new SharedArrayBuffer(4));
const timer = setInterval(() => {
  if (!existsSync(workerData.trigger)) return;
  clearInterval(timer);
  const times = workerData.storm ? 500 : 1;
  for (let i = 0; i < times; i++) {
    requestActivation(workerData.flags);
    if (times > 1) Atomics.wait(sleeper, 0, 0, 1);
  }
}, 10);
