/**
 * What both entries of @trapdoor-js/runtime export (index.ts arms the process at load,
 * production.ts only when the deployment asks for it).
 *
 * The checks the transform inserts read `flags` and call `trap`; each module calls `register`
 * once. Everything else here is for the agent and for tools.
 */
import { controlBlock } from './control-block.js';

/** This thread's control block, under the name instrumented code imports. */
export const flags: Int32Array = controlBlock;
export { controlBlock, Word, Request } from './control-block.js';
export { register, moduleOf, allModules, onRegister } from './modules.js';
export type { ModuleTableV1, ModuleThunk, InstrumentedModule, Site, SiteKind } from './modules.js';
export { trap, setTrapHandler } from './trap.js';
export type { TrapHandler } from './trap.js';
export { activate, requestActivation, deactivate, isActive, setActivationDefaults } from './activation.js';
export type { ActivateOptions, Activation } from './activation.js';

export { listenForActivation, defaultSignal } from './activation-triggers.js';
export type { Triggers, TriggerOptions } from './activation-triggers.js';
export { stateDirFor, stateFiles, STATE_DIR_ENV, STATE_VERSION } from './discovery.js';
export type { StateFile, Trigger, ActiveDebugger } from './discovery.js';
