/**
 * @trapdoor-js/runtime: what instrumented code imports. Loading it arms the process: a signal
 * (or the control socket) activates the debugger from outside.
 */
export * from './surface.js';

import { installTrapHandler } from './activation.js';
import { listenForActivation } from './activation-triggers.js';

// Serve activation requests from the first check on (unless a tool installed its own handler first).
installTrapHandler();
// Let `kill -USR2 <pid>` / `trapdoor attach <pid>` reach this process (main thread only, once).
listenForActivation();
