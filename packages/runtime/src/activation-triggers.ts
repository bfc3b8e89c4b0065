/**
 * Activation triggers: the ways a process that runs trapdoor's runtime can be told from OUTSIDE
 * to start its debugger (`kill -USR2 <pid>`, `trapdoor attach <pid>`), set up once when the
 * runtime loads on the main thread.
 *
 *  - Signal (the default): the native watcher (@trapdoor-js/native) catches the signal on a native
 *    thread and ORs `Request.ACTIVATE` into the control block, so a busy thread traps at its next
 *    check; it also wakes the event loop, so an idle thread activates there. Default SIGUSR2 on
 *    Node (SIGUSR1 is Node's inspector) and on Deno (Deno starts its own inspector on SIGUSR1),
 *    SIGUSR1 on Bun. `TRAPDOOR_SIGNAL` names another one.
 *  - Control socket, when there is no signal to use: the addon could not load (no compiler at
 *    install, Deno without --allow-ffi), the program already listens for that signal (its
 *    listener wins), or `TRAPDOOR_SIGNAL=none`. A small unref'd worker listens on
 *    `<state dir>/<pid>.sock` (0600, in a 0700 directory) and does what the watcher does when a
 *    client writes `activate`.
 *
 * Either way the state file (discovery.ts) says which trigger to use, and gets the debugger's
 * address once it listens.
 *
 * Until a trigger fires nothing changes for the program: no output, nothing that keeps the
 * process alive (the watcher's wake-up and the socket worker are unref'd), the same exit.
 * `TRAPDOOR_PORT` and `TRAPDOOR_HOST` become the activation defaults (`trapdoor run --port`).
 */
import { dirname } from './paths.js';
import type { Worker } from 'node:worker_threads';
import { activateOnRequest, isActive, setActivationDefaults, type ActivateOptions } from './activation.js';
import { controlBlock, Request, Word } from './control-block.js';
import { CONTROL_SOCKET_ENV, ownStateDir, publishState, publishThreads, publishTrigger, stateFiles, sweepStaleFiles, STATE_VERSION, type Trigger } from './discovery.js';
import { agentDir, controlSocketWorkerFile, reportedFile } from './package-files.js';
import { printLine } from './stderr.js';
import { registerThisThread, requestWorkerActivation, serveThreadRegistry } from './thread-registry.js';
import { loadSignalWatchers } from './native-addon.js';
import { denoAllows, readEnv } from './permissions.js';
import { detectRuntime } from './runtime-name.js';
import { denoProcess, mainScript, pid, watchSignalListeners } from './host-process.js';
import { isMainThread, workerThreads } from './threads.js';

/** What `listenForActivation` set up. */
export interface Triggers {
  /** How this process can be activated from outside; undefined when it cannot. */
  trigger: Trigger | undefined;
  /** The state file, when one was written. */
  stateFile: string | undefined;
  /** Why the signal is not used, when it is not (for diagnostics and tests). */
  signalProblem: string | undefined;
}

export interface TriggerOptions {
  /** A signal name, or 'none' for the control socket. Default: TRAPDOOR_SIGNAL, else the runtime's default. */
  signal?: string;
}

export const ENV = {
  signal: 'TRAPDOOR_SIGNAL',
  port: 'TRAPDOOR_PORT',
  host: 'TRAPDOOR_HOST',
  /** The control socket's path, instead of `<state dir>/<pid>.sock` (set by `trapdoor run` for Deno). */
  socket: CONTROL_SOCKET_ENV,
} as const;

const KEY = Symbol.for('trapdoor.triggers');
type Holder = { [KEY]?: Triggers };
const holder = globalThis as Holder;

/** The default signal of this runtime. */
export function defaultSignal(): string {
  return typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined' ? 'SIGUSR1' : 'SIGUSR2';
}

/**
 * `TRAPDOOR_PORT` / `TRAPDOOR_HOST` as activation options (a bad port is reported and ignored).
 * A port given explicitly is used or activation fails, as `node --inspect=PORT` does; only the
 * default 9229 moves on to the next free port.
 */
