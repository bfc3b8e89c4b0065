/**
 * The main-thread protocol agent: everything between "a CDP message arrived on the main thread"
 * and "its answer (or an event) goes back". As Node's inspector has one file per domain, the
 * domains' commands live in domains/*.ts; this file holds the sessions, the dispatch, the events,
 * the state they share (scripts, breakpoints, the current pause, the pending pause or step) and
 * the trap's decision "serve messages / pause here / return at once".
 *
 * Messages reach `dispatch` on the main thread in three ways (agent/handoff.ts): from the trap when
 * the program is busy (`agent.drain()`), from the event loop when it is idle, and from the pause
 * loop when it is paused. A command runs to completion where it arrives; code the debugger runs
 * (evaluations, getters a client invokes) never pauses or serves messages itself: a check it
 * passes returns at once.
 */
import { randomUUID } from 'node:crypto';
import type { Agent } from './agent/handoff.js';
import { controlBlock as ownControlBlock, Request, Word } from '../control-block.js';
import { moduleOf, onRegister, type ModuleThunk, type Site } from '../modules.js';
import { Breakpoints } from './breakpoints.js';
import { Scripts, type Script } from './scripts.js';
import { programDepth } from './call-frames.js';
import { evaluateInScope } from './evaluate.js';
import { pauseHere, pausedEvent } from './pause.js';
import { Session, type InspectorState, type PauseState, type StepRequest } from './session.js';
import { CONTEXT_ID, ErrorCode, ProtocolError, type EventName, type EventParams } from './protocol.js';
import { runtimeDomain } from './domains/runtime.js';
import { debuggerDomain } from './domains/debugger.js';
import { profilerDomain } from './domains/profiler.js';
import { heapProfilerDomain } from './domains/heap-profiler.js';
import { nodeWorkerDomain } from './domains/node-worker.js';
import { nodeRuntimeDomain } from './domains/node-runtime.js';
import { sideEffect } from './domains/side-effects.js';
import { HELP_LINE, printLine } from '../stderr.js';

/** How long the pause loop blocks before it looks again whether any session is left. */
const PAUSE_WAIT_MS = 1_000;
/** How long the process's exit may wait for the last frames to be written. */
const EXIT_FLUSH_MS = 1_000;

type AnyHandler = (session: Session, params: unknown) => unknown;

export class Inspector implements InspectorState {
  readonly agent: Agent;
  readonly control: Int32Array;
  readonly sessions = new Map<number, Session>();
  readonly scripts: Scripts;
  readonly breakpoints = new Breakpoints();
  readonly debuggerId = randomUUID().replace(/-/g, '').toUpperCase();
  readonly contextUniqueId = `${Math.floor(Math.random() * 2 ** 53)}.${Math.floor(Math.random() * 2 ** 53)}`;
  /** The current pause, while the main thread is inside the pause loop. */
  paused: PauseState | undefined;
  /** `Debugger.pause` asked: pause at the next check that runs. */
  pauseRequested = false;
  step: StepRequest | undefined;
  /** `Debugger.continueToLocation`: pause at this site. */
  continueTo: { moduleId: number; index: number } | undefined;
  breakpointsActive = true;
  skipAllPauses = false;
  readonly #handlers = new Map<string, AnyHandler>();
  /** > 0 while a command runs: checks passed meanwhile return at once. */
  #busy = 0;
  /** > 0 while a side-effect-free call runs: only side-effect-free functions may be entered. */
  #guard = 0;
  #modulesDirty = true;
  #pauseCount = 0;
  readonly #unsubscribe: () => void;
  #closed = false;

