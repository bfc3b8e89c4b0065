/**
 * `node --import trapdoor-js/register app.js`: instruments the program's own modules as they load
 * (see install.ts). With `--import`, Node 20 runs even a CommonJS entry point through its ES
 * module loader (its `module.id` is then its path, not '.'); `node --require trapdoor-js/register`
 * (register.cts, what `trapdoor run` uses) leaves the entry point to the CommonJS loader as
 * without trapdoor.
 *
 * The order is register.cts's: the hooks first, then the runtime (loaded while Node's hooks
 * thread loads the hooks), then the wait for them.
 */
import { createRequire } from 'node:module';
import { installNodeLoader, waitForHooks } from './install.js';

installNodeLoader();
createRequire(import.meta.url)('../preload-runtime.js'); // the runtime is always there, so attach works (preload-runtime.ts)
waitForHooks();
