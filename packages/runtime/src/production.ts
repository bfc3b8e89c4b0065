/**
 * @trapdoor-js/runtime/production: what production debug builds import (the bundler adapters'
 * `production: true`). The same exports as the main entry, but loading it arms nothing: no signal
 * handler, no thread, no socket, no state file. The checks stay in the code and cost what they
 * cost; the process can be attached to only when whoever deploys it opted in at start, with
 * `TRAPDOOR_ARM=1` in its environment.
 */
export * from './surface.js';

import { installTrapHandler } from './activation.js';
import { listenForActivation } from './activation-triggers.js';
import { readEnv } from './permissions.js';

/** The deployment's opt-in (read once, at load). */
export const ARM_ENV = 'TRAPDOOR_ARM';

installTrapHandler();
if (readEnv(ARM_ENV) === '1') listenForActivation();
