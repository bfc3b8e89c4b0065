/**
 * The Node loader's main-thread start, what both register files load (register.cts for
 * `--require`, register.ts for `--import`): the hooks first, then the runtime (loaded while Node's
 * hooks thread loads the hooks, hooks-entry.ts), then the wait for them, so that the program's
 * first module is instrumented.
 *
 * The build makes this one CommonJS file holding the loader's main-thread modules
 * (scripts/bundle-node.mjs): sixteen ES modules loaded by `require(esm)` cost the start of every
 * process about 10 ms more than one file. Unbundled (as tsc writes it) it works the same.
 */
import type * as Install from './install.js';

const { installNodeLoader, waitForHooks } = require('./install.js') as typeof Install;
installNodeLoader();
require('../preload-runtime.js'); // the runtime is always there, so attach works (preload-runtime.ts)
waitForHooks();