  constructor(agent: Agent, control: Int32Array = ownControlBlock) {
    this.agent = agent;
    this.control = control;
    this.scripts = new Scripts((script) => this.#announce(script));
    for (const domain of [runtimeDomain, debuggerDomain, profilerDomain, heapProfilerDomain, nodeWorkerDomain, nodeRuntimeDomain] as object[]) {
      for (const [method, handler] of Object.entries(domain)) this.#handlers.set(method, handler as AnyHandler);
    }
    this.#unsubscribe = onRegister(() => {
      this.#modulesDirty = true;
      // A module is starting to run: resolve breakpoints in it now, before its code does.
      if (this.hasDebuggerSession()) this.updateScripts();
    });
    process.on('exit', this.#onExit);
    agent.onConnect((id) => this.#connect(id));
    agent.onDisconnect((id) => this.#disconnect(id));
    // Last: messages that arrived before this point are delivered now, in order.
    agent.onMessage((id, text) => this.dispatch(id, text));
  }

  get closed(): boolean {
    return this.#closed || this.agent.closed;
  }

  /**
   * The program is ending: tell the clients, as Node does, and let the agent worker write the
   * last replies and events before the process (and the worker with it) stops. Node then waits
   * for the clients to disconnect; trapdoor does not hold the process.
   */
  readonly #onExit = (): void => {
    if (this.closed) return;
    for (const session of this.sessions.values()) {
      if (session.runtimeEnabled) this.event(session, 'Runtime.executionContextDestroyed', { executionContextId: CONTEXT_ID, executionContextUniqueId: this.contextUniqueId });
    }
    this.agent.flush(EXIT_FLUSH_MS);
  };

  /** Stops listening to module registrations (the agent is closed by the caller). */
  dispose(): void {
    this.#closed = true;
    this.#unsubscribe();
    process.off('exit', this.#onExit);
    this.pauseRequested = false;
    this.step = undefined;
    this.continueTo = undefined;
    if (this.paused !== undefined) this.paused.action = 'resume';
    Atomics.and(this.control, Word.REQUEST, ~(Request.PAUSE | Request.BREAK | Request.MESSAGE));
  }

  // ─── Sessions and messages ─────────────────────────────────────────────────────────────

  #connect(id: number): void {
    if (!this.sessions.has(id)) this.sessions.set(id, new Session(this, id));
    printLine('Debugger attached.');
  }

  #disconnect(id: number): void {
    const session = this.sessions.get(id);
    if (session === undefined) return;
    this.sessions.delete(id);
    this.breakpoints.removeSession(id);
    session.objects.clear();
    if (this.sessions.size === 0) {
      printLine(`Debugger ending on ${this.agent.wsUrl}`);
      printLine(HELP_LINE);
    }
    this.syncRequest();
    // A pause loop notices by itself that no session with the debugger on is left, and resumes.
  }

  hasDebuggerSession(): boolean {
    for (const session of this.sessions.values()) if (session.debuggerEnabled) return true;
    return false;
  }

  debuggerSessions(): Session[] {
    return [...this.sessions.values()].filter((s) => s.debuggerEnabled);
  }

  /** Sends a typed event to one session. */
  event<E extends EventName>(session: Session, method: E, params: EventParams<E>): void {
    this.agent.send(session.id, JSON.stringify(params === undefined ? { method } : { method, params }));
  }

  /** Sends an event to every session with the debugger enabled. */
  debuggerEvent<E extends EventName>(method: E, params: EventParams<E>): void {
    for (const session of this.sessions.values()) if (session.debuggerEnabled) this.event(session, method, params);
  }

