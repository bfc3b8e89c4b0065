/**
 * What the CDP domains (domains/*.ts) and the pause loop (pause.ts) work on: a client's session,
 * the inspector state they read and change, the current pause, and the handler types. Its own
 * module so that none of them imports the dispatcher (inspector.ts), which imports them all:
 * the import graph of the inspector has no cycle.
 */
import type { Protocol } from 'devtools-protocol';
import type { InstrumentedModule, Site } from '../modules.js';
import type { Breakpoints } from './breakpoints.js';
import type { MappedFrame } from './call-frames.js';
import type { CommandName, EventName, EventParams, Params, Result } from './protocol.js';
import { RemoteObjects } from './remote-objects.js';
import type { Scripts } from './scripts.js';

export type ResumeAction = 'resume' | 'into' | 'over' | 'out';

/** The program is stopped at a check (pause.ts runs the loop). */
export interface PauseState {
  id: number;
  reason: Protocol.Debugger.PausedEvent['reason'];
  /** Ids of the breakpoints hit (each session sees its own). */
  hitBreakpoints: string[];
  module: InstrumentedModule;
  siteIndex: number;
  site: Site;
  /** The values the check passed, in the site's order. */
  locals: unknown[];
  /** The captured locals by name: what the `local` scope shows and frame evaluation reads and writes. */
  scope: Record<string, unknown>;
  /** The frame's `this`, when the check passed it (after the locals; see the transform's `capturesThis`). */
  receiver: { value: unknown } | undefined;
  /** Index 0 is the trap site. */
  frames: MappedFrame[];
  /** Program stack depth at the site (for stepOver / stepOut). */
  depth: number;
  action: ResumeAction | undefined;
}

/** A step in progress: where the next pause may happen (see README.md). */
export interface StepRequest {
  kind: 'into' | 'over' | 'out';
  /** Program stack depth at the pause the step started from. */
  depth: number;
}

/** The inspector as the domains and the pause loop see it (inspector.ts implements it). */
export interface InspectorState {
  readonly control: Int32Array;
  readonly sessions: ReadonlyMap<number, Session>;
  readonly scripts: Scripts;
  readonly breakpoints: Breakpoints;
  readonly debuggerId: string;
  readonly contextUniqueId: string;
  readonly closed: boolean;
  /** The current pause, while the main thread is inside the pause loop. */
  paused: PauseState | undefined;
  /** `Debugger.pause` asked: pause at the next check that runs. */
  pauseRequested: boolean;
  step: StepRequest | undefined;
  /** `Debugger.continueToLocation`: pause at this site. */
  continueTo: { moduleId: number; index: number } | undefined;
  breakpointsActive: boolean;
  skipAllPauses: boolean;
  hasDebuggerSession(): boolean;
  debuggerSessions(): Session[];
  /** Sends a typed event to one session. */
  event<E extends EventName>(session: Session, method: E, params: EventParams<E>): void;
  /** Sends an event to every session with the debugger enabled. */
  debuggerEvent<E extends EventName>(method: E, params: EventParams<E>): void;
  /** Takes in newly registered modules: announces their scripts and resolves breakpoints there. */
  updateScripts(): void;
  /** Keeps `Word.REQUEST` in line with what the inspector waits for. */
  syncRequest(): void;
  /** Runs `call` where only functions the transform marked side-effect free may be entered. */
  readonly runSideEffectFree: <T>(call: () => T) => T;
  /** A fresh pause id (call frame ids carry it). */
  nextPauseId(): number;
  /** The pause loop's wait: blocks until a message (dispatched inline) or the timeout. */
  waitWhilePaused(): void;
  /** Sends `Debugger.paused` for the current pause to one session. */
  sendPaused(session: Session): void;
}

/** One WebSocket session. */
export class Session {
  readonly id: number;
  readonly inspector: InspectorState;
  runtimeEnabled = false;
  debuggerEnabled = false;
  pauseOnExceptions: 'none' | 'caught' | 'uncaught' | 'all' = 'none';
  /** This session's objectIds (each V8 session has its own). */
  readonly objects = new RemoteObjects();
  /** Run after the reply to the command being handled (e.g. `Debugger.paused` after `Debugger.enable`'s reply). */
  readonly afterReply: Array<() => void> = [];

  constructor(inspector: InspectorState, id: number) {
    this.inspector = inspector;
    this.id = id;
  }
}

/**
 * Answers one command. Runs on the main thread, synchronously inside the trap (busy or paused)
 * or from the event loop (idle). May return a promise (a reply that has to wait, e.g.
 * `awaitPromise`); the reply is sent when it settles.
 */
export type Handler<M extends CommandName> = (session: Session, params: Params<M>) => Result<M> | Promise<Result<M>>;

/** One domain's command handlers, by full method name. */
export type DomainHandlers = { [M in CommandName]?: Handler<M> };

/**
 * Node's own domains (NodeWorker, NodeRuntime: node/src/inspector/node_protocol.pdl) are not in
 * `devtools-protocol`. The only commands answered there take parameters the agent ignores and
 * return nothing, so no types are written for them.
 */
export type NodeDomainHandlers = Record<`Node${string}.${string}`, (session: Session, params: Record<string, unknown>) => Record<string, never>>;
