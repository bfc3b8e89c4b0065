// The worker of worker-spin-main.mjs: spins until a debugger sets `stop`.
import { parentPort } from 'node:worker_threads';

function spin(limit) {
  let count = 0;
  let stop = false;
  while (!stop) {
    count = (count + 1) % limit;
  }
  return count;
}

parentPort.postMessage('spinning');
parentPort.postMessage(`stopped at ${spin(1000)}`);