export function activationDefaultsFromEnv(): ActivateOptions {
  const options: ActivateOptions = {};
  const host = readEnv(ENV.host);
  if (host !== undefined && host !== '') options.host = host;
  const port = readEnv(ENV.port);
  if (port !== undefined) {
    const value = Number(port);
    if (/^\d+$/.test(port) && value <= 65535) {
      options.port = value;
      options.strictPort = value !== 0;
    } else printLine(`trapdoor: ${ENV.port}=${port} is not a port number (0-65535); using 9229`);
  }
  return options;
}

/**
 * Sets up the activation triggers of this process, once (later calls return the first result).
 * The triggers are the main thread's: signals and `trapdoor attach` address a process. A worker
 * thread registers with the main thread instead (thread-registry.ts), which asks it to activate
 * whenever the process is. Never throws.
 */
export function listenForActivation(options: TriggerOptions = {}): Triggers {
  const existing = holder[KEY];
  if (existing !== undefined) return existing;
  const triggers: Triggers = { trigger: undefined, stateFile: undefined, signalProblem: undefined };
  holder[KEY] = triggers;
  if (!isMainThread) {
    triggers.signalProblem = 'not the main thread';
    // The main thread's trigger reaches this thread through the registry; its own debugger
    // listens on any free port (the process's port is the main thread's).
    const host = readEnv(ENV.host);
    setActivationDefaults(host === undefined || host === '' ? { port: 0 } : { host, port: 0 });
    registerThisThread(controlBlock);
    return triggers;
  }
  setActivationDefaults(activationDefaultsFromEnv());
  // Worker threads that load the runtime register here, for the trigger to reach them too.
  serveThreadRegistry(publishThreads);
  const signal = options.signal ?? readEnv(ENV.signal) ?? defaultSignal();
  // Both triggers and the debugger itself need the agent's files (a bundled runtime may have none).
  const agentProblem = agentFilesProblem();
  // Bun: the addon first, whose file operations write the state file there (host-fs.ts: node:fs
  // would cost an idle Bun process 4 MiB resident, the addon is loaded for the watcher anyway).
  if (typeof (globalThis as { Bun?: unknown }).Bun !== 'undefined' && agentProblem === undefined) loadSignalWatchers('the native signal watcher');
  const dir = ownStateDir();
  const files = dir === undefined ? undefined : stateFiles(dir, pid());

  if (agentProblem !== undefined) {
    triggers.signalProblem = agentProblem;
    if (files !== undefined) triggers.trigger = { none: agentProblem };
  } else if (signal.toLowerCase() === 'none') triggers.signalProblem = `${ENV.signal}=none`;
  else {
    const result = startSignalWatcher(signal);
    if (typeof result === 'string') triggers.signalProblem = result;
    else {
      triggers.trigger = { signal: result.signal };
      // The program's own listener for the signal, added later, wins (the watcher steps aside):
      // from then on `trapdoor attach` must use the control socket.
      if (files !== undefined) giveWayToListeners(result.signal, () => switchToSocket(triggers, files));
    }
  }
  let socketProblem: string | undefined;
  if (triggers.trigger === undefined && files !== undefined) socketProblem = useSocket(triggers, files);
  // Neither could be set up: the state file says why, so `trapdoor attach` reports it rather than
  // claiming the process does not run trapdoor at all.
  if (triggers.trigger === undefined && files !== undefined && socketProblem !== undefined) {
    triggers.trigger = { none: `${triggers.signalProblem ?? 'no signal'}; and no control socket: ${socketProblem}` };
  }
  if (triggers.trigger !== undefined && files !== undefined) {
    const runtime = detectRuntime();
    const published = publishState(files.state, {
      v: STATE_VERSION,
      pid: pid(),
      runtime: runtime.name,
      runtimeVersion: runtime.version,
      script: mainScript(),
      trigger: triggers.trigger,
      active: null,
    });
    if (published) {
      triggers.stateFile = files.state;
      // Files of processes that died without cleaning up (everything but `trapdoor run` leaves
      // them): removed a little later, off the start-up path, on an unref'd timer, by one
      // process in each period of ten minutes (discovery.ts: the sweep costs memory).
      if (denoAllows({ name: 'run' })) setTimeout(() => sweepStaleFiles(dirname(files.state)), 2000).unref?.();
    }
  }
  return triggers;
}

/** Why the agent's files cannot be found, or undefined when they can (Deno: only when it may read them). */
function agentFilesProblem(): string | undefined {
  if (!denoAllows({ name: 'read', path: dirname(reportedFile) })) return undefined; // said by each trigger
  try {
    agentDir();
    return undefined;
  } catch (error) {
    return error instanceof Error ? error.message : String(error);
  }
}

