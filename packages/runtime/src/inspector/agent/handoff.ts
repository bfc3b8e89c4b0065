/**
 * The hand-off: the one place where messages cross between the agent worker (which owns the
 * sockets) and the main JS thread (which owns the program being debugged).
 *
 * One MessageChannel joins them. Worker → main, every client message and every session's
 * connect/disconnect is posted on it, then the worker rings:
 *
 *   Atomics.or(control, Word.REQUEST, Request.MESSAGE)   // busy code traps at its next check
 *   Atomics.add(control, Word.DOORBELL, 1)               // a paused thread wakes up
 *   Atomics.notify(control, Word.DOORBELL)
 *
 * The main thread reads that one port in three ways, which can be mixed freely:
 *  - BUSY: instrumented code sees REQUEST non-zero and calls trap(); the trap calls
 *    `agent.drain()`, which clears the MESSAGE bit first and then reads every queued message
 *    synchronously with `receiveMessageOnPort` (clearing first means a message posted during the
 *    drain sets the bit again, so no wake-up is lost);
 *  - IDLE: a 'message' listener on the port dispatches from the main event loop (the port is
 *    unref'd: it never keeps the process alive);
 *  - PAUSED: `agent.waitForMessage(ms)` blocks in Atomics.wait on the doorbell, then drains.
 * Main → worker, replies and events go back with `agent.send` / `agent.broadcast`; the worker's
 * own event loop writes them to the WebSockets while the main thread stays busy or paused.
 *
 * Starting can happen where the main thread cannot await (inside a trap, in a busy loop), so
 * `startAgentSync` spawns the worker and blocks in Atomics.wait on control-block word
 * `STARTUP_WORD` (index 15) until the worker listens or fails; the worker posts its report before
 * it stores to that word, so `receiveMessageOnPort` finds it right after the wait.
 * `startAgent` does the same without blocking.
 */
