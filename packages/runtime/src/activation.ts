/**
 * Activation: turning a running program into a debugging target, exactly once.
 *
 * Two ways in, both end in `activate()` on the program's main thread:
 *  - `requestActivation(controlBlock)` from ANY thread (a signal watcher, a control-socket
 *    worker, a test): sets `Request.ACTIVATE` in the thread's REQUEST word; a busy thread runs a
 *    check within moments, the check calls `trap()`, and the trap handler installed here
 *    activates. (An idle thread runs no check: whoever wakes its event loop calls `activate()`.)
 *  - `activate(options)` on the main thread itself (from the event loop, a preload, the CLI).
 *
 * Exactly once: the `Word.ACTIVATED` compare-exchange lets one activation through; a storm of
 * requests gives one agent and one banner. Activation starts the agent worker, loads the rest of
 * the inspector while the worker boots, and waits for it to listen (inspector/agent/handoff.ts
 * `spawnAgent`, `startAgentSync`: the thread may be inside a busy loop and cannot await), prints
 * Node's banner to stderr, and installs the protocol agent (inspector/inspector.ts). The program carries
 * on running.
 */
import { dirname, join } from './paths.js';
import { controlBlock as ownControlBlock, Request, Word } from './control-block.js';
import { setTrapHandler, type TrapHandler } from './trap.js';
import { HELP_LINE, printLine } from './stderr.js';
import { publishActive, publishFailure } from './discovery.js';
import { announceThreadActivation, requestWorkerActivation } from './thread-registry.js';
import { createRequire, inspectorEntry, reportedFile } from './package-files.js';
// Types only: the inspector itself is loaded on the first activation (loadInspector below).
import type * as InspectorModule from './inspector/index.js';
import type * as HandoffModule from './inspector/agent/handoff.js';
import type { Agent, Inspector } from './inspector/index.js';

export interface ActivateOptions {
  /** Address to listen on. Default `127.0.0.1`. */
  host?: string;
  /** Port; default 9229 (the next free one when taken, with a notice); 0 = any free port. */
  port?: number;
  /** Fail instead of moving to another port when `port` is taken. */
  strictPort?: boolean;
}

export interface Activation {
  /** `ws://HOST:PORT/UUID`, what the banner printed. */
  wsUrl: string;
  host: string;
  port: number;
  targetId: string;
}

const INSPECTOR_KEY = Symbol.for('trapdoor.inspector');
const MODULE_KEY = Symbol.for('trapdoor.inspector-module');
const DEFAULTS_KEY = Symbol.for('trapdoor.activation-defaults');
type Holder = { [INSPECTOR_KEY]?: Inspector; [DEFAULTS_KEY]?: ActivateOptions; [MODULE_KEY]?: typeof InspectorModule };
const holder = globalThis as Holder;

/** The inspector's code, loaded synchronously on first use (once per thread, by any copy of the runtime). */
function loadInspector(): typeof InspectorModule {
  return (holder[MODULE_KEY] ??= createRequire(reportedFile)(inspectorEntry()) as typeof InspectorModule);
}

/**
 * The inspector's hand-off (inspector/agent/handoff.js of the same CommonJS build, which the
 * inspector's entry loads too: one module), alone: what starts the agent worker. Loaded before
 * the rest of the inspector, so that the worker boots while this thread loads the domains, the
 * pause loop and the remote objects.
 */
function loadHandoff(): Pick<typeof HandoffModule, 'spawnAgent'> {
  if (holder[MODULE_KEY] !== undefined) return holder[MODULE_KEY];
  return createRequire(reportedFile)(join(dirname(inspectorEntry()), 'agent', 'handoff.js')) as typeof HandoffModule;
}

/** Whether the inspector's code is loaded in this thread (for tests and the start-up benchmark). */
export function inspectorLoaded(): boolean {
  return holder[MODULE_KEY] !== undefined;
}

/** The protocol agent of this thread, when active (shared by the ESM and CommonJS builds). */
export function currentInspector(): Inspector | undefined {
  const inspector = holder[INSPECTOR_KEY];
  return inspector !== undefined && !inspector.closed ? inspector : undefined;
}

/** Whether this thread has been activated (and not deactivated). */
export function isActive(): boolean {
  return currentInspector() !== undefined;
}

/**
 * Options used when the activation comes from a request (`requestActivation`, a signal) rather
 * than a direct `activate(options)` call. The CLI sets them from `--host` / `--port`.
 */
export function setActivationDefaults(options: ActivateOptions): void {
  holder[DEFAULTS_KEY] = { ...options };
}

function describe(agent: Agent): Activation {
  return { wsUrl: agent.wsUrl, host: agent.host, port: agent.port, targetId: agent.targetId };
}

/**
 * Activates this thread: starts the agent (blocking until it listens), prints
 * `Debugger listening on ws://HOST:PORT/UUID` and the help line to stderr, and serves CDP from
 * now on. Idempotent: when already active, returns the running activation and prints nothing.
 * Throws when the agent cannot start (e.g. the port is taken with `strictPort`, missing Deno
 * permissions); a later call may try again.
 */
export function activate(options: ActivateOptions = {}): Activation {
  return activateThread(options, undefined);
}

/** Whether activateThread printed the failure activateOnRequest is catching. */
let reported = false;

