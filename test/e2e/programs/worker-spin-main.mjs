// A program whose worker thread spins (test/e2e-worker-attach.test.ts); the main thread only waits.
import { Worker } from 'node:worker_threads';

const worker = new Worker(new URL('./worker-spin.mjs', import.meta.url));
worker.on('message', (message) => console.log(`worker: ${message}`));
worker.on('exit', (code) => console.log(`worker exited with ${code}`));