  /** Handles one client message (JSON text). */
  dispatch(sessionId: number, text: string): void {
    let session = this.sessions.get(sessionId);
    if (session === undefined) this.sessions.set(sessionId, (session = new Session(this, sessionId)));
    let message: { id?: unknown; method?: unknown; params?: unknown };
    try {
      message = JSON.parse(text) as typeof message;
    } catch {
      this.#reply(session, 0, undefined, new ProtocolError('Message must be a valid JSON', ErrorCode.PARSE));
      return;
    }
    const id = message?.id;
    if (typeof id !== 'number' || !Number.isInteger(id)) {
      this.#reply(session, 0, undefined, new ProtocolError('Message must have integer \'id\' property', ErrorCode.INVALID_REQUEST));
      return;
    }
    const method = message.method;
    if (typeof method !== 'string') {
      this.#reply(session, id, undefined, new ProtocolError('Message must have string \'method\' property', ErrorCode.INVALID_REQUEST));
      return;
    }
    const handler = this.#handlers.get(method);
    if (handler === undefined) {
      this.#reply(session, id, undefined, new ProtocolError(`'${method}' wasn't found`, ErrorCode.METHOD_NOT_FOUND));
      return;
    }
    const params = message.params ?? {};
    if (typeof params !== 'object' || params === null) {
      this.#reply(session, id, undefined, new ProtocolError('Invalid parameters', ErrorCode.INVALID_PARAMS));
      return;
    }
    this.#busy++;
    try {
      const result = handler(session, params);
      if (result instanceof Promise) {
        const target = session;
        result.then(
          (value) => this.#reply(target, id, value),
          (error) => this.#reply(target, id, undefined, error),
        );
      } else {
        this.#reply(session, id, result);
      }
    } catch (error) {
      this.#reply(session, id, undefined, error);
    } finally {
      this.#busy--;
      this.syncRequest();
    }
  }

