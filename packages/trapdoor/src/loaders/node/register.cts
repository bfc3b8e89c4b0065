/**
 * `node --require trapdoor-js/register app.js` (what `trapdoor run` does): the same loader as
 * register.ts, installed from a CommonJS preload so that Node starts the entry point exactly as it
 * would without trapdoor (a CommonJS entry keeps `module.id === '.'` and Node's own frames).
 *
 * Node 20 runs --require preloads on its module hooks thread too (a worker without a parentPort),
 * before that thread says it is ready, while the main thread waits for it inside
 * `module.register`: loading the loader there only to return (install.ts) cost the start of every
 * process about 20 ms. So nothing is loaded on that thread: start.cts (one bundled file) is
 * required on the main thread and in the program's workers only.
 */
const { isMainThread, parentPort } = require('node:worker_threads') as typeof import('node:worker_threads');
if (isMainThread || parentPort !== null) require('./start.cjs');