import { MessageChannel, Worker, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import { existsSync, realpathSync } from 'node:fs';
import { dirname, join, resolve as resolvePath } from 'node:path';
import { pathToFileURL } from 'node:url';
import { controlBlock as ownControlBlock, Request, Word } from '../../control-block.js';
import { FLUSH_WORD, STARTUP_WORD, Startup } from './worker-end.js';
import { agentDir, buildDir, reportedFile } from '../../package-files.js';
import { detectRuntime } from '../../runtime-name.js';

export { FLUSH_WORD, STARTUP_WORD, Startup } from './worker-end.js';

// ─── What crosses the port ────────────────────────────────────────────────────────────────

/** A CDP message (JSON text) from a client. */
export interface SessionMessage {
  session: number;
  message: string;
}
/** A client connected (its WebSocket upgrade was accepted) or left. */
export interface SessionEvent {
  session: number;
  event: 'connect' | 'disconnect';
}
export interface ListeningReport {
  type: 'listening';
  host: string;
  port: number;
  /** The port asked for, when it was in use and another one was taken. */
  portWasTaken?: number;
}
export interface ErrorReport {
  type: 'error';
  code: string;
  message: string;
}
/** Worker → main. */
export type ToMain = SessionMessage | SessionEvent | ListeningReport | ErrorReport;

/** Main → worker. */
export type ToWorker =
  | { session: number; message: string }
  | { broadcast: true; message: string }
  | { type: 'disconnect'; session: number }
  | { type: 'flush' }
  | { type: 'close' };

/** `workerData` of the agent worker (agent-worker.ts). */
export interface AgentWorkerData {
  host: string;
  /** TCP port to listen on; 0 = any. */
  port: number;
  strictPort: boolean;
  targetId: string;
  title: string;
  url: string;
  description: string;
  runtimeName: string;
  runtimeVersion: string;
  /** The main thread's control block (an Int32Array over its SharedArrayBuffer). */
  controlBlock: Int32Array;
  /** The worker's end of the hand-off channel (transferred). */
  handoff: MessagePort;
}

// ─── Worker side: worker-end.ts (the worker loads that file alone) ──────────────────────────

export { WorkerEnd } from './worker-end.js';

// ─── Main side ────────────────────────────────────────────────────────────────────────────

export interface AgentOptions {
  /** Address to listen on. Default 127.0.0.1. */
  host?: string;
  /** Port to listen on. Default 9229; 0 = any free port. */
  port?: number;
  /** Fail if the port is in use, instead of taking the next free one. Default false. */
  strictPort?: boolean;
  /** Target id (a UUID v4). Default: one random id per process, the same for every start. */
  targetId?: string;
  /** `title` in /json. Default: the entry script as given on the command line. */
  title?: string;
  /** `url` in /json. Default: file:// URL of the entry script's real path. */
  url?: string;
  /** Runtime name and version for /json/version. Default: detected (node.js, Bun, Deno). */
  runtimeName?: string;
  runtimeVersion?: string;
  /** The control block to ring. Default: this thread's. */
  controlBlock?: Int32Array;
  /** How long a start may take before it fails. Default 15000 ms. */
  timeoutMs?: number;
}

export type MessageHandler = (session: number, message: string) => void;
export type SessionHandler = (session: number) => void;

/** The main thread's handle on the running agent. */
export interface Agent {
  /** Host as listened on (as given, e.g. 127.0.0.1). */
  readonly host: string;
  /** Port actually listened on. */
  readonly port: number;
  readonly targetId: string;
  /** `ws://HOST:PORT/ID`: what `Debugger listening on …` prints. */
  readonly wsUrl: string;
  /** The port that was asked for, when it was in use and `port` was taken instead. */
  readonly portWasTaken: number | undefined;
  /** A line for the caller to print when something about the start deserves it (e.g. port taken). */
  readonly notice: string | undefined;
  /** Sessions connected now, as far as the main thread has been told. */
  readonly sessions: ReadonlySet<number>;
  readonly closed: boolean;
  /**
   * Sets the handler of client messages. Messages (and session events) that arrived before the
   * first handler was set are delivered, in order, when it is set: set `onConnect`/`onDisconnect`
   * first.
   */
  onMessage(handler: MessageHandler): void;
  onConnect(handler: SessionHandler): void;
  onDisconnect(handler: SessionHandler): void;
  /** Sends a reply or event (JSON text, or a value to stringify) to one session. */
  send(session: number, message: string | object): void;
  /** Sends an event to every session. */
  broadcast(message: string | object): void;
  /** Closes one session. */
  disconnect(session: number): void;
  /** Reads and dispatches everything queued now, synchronously. Returns how many messages it read. */
  drain(): number;
  /**
   * Blocks (Atomics.wait on the doorbell) until something is queued or `timeoutMs` passes, then
   * drains. Returns how many messages it read (0: timed out). For the pause loop.
   */
  waitForMessage(timeoutMs?: number): number;
  /**
   * Blocks until the worker has written every reply and event posted so far to the sockets, or
   * `timeoutMs` passes. For the end of the process: the worker stops with it, and a client must
   * not lose the last answers (e.g. the reply to `Debugger.resume` of a program that then ends).
   * Returns false on timeout.
   */
  flush(timeoutMs?: number): boolean;
  /** Stops the agent: closes every session and the server; the worker ends. */
  close(): Promise<void>;
}

const AGENT_KEY = Symbol.for('trapdoor.agent');
const TARGET_ID_KEY = Symbol.for('trapdoor.target-id');
type Holder = { [AGENT_KEY]?: AgentImpl; [TARGET_ID_KEY]?: string };
const holder = globalThis as Holder;

/** The agent of this thread, if one is running. */
export function currentAgent(): Agent | undefined {
  const agent = holder[AGENT_KEY];
  return agent?.listening ? agent : undefined;
}

/**
 * Starts the agent and blocks until it listens (or fails: throws). Safe where the thread cannot
 * await (inside a trap, in a busy loop). Returns the running agent if there is one.
 */
export function startAgentSync(options: AgentOptions = {}): Agent {
  const timeoutMs = options.timeoutMs ?? 15_000;
  const agent = holder[AGENT_KEY] ?? AgentImpl.spawn(options);
  if (agent.listening) return agent;
  // Starting (here, or by a startAgent() still awaiting): wait for the worker's report.
  const control = agent.control;
  const deadline = Date.now() + timeoutMs;
  while (Atomics.load(control, STARTUP_WORD) === Startup.PENDING) {
    const left = deadline - Date.now();
    if (left <= 0) break;
    Atomics.wait(control, STARTUP_WORD, Startup.PENDING, left);
  }
  agent.drain();
  agent.throwIfNotStarted(timeoutMs);
  return agent;
}

/**
 * Starts the agent's worker and returns at once, without waiting for it to listen (a later
 * `startAgentSync` or `startAgent` waits for this same agent). Activation starts the worker
 * first and loads the rest of the inspector while the worker boots: the worker's start is the
 * longer of the two. Returns the running agent if there is one. Throws what the start throws
 * (missing Deno permissions, no worker file).
 */
export function spawnAgent(options: AgentOptions = {}): Agent {
  return holder[AGENT_KEY] ?? AgentImpl.spawn(options);
}

/** Starts the agent without blocking the thread. Resolves when it listens; rejects if it fails. */
export async function startAgent(options: AgentOptions = {}): Promise<Agent> {
  const agent = holder[AGENT_KEY] ?? AgentImpl.spawn(options);
  if (!agent.listening) await agent.started(options.timeoutMs ?? 15_000);
  return agent;
}

/**
 * A random UUID v4, for the target id. Bun and Deno have one natively (`crypto.randomUUID`), and
 * their node:crypto is a large module: on Bun its import took 4-6 ms of the main thread before the
 * agent worker could start (the inspector loads it later, while the worker boots). Node's global
 * `crypto` is built on node:crypto, so Node uses node:crypto itself.
 */
function randomId(): string {
  const g = globalThis as { Bun?: unknown; Deno?: unknown; crypto?: { randomUUID?: () => string } };
  if ((g.Bun !== undefined || g.Deno !== undefined) && typeof g.crypto?.randomUUID === 'function') return g.crypto.randomUUID();
  return process.getBuiltinModule('node:crypto').randomUUID();
}

function entryScript(): { title: string; url: string } | undefined {
  const script = process.argv[1];
  if (typeof script !== 'string' || script === '') return undefined;
  const absolute = resolvePath(script);
  let real = absolute;
  try {
    real = realpathSync(absolute);
  } catch {
    // not readable (or not a file): report the path as given
  }
  return { title: script, url: pathToFileURL(real).href };
}

/**
 * The agent worker's entry file. On Node, the CommonJS build's: a worker whose entry is an ES
 * module starts Node's ES module loader in the worker first, about 10 ms of CPU on the path from
 * the signal to the banner (the worker measured 37 ms of CPU until it listened with the CommonJS
 * entry, 47 ms with the ES module one, Node 20). Bun starts both kinds alike (13 ms for an empty
 * worker either way); Deno runs a CommonJS worker entry only where it reads the build's
 * "type": "commonjs" marker (package-files.ts agentDir), so both keep the ES module build's.
 */
function agentWorkerEntry(runtimeName: string): string {
  if (runtimeName === 'node.js') {
    const commonJs = join(buildDir(), '..', 'cjs', 'inspector', 'agent', 'agent-worker.js');
    if (existsSync(commonJs)) return commonJs;
  }
  return join(agentDir(), 'agent-worker.js');
}

/** Environment variables the `ws` package reads when it loads. */
const WS_ENV = ['WS_NO_BUFFER_UTIL', 'WS_NO_UTF_8_VALIDATE'];

/**
 * On Deno, says which permission flags the agent lacks (undefined: none, or not Deno). Checked
 * up front so that the user gets one clear line instead of a failure inside the worker.
 * The agent needs: read (its own files and devtools-protocol's JSON), net (listen), env (ws).
 */
function denoPermissionProblem(host: string, port: number): string | undefined {
  type Descriptor = { name: 'read'; path: string } | { name: 'net'; host: string } | { name: 'env'; variable: string };
  const deno = (globalThis as { Deno?: { permissions?: { querySync?: (d: Descriptor) => { state: string } } } }).Deno;
  const query = deno?.permissions?.querySync;
  if (typeof query !== 'function') return undefined;
  const granted = (descriptor: Descriptor): boolean => {
    try {
      return query.call(deno!.permissions, descriptor).state === 'granted';
    } catch {
      return true; // cannot tell: let the start itself report
    }
  };
  const netHost = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  const missing: string[] = [];
  if (!granted({ name: 'read', path: dirname(reportedFile) })) missing.push('--allow-read');
  if (!granted({ name: 'net', host: port === 0 ? netHost : `${netHost}:${port}` })) missing.push(`--allow-net=${netHost}`);
  if (!WS_ENV.every((variable) => granted({ name: 'env', variable }))) missing.push(`--allow-env=${WS_ENV.join(',')}`);
  if (missing.length === 0) return undefined;
  return `trapdoor: to start the debugger, Deno needs ${missing.join(' ')} (missing permissions)`;
}

function formatWsUrl(host: string, port: number, id: string): string {
  const hostPart = host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
  return `ws://${hostPart}:${port}/${id}`;
}

type State =
  | { kind: 'starting' }
  | { kind: 'listening'; report: ListeningReport }
  | { kind: 'failed'; error: Error }
  | { kind: 'closed' };

class AgentImpl implements Agent {
  readonly control: Int32Array;
  readonly targetId: string;
  readonly #worker: Worker;
  readonly #port: MessagePort;
  readonly #requested: { host: string; port: number };
  readonly #sessions = new Set<number>();
  readonly #backlog: Array<SessionMessage | SessionEvent> = [];
  #state: State = { kind: 'starting' };
  #onStarted: (() => void) | undefined;
  #onMessage: MessageHandler | undefined;
  #onConnect: SessionHandler | undefined;
  #onDisconnect: SessionHandler | undefined;
  #closing: Promise<void> | undefined;

  static spawn(options: AgentOptions): AgentImpl {
    const host = options.host ?? '127.0.0.1';
    const port = options.port ?? 9229;
    const problem = denoPermissionProblem(host, port);
    if (problem !== undefined) throw Object.assign(new Error(problem), { code: 'ERR_TRAPDOOR_PERMISSIONS' });
    const runtime = detectRuntime();
    const entry = agentWorkerEntry(runtime.name);
    if (!existsSync(entry)) {
      throw Object.assign(new Error(`trapdoor: the agent worker ${entry} is missing (is @trapdoor-js/runtime built?)`), {
        code: 'ERR_TRAPDOOR_AGENT_MISSING',
      });
    }
    const control = options.controlBlock ?? ownControlBlock;
    const runtimeName = options.runtimeName ?? runtime.name;
    const script = entryScript();
    const { port1: ours, port2: theirs } = new MessageChannel();
    const data: AgentWorkerData = {
      host,
      port,
      strictPort: options.strictPort ?? false,
      targetId: options.targetId ?? (holder[TARGET_ID_KEY] ??= randomId()),
      title: options.title ?? script?.title ?? `${runtimeName}[${process.pid}]`,
      url: options.url ?? script?.url ?? '',
      description: `${runtimeName} instance`,
      runtimeName,
      runtimeVersion: options.runtimeVersion ?? runtime.version,
      controlBlock: control,
      handoff: theirs,
    };
    Atomics.store(control, STARTUP_WORD, Startup.PENDING);
    const worker = new Worker(entry, {
      workerData: data,
      transferList: [theirs],
      // Loader flags of the program (--import, --require, --loader) must not run again inside
      // the agent worker.
      execArgv: [],
    });
    return new AgentImpl(control, data.targetId, worker, ours, { host, port });
  }

  private constructor(
    control: Int32Array,
    targetId: string,
    worker: Worker,
    port: MessagePort,
    requested: { host: string; port: number },
  ) {
    this.control = control;
    this.targetId = targetId;
    this.#worker = worker;
    this.#port = port;
    this.#requested = requested;
    holder[AGENT_KEY] = this;
    worker.on('error', (error) => {
      if (this.#state.kind === 'starting') this.#fail(error);
      else if (this.#state.kind !== 'closed') console.error('trapdoor: the debugger agent worker failed:', error);
      this.#markClosed();
    });
    worker.on('exit', () => {
      if (this.#state.kind === 'starting') this.#fail(new Error('trapdoor: the debugger agent worker exited before it listened'));
      this.#markClosed();
    });
    worker.unref();
    // IDLE path: the main event loop delivers what the busy and paused paths did not take.
    port.on('message', (message: ToMain) => {
      this.#receive(message);
      this.drain();
    });
    // Referenced while starting (an awaited start must not let the process exit under it),
    // unreferenced once listening.
  }

  get host(): string {
    return this.#state.kind === 'listening' ? this.#state.report.host : this.#requested.host;
  }

  get port(): number {
    return this.#state.kind === 'listening' ? this.#state.report.port : -1;
  }

  get wsUrl(): string {
    return formatWsUrl(this.host, this.port, this.targetId);
  }

  get portWasTaken(): number | undefined {
    return this.#state.kind === 'listening' ? this.#state.report.portWasTaken : undefined;
  }

  get notice(): string | undefined {
    const taken = this.portWasTaken;
    if (taken === undefined) return undefined;
    return `Port ${taken} is in use; the debugger listens on port ${this.port} instead.`;
  }

  get sessions(): ReadonlySet<number> {
    return this.#sessions;
  }

  get closed(): boolean {
    return this.#state.kind === 'closed' || this.#state.kind === 'failed';
  }

  /** Started and not closed. */
  get listening(): boolean {
    return this.#state.kind === 'listening';
  }

  onMessage(handler: MessageHandler): void {
    this.#onMessage = handler;
    this.#flush();
  }

  onConnect(handler: SessionHandler): void {
    this.#onConnect = handler;
  }

  onDisconnect(handler: SessionHandler): void {
    this.#onDisconnect = handler;
  }

  send(session: number, message: string | object): void {
    this.#post({ session, message: typeof message === 'string' ? message : JSON.stringify(message) });
  }

  broadcast(message: string | object): void {
    this.#post({ broadcast: true, message: typeof message === 'string' ? message : JSON.stringify(message) });
  }

  disconnect(session: number): void {
    this.#post({ type: 'disconnect', session });
  }

  drain(): number {
    // Clear first: whatever the worker posts from now on sets the bit again.
    Atomics.and(this.control, Word.REQUEST, ~Request.MESSAGE);
    let count = 0;
    for (;;) {
      let received: { message: unknown } | undefined;
      try {
        received = receiveMessageOnPort(this.#port);
      } catch {
        break; // Deno 2.9.5: the worker's end closed (it exited); nothing more can arrive.
      }
      if (received === undefined) break;
      count++;
      this.#receive(received.message as ToMain);
    }
    return count;
  }

  waitForMessage(timeoutMs = Infinity): number {
    // Read the doorbell before draining: a message posted after the drain rings it after this
    // read, so the wait below returns at once instead of sleeping through it.
    const seen = Atomics.load(this.control, Word.DOORBELL);
    const count = this.drain();
    if (count > 0 || this.closed) return count;
    Atomics.wait(this.control, Word.DOORBELL, seen, timeoutMs);
    return this.drain();
  }

  flush(timeoutMs = 1_000): boolean {
    if (this.#state.kind !== 'listening') return true;
    Atomics.store(this.control, FLUSH_WORD, 0);
    this.#post({ type: 'flush' });
    const deadline = Date.now() + timeoutMs;
    while (Atomics.load(this.control, FLUSH_WORD) === 0) {
      const left = deadline - Date.now();
      if (left <= 0) return false;
      Atomics.wait(this.control, FLUSH_WORD, 0, left);
    }
    return true;
  }

  close(): Promise<void> {
    if (this.#closing !== undefined) return this.#closing;
    const worker = this.#worker;
    const alive = this.#state.kind !== 'closed';
    this.#markClosed();
    if (!alive) return (this.#closing = Promise.resolve());
    this.#closing = new Promise<void>((resolve) => {
      worker.once('exit', () => resolve());
      // Referenced until it has exited, so that awaiting close() cannot end the process first.
      worker.ref();
      setTimeout(() => void worker.terminate(), 3_000).unref();
    });
    try {
      this.#port.postMessage({ type: 'close' } satisfies ToWorker);
    } catch {
      void worker.terminate();
    }
    return this.#closing;
  }

  /** Used by startAgentSync after its wait. */
  throwIfNotStarted(timeoutMs: number): void {
    if (this.#state.kind === 'listening') return;
    if (this.#state.kind === 'failed') throw this.#state.error;
    const error = new Error(`trapdoor: the debugger agent did not start within ${timeoutMs} ms`);
    this.#fail(error);
    void this.#worker.terminate();
    throw error;
  }

  /** Used by startAgent. */
  started(timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#fail(new Error(`trapdoor: the debugger agent did not start within ${timeoutMs} ms`));
        void this.#worker.terminate();
      }, timeoutMs);
      this.#onStarted = () => {
        clearTimeout(timer);
        if (this.#state.kind === 'listening') resolve();
        else if (this.#state.kind === 'failed') reject(this.#state.error);
        else reject(new Error('trapdoor: the debugger agent closed while starting'));
      };
      if (this.#state.kind !== 'starting') this.#onStarted();
    });
  }

  #fail(error: Error): void {
    if (this.#state.kind !== 'starting') return;
    this.#state = { kind: 'failed', error };
    if (holder[AGENT_KEY] === this) holder[AGENT_KEY] = undefined;
    this.#port.close();
    this.#onStarted?.();
  }

  #markClosed(): void {
    if (this.#state.kind === 'starting') this.#fail(new Error('trapdoor: the debugger agent closed while starting'));
    if (this.#state.kind === 'listening') this.#state = { kind: 'closed' };
    if (holder[AGENT_KEY] === this) holder[AGENT_KEY] = undefined;
  }

  #post(command: ToWorker): void {
    if (this.#state.kind !== 'listening') return;
    this.#port.postMessage(command);
  }

  #receive(message: ToMain): void {
    if ('type' in message) {
      if (message.type === 'listening') {
        if (this.#state.kind !== 'starting') return;
        this.#state = { kind: 'listening', report: message };
        this.#port.unref();
        this.#onStarted?.();
      } else if (message.type === 'error') {
        // A taken explicit port comes in Node's own words, which already say where.
        const text = message.message.startsWith('Starting inspector on ')
          ? message.message
          : `Starting the debugger on ${this.#requested.host}:${this.#requested.port} failed: ${message.message}`;
        const error = Object.assign(new Error(text), { code: message.code });
        if (this.#state.kind === 'starting') this.#fail(error);
        else console.error('trapdoor:', error.message);
      }
      return;
    }
    this.#backlog.push(message);
    this.#flush();
  }

  /**
   * Delivers queued messages in arrival order. Reentrant: a handler that drains again (the pause
   * loop inside a handler) delivers the next ones itself, from the head of the same queue.
   */
  #flush(): void {
    while (this.#onMessage !== undefined && this.#backlog.length > 0) {
      const message = this.#backlog.shift()!;
      try {
        if ('event' in message) {
          if (message.event === 'connect') {
            this.#sessions.add(message.session);
            this.#onConnect?.(message.session);
          } else {
            this.#sessions.delete(message.session);
            this.#onDisconnect?.(message.session);
          }
        } else {
          this.#onMessage(message.session, message.message);
        }
      } catch (error) {
        console.error('trapdoor: a debugger message handler threw:', error);
      }
    }
  }
}
