/**
 * `node --require trapdoor-js/register app.js` (what `trapdoor run` does): the same loader as
 * register.ts, installed from a CommonJS preload so that Node starts the entry point exactly as it
 * would without trapdoor (a CommonJS entry keeps `module.id === '.'` and Node's own frames). The
 * loader itself is ESM, loaded with `require(esm)` (Node 20.19+).
 *
 * Node 20 runs --require preloads on its module hooks thread too (a worker without a parentPort),
 * before that thread says it is ready, while the main thread waits for it inside
 * `module.register`: loading the loader there only to return (install.ts) cost the start of every
 * process about 20 ms. So nothing is loaded on that thread.
 */
import type * as Install from './install.js';

const { isMainThread, parentPort } = require('node:worker_threads') as typeof import('node:worker_threads');
if (isMainThread || parentPort !== null) {
  const { installNodeLoader, waitForHooks } = require('./install.js') as typeof Install;
  installNodeLoader();
  // Loaded while Node's hooks thread loads the hooks (hooks-entry.ts); the program starts after both.
  require('../preload-runtime.js'); // the runtime is always there, so attach works (preload-runtime.ts)
  waitForHooks();
}
