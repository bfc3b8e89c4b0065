/**
 * `node --require trapdoor-js/register app.js` (what `trapdoor run` does): the same loader as
 * register.ts, installed from a CommonJS preload so that Node starts the entry point exactly as it
 * would without trapdoor (a CommonJS entry keeps `module.id === '.'` and Node's own frames). The
 * loader itself is ESM, loaded with `require(esm)` (Node 20.19+).
 */
import type { installNodeLoader } from './install.js';

(require('./install.js') as { installNodeLoader: typeof installNodeLoader }).installNodeLoader();
require('../preload-runtime.js'); // the runtime is always there, so attach works (preload-runtime.ts)
