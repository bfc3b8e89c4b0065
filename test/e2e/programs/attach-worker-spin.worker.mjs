// The worker of attach-worker-spin.mjs: says it started, then spins for good.
import { parentPort } from 'node:worker_threads';

parentPort.postMessage('spinning');
let turns = 0;
for (;;) turns++;