/** Starts the control socket and names it as the trigger; returns why not when it cannot. */
function useSocket(triggers: Triggers, files: { socket: string }): string | undefined {
  const socket = readEnv(ENV.socket) ?? files.socket;
  const problem = startControlSocket(socket);
  if (problem !== undefined) return problem;
  // Why not the signal goes in the state file, for `trapdoor attach` to say.
  triggers.trigger = triggers.signalProblem === undefined ? { socket } : { socket, signalProblem: triggers.signalProblem };
  return undefined;
}

function switchToSocket(triggers: Triggers, files: { state: string; socket: string }): void {
  if (triggers.trigger === undefined || !('signal' in triggers.trigger)) return;
  triggers.signalProblem = `the program listens for ${triggers.trigger.signal} itself`;
  if (useSocket(triggers, files) === undefined) publishTrigger(triggers.trigger);
}

/**
 * Calls `then` once, when the program adds a listener for `signal` (on `process`; on Deno any
 * signal listener, seen without loading `process`: host-process.ts).
 */
function giveWayToListeners(signal: string, then: () => void): void {
  if (denoProcess) {
    const stop = watchSignalListeners((event, count) => {
      if (event !== signal || count === 0) return;
      stop();
      then();
    });
    return;
  }
  const onNewListener = (event: string | symbol): void => {
    if (event !== signal) return;
    process.off('newListener', onNewListener);
    then();
  };
  process.on('newListener', onNewListener);
}

/**
 * Activation from the event loop (the signal watcher's wake-up, the control socket's message).
 * A busy thread has usually activated in a trap already; then there is nothing to do.
 */
function activateFromOutside(): void {
  requestWorkerActivation(); // busy workers activate at their next check (thread-registry.ts)
  if (isActive()) return;
  if (!activateOnRequest()) Atomics.and(controlBlock, Word.REQUEST, ~Request.ACTIVATE);
}

/** Starts the watcher; returns why not as a sentence when it cannot. */
function startSignalWatcher(signal: string): { signal: string } | string {
  const native = loadSignalWatchers('the native signal watcher');
  if (typeof native === 'string') return native;
  try {
    const watcher = native.startWatcher({ signal, control: controlBlock, index: Word.REQUEST, bits: Request.ACTIVATE, onSignal: activateFromOutside });
    return { signal: watcher.signal };
  } catch (error) {
    const code = (error as { code?: string }).code;
    const message = error instanceof Error ? error.message : String(error);
    // A name that is not a signal is the user's mistake: say so once (trapdoor run checks --signal first).
    if (code === 'ERR_TRAPDOOR_SIGNAL') printLine(`trapdoor: ${ENV.signal}=${signal}: ${message}; trapdoor attach uses the control socket instead`);
    return message;
  }
}

/** Starts the control-socket worker (control-socket-worker.ts); returns why not when it cannot. */
function startControlSocket(path: string): string | undefined {
  // Deno wants the socket's exact path in --allow-net=unix:<path> (a directory is not enough),
  // which is why `trapdoor run` names the socket (TRAPDOOR_CONTROL_SOCKET) before the pid exists.
  if (!(denoAllows({ name: 'read', path }) && denoAllows({ name: 'write', path }) && denoAllows({ name: 'net', host: `unix:${path}` }))) {
    return `Deno was not given read, write and net (unix:${path}) permissions for it`;
  }
  if (!denoAllows({ name: 'read', path: dirname(reportedFile) })) return 'Deno was not given --allow-read for the runtime';
  let worker: Worker;
  try {
    worker = new (workerThreads().Worker)(controlSocketWorkerFile(), {
      workerData: { path, control: controlBlock },
      execArgv: [],
      stdout: false,
      stderr: false,
    });
  } catch (error) {
    return error instanceof Error ? error.message.split('\n')[0]! : String(error);
  }
  worker.on('message', (message: unknown) => {
    if (message === 'activate') activateFromOutside();
  });
  // A socket that cannot be created (or a worker that dies) leaves the process as it was.
  worker.on('error', () => {});
  // After the listeners: adding a 'message' listener refs the worker's port again.
  worker.unref();
  return undefined;
}