/**
 * Activates on a request from outside (the signal watcher's wake-up, the control socket, a check
 * that found `Request.ACTIVATE`). A failure is printed on the program's stderr first and then
 * written to the state file, so that once `trapdoor attach` has read it there (and exited with
 * it) the line is on stderr too. Returns whether this thread is active; never throws.
 */
export function activateOnRequest(): boolean {
  try {
    activateThread({}, reportActivationFailure);
    return true;
  } catch (error) {
    if (!reported) reportActivationFailure(error);
    return false;
  } finally {
    reported = false;
  }
}

function activateThread(options: ActivateOptions, report: ((error: unknown) => void) | undefined): Activation {
  const running = currentInspector();
  if (running !== undefined) return describe(running.agent);
  const control = ownControlBlock;
  installTrapHandler(true);
  if (Atomics.compareExchange(control, Word.ACTIVATED, 0, 1) !== 0) {
    // Another activation on this thread is under way below us on the stack (re-entered through
    // a check), or a previous one left the word set: report what is running, if anything.
    const agent = inspectorLoaded() ? loadInspector().currentAgent() : undefined;
    if (agent !== undefined && currentInspector() !== undefined) return describe(agent);
    if (activating) throw new Error('trapdoor: activation is already in progress');
  }
  activating = true;
  try {
    const settings = { ...holder[DEFAULTS_KEY], ...options };
    const agentOptions = { host: settings.host, port: settings.port, strictPort: settings.strictPort, controlBlock: control };
    // The agent worker first, then the rest of the inspector while it starts (the worker's start
    // is most of the time from the signal to the banner), then wait for it to listen.
    loadHandoff().spawnAgent(agentOptions);
    const { startAgentSync, Inspector } = loadInspector();
    const agent = startAgentSync(agentOptions);
    const inspector = new Inspector(agent, control);
    holder[INSPECTOR_KEY] = inspector;
    Atomics.and(control, Word.REQUEST, ~Request.ACTIVATE);
    if (agent.notice !== undefined) printLine(agent.notice);
    printLine(`Debugger listening on ${agent.wsUrl}`);
    printLine(HELP_LINE);
    const activation = describe(agent);
    publishActive(activation);
    announceThreadActivation(activation); // a worker: the main thread lists it in the state file
    return activation;
  } catch (error) {
    Atomics.store(control, Word.ACTIVATED, 0);
    Atomics.and(control, Word.REQUEST, ~Request.ACTIVATE);
    if (report !== undefined) {
      report(error);
      reported = true;
    }
    // In the state file too: `trapdoor attach` waiting for the address reports it and stops waiting.
    publishFailure(error instanceof Error ? error.message : String(error));
    throw error;
  } finally {
    activating = false;
  }
}

let activating = false;

/**
 * Prints why an activation from a signal or the control socket failed, on the program's stderr
 * (the program carries on). A taken port is reported in Node's own line ('Starting inspector on
 * 127.0.0.1:9229 failed: address already in use'), as `node --inspect` prints it.
 */
export function reportActivationFailure(error: unknown): void {
  const message = error instanceof Error ? error.message : String(error);
  printLine(message.startsWith('Starting inspector on ') ? message : `trapdoor: cannot start the debugger: ${message}`);
}

/**
 * Asks the thread that owns `control` to activate at its next check. Safe from any thread (one
 * atomic OR); `control` is that thread's control block (`flags` / `controlBlock` of the runtime,
 * passed to a worker through `workerData`). Default: this thread's.
 */
export function requestActivation(control: Int32Array = ownControlBlock): void {
  Atomics.or(control, Word.REQUEST, Request.ACTIVATE);
}

/** Stops debugging this thread: closes every session and the server. A later activation starts afresh. */
export async function deactivate(): Promise<void> {
  const inspector = holder[INSPECTOR_KEY];
  if (inspector === undefined) return;
  holder[INSPECTOR_KEY] = undefined;
  inspector.dispose();
  publishActive(null);
  await inspector.agent.close();
  Atomics.store(inspector.control, Word.ACTIVATED, 0);
}

/**
 * The trap handler: what a check's slow path runs. Before activation it only acts on
 * `Request.ACTIVATE`; afterwards it hands each trap to the protocol agent.
 */
export const trapHandler: TrapHandler = (thunk, site, locals) => {
  const inspector = holder[INSPECTOR_KEY];
  if (inspector !== undefined && !inspector.closed) return inspector.onTrap(thunk, site, locals);
  const control = ownControlBlock;
  const request = control[Word.REQUEST];
  if ((request & Request.ACTIVATE) !== 0) {
    Atomics.and(control, Word.REQUEST, ~Request.ACTIVATE);
    // The process is being activated (main thread): its busy workers too (thread-registry.ts).
    requestWorkerActivation();
    if (!activateOnRequest()) return undefined;
    return currentInspector()?.onTrap(thunk, site, locals);
  }
  // Bits no one will serve (the agent is gone): clear them so the checks run their fast path again.
  Atomics.and(control, Word.REQUEST, ~(Request.MESSAGE | Request.PAUSE | Request.BREAK));
  return undefined;
};

/**
 * Installs `trapHandler`. With `force` false (at load), only when no handler is set, so that a
 * tool's own handler, installed first, stays.
 */
export function installTrapHandler(force = false): void {
  const previous = setTrapHandler(trapHandler);
  if (!force && previous !== null && previous !== trapHandler) setTrapHandler(previous);
}
