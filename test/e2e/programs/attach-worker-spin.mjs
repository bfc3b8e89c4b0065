// The main thread waits in its event loop while a worker thread spins: `trapdoor stack` cannot
// pause the worker (not yet attachable) and must say what it can see instead of "idle".
import { Worker } from 'node:worker_threads';

const worker = new Worker(new URL('./attach-worker-spin.worker.mjs', import.meta.url));
worker.once('message', (message) => console.log(`worker ${message}`));
setInterval(() => {}, 60_000);