  #reply(session: Session, id: number, result: unknown, error?: unknown): void {
    if (!this.sessions.has(session.id)) return;
    let text: string;
    if (error === undefined) {
      try {
        text = JSON.stringify({ id, result: result ?? {} });
      } catch (failure) {
        error = failure;
      }
    }
    if (error !== undefined) {
      const code = error instanceof ProtocolError ? error.code : ErrorCode.SERVER;
      const message = error instanceof Error ? error.message : String(error);
      text = JSON.stringify({ id, error: { code, message } });
    }
    this.agent.send(session.id, text!);
    const after = session.afterReply.splice(0);
    for (const run of after) run();
  }

  // ─── Scripts ──────────────────────────────────────────────────────────────────────────

  #announce(script: Script): void {
    this.debuggerEvent('Debugger.scriptParsed', script.event);
  }

  /** Takes in newly registered modules: announces their scripts and resolves breakpoints there. */
  updateScripts(): void {
    if (!this.#modulesDirty) return;
    this.#modulesDirty = false;
    for (const script of this.scripts.update()) {
      for (const { breakpoint, location } of this.breakpoints.resolveIn(script)) {
        const owner = this.sessions.get(breakpoint.session);
        if (owner?.debuggerEnabled) this.event(owner, 'Debugger.breakpointResolved', { breakpointId: breakpoint.id, location });
      }
    }
    this.syncRequest();
  }

  // ─── The trap ─────────────────────────────────────────────────────────────────────────

  /**
   * Keeps `Word.REQUEST` in line with what the inspector waits for: PAUSE while a pause is
   * requested, BREAK while breakpoints or a step need every check; cleared otherwise, so that
   * a program with a debugger attached but nothing pending runs its fast path.
   */
  syncRequest(): void {
    const debuggerOn = this.hasDebuggerSession() && !this.closed;
    if (!debuggerOn) {
      this.pauseRequested = false;
      this.step = undefined;
      this.continueTo = undefined;
    }
    const pause = debuggerOn && this.pauseRequested && this.paused === undefined;
    const everyCheck =
      debuggerOn &&
      (this.step !== undefined || this.continueTo !== undefined || (this.breakpointsActive && !this.skipAllPauses && this.breakpoints.anyResolved));
    if (pause) Atomics.or(this.control, Word.REQUEST, Request.PAUSE);
    else Atomics.and(this.control, Word.REQUEST, ~Request.PAUSE);
    if (everyCheck) Atomics.or(this.control, Word.REQUEST, Request.BREAK);
    else Atomics.and(this.control, Word.REQUEST, ~Request.BREAK);
  }

  /** The trap handler once active. Returns the write-back array, or undefined. */
  onTrap(thunk: ModuleThunk, siteIndex: number, locals: unknown[]): unknown[] | undefined {
    if (this.#guard > 0) {
      // Thrown at the function's entry, before its body runs (domains/side-effects.ts).
      const site = moduleOf(thunk).sites[siteIndex];
      if (site !== undefined && site.kind === 'function' && !site.sideEffectFree) throw sideEffect();
      return undefined;
    }
    if (this.#busy > 0 || this.paused !== undefined) return undefined;
    const request = this.control[Word.REQUEST];
    if ((request & Request.ACTIVATE) !== 0) Atomics.and(this.control, Word.REQUEST, ~Request.ACTIVATE);
    if ((request & Request.MESSAGE) !== 0) this.agent.drain();
    if (this.closed) return undefined;
    if (this.#modulesDirty && this.hasDebuggerSession()) this.updateScripts();

    let reason: 'other' | undefined;
    let hits: string[] | undefined;
    if (this.hasDebuggerSession()) {
      if (this.pauseRequested) reason = 'other';
      const step = this.step;
      if (reason === undefined && step !== undefined) {
        if (step.kind === 'into') reason = 'other';
        else {
          const limit = step.kind === 'over' ? step.depth : step.depth - 1;
          if (programDepth(limit) <= limit) reason = 'other';
        }
      }
      if (this.continueTo !== undefined || this.breakpoints.anyResolved) {
        const module = moduleOf(thunk);
        const target = this.continueTo;
        if (target !== undefined && target.moduleId === module.id && target.index === siteIndex) reason = 'other';
        const here = this.breakpointsActive && !this.skipAllPauses ? this.breakpoints.at(module.id, siteIndex) : undefined;
        if (here !== undefined) {
          for (const breakpoint of here) {
            if (breakpoint.condition !== '' && !this.#conditionHolds(breakpoint.condition, module.sites[siteIndex], locals)) continue;
            (hits ??= []).push(breakpoint.id);
          }
          if (hits !== undefined) reason = 'other';
        }
      }
    }
    if (reason === undefined) {
      this.syncRequest();
      return undefined;
    }
    this.pauseRequested = false;
    this.step = undefined;
    this.continueTo = undefined;
    this.syncRequest();
    return pauseHere(this, thunk, siteIndex, locals, reason, hits ?? []);
  }

  #conditionHolds(condition: string, site: Site, locals: unknown[]): boolean {
    const scope: Record<string, unknown> = Object.create(null);
    site.locals.forEach((name, i) => (scope[name] = locals[i]));
    this.#busy++;
    try {
      const completion = evaluateInScope(scope, condition, site.capturesThis ? locals[site.locals.length] : undefined);
      return completion.ok && Boolean(completion.value);
    } finally {
      this.#busy--;
    }
  }

  /**
   * Runs `call` with every check coming to the trap, where the entry of a function the transform
   * did not mark side-effect free throws `EvalError: Possible side-effect in debug-evaluate`.
   */
  readonly runSideEffectFree = <T>(call: () => T): T => {
    this.#guard++;
    Atomics.or(this.control, Word.REQUEST, Request.BREAK);
    try {
      return call();
    } finally {
      this.#guard--;
      if (this.#guard === 0) this.syncRequest();
    }
  };

  /** A fresh pause id (call frame ids carry it). */
  nextPauseId(): number {
    return ++this.#pauseCount;
  }

  /** Runs the pause loop's wait: blocks until a message (dispatched inline) or the timeout. */
  waitWhilePaused(): void {
    this.agent.waitForMessage(PAUSE_WAIT_MS);
  }

  /** Sends `Debugger.paused` for the current pause to one session. */
  sendPaused(session: Session): void {
    if (this.paused === undefined) return;
    this.event(session, 'Debugger.paused', pausedEvent(this, session, this.paused));
  }
}
