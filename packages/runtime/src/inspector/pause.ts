/**
 * The synchronous pause loop.
 *
 * The program is inside a check's call to `trap()`, on its own main thread. The pause:
 *  1. captures the program's stack and builds the call frames (call-frames.ts), puts the
 *     captured locals in a scope object, marks the thread paused (`Word.STATUS` = 1);
 *  2. sends `Debugger.paused` to every session with the debugger enabled;
 *  3. blocks in `agent.waitForMessage` (Atomics.wait on the doorbell, a finite timeout), and
 *     dispatches every message right there, until a session resumes or steps, or no session
 *     with the debugger enabled is left (then it resumes, as V8 does);
 *  4. sends `Debugger.resumed`, releases the pause's objects (group `backtrace`), arms the step,
 *     and returns the write-back: the locals array with the new values when a writable local
 *     was changed (`Debugger.setVariableValue`, an assignment in `evaluateOnCallFrame`), which
 *     the check assigns back to the program's bindings; else undefined.
 */
import type { Protocol } from 'devtools-protocol';
import { Word } from '../control-block.js';
import { moduleOf, type InstrumentedModule, type ModuleThunk, type Site } from '../modules.js';
import { captureProgramStack, mapFrame, MAX_OUTER_FRAMES, type MappedFrame } from './call-frames.js';
import { toUrl } from './scripts.js';
import type { InspectorState, PauseState, Session } from './session.js';

/** The group objects of a pause live in (released on resume, as V8 does). */
export const BACKTRACE_GROUP = 'backtrace';

/** A scope object holding the locals; bindings the trap cannot assign back are read-only. */
export function scopeObject(site: Site, locals: unknown[]): Record<string, unknown> {
  const scope: Record<string, unknown> = Object.create(null);
  site.locals.forEach((name, i) => {
    Object.defineProperty(scope, name, { value: locals[i], writable: site.writable[i], enumerable: true, configurable: true });
  });
  return scope;
}

function buildFrames(inspector: InspectorState, module: InstrumentedModule, site: Site): { frames: MappedFrame[]; depth: number } {
  const { frames: engine, depth } = captureProgramStack();
  const top = inspector.scripts.ensure(toUrl(site.source), { instrumented: true })!;
  const frames: MappedFrame[] = [{ script: top, lineNumber: site.line - 1, columnNumber: site.column, functionName: site.functionName }];
  // The first program frame is the site's own function (its position is the check's, inside
  // inserted text). Should anything else precede it (a runtime bundled into the program's own
  // files), skip to the first frame of the site's module.
  let own = 0;
  const inModule = engine.findIndex((frame) => frame.file !== undefined && inspector.scripts.moduleLoadedFrom(frame.file) === module);
  if (inModule > 0) own = inModule;
  for (let i = own + 1; i < engine.length && frames.length <= MAX_OUTER_FRAMES; i++) {
    const mapped = mapFrame(inspector.scripts, engine[i]);
    if (mapped !== undefined) frames.push(mapped);
  }
  return { frames, depth };
}

/** Pauses at a check. Returns the write-back (or undefined). */
export function pauseHere(inspector: InspectorState, thunk: ModuleThunk, siteIndex: number, locals: unknown[], reason: PauseState['reason'], hitBreakpoints: string[]): unknown[] | undefined {
  const module = moduleOf(thunk);
  const site = module.sites[siteIndex];
  const { frames, depth } = buildFrames(inspector, module, site);
  const pause: PauseState = {
    id: inspector.nextPauseId(),
    reason,
    hitBreakpoints,
    module,
    siteIndex,
    site,
    locals,
    scope: scopeObject(site, locals),
    receiver: site.capturesThis ? { value: locals[site.locals.length] } : undefined,
    frames,
    depth,
    action: undefined,
  };
  inspector.paused = pause;
  Atomics.store(inspector.control, Word.STATUS, 1);
  try {
    for (const session of inspector.debuggerSessions()) inspector.sendPaused(session);
    while (pause.action === undefined) {
      if (inspector.closed || !inspector.hasDebuggerSession()) {
        pause.action = 'resume';
        break;
      }
      inspector.waitWhilePaused();
    }
  } finally {
    inspector.paused = undefined;
    Atomics.store(inspector.control, Word.STATUS, 0);
    for (const session of inspector.sessions.values()) session.objects.releaseGroup(BACKTRACE_GROUP);
    inspector.debuggerEvent('Debugger.resumed', undefined);
  }
  const action = pause.action;
  if (action === 'into' || action === 'over' || action === 'out') inspector.step = { kind: action, depth };
  inspector.syncRequest();
  return writeBack(pause);
}

function writeBack(pause: PauseState): unknown[] | undefined {
  const { site, locals, scope } = pause;
  let out: unknown[] | undefined;
  site.locals.forEach((name, i) => {
    if (!site.writable[i]) return;
    const value = scope[name];
    if (!Object.is(value, locals[i])) (out ??= locals.slice())[i] = value;
  });
  return out;
}

/** `callFrameId` of frame `index` of a pause. */
export function callFrameId(pause: PauseState, index: number): string {
  return `${pause.id}:${index}`;
}

/** The frame a `callFrameId` names in the current pause. */
export function frameOf(inspector: InspectorState, id: string): { pause: PauseState; index: number } {
  const pause = inspector.paused;
  const match = /^(\d+):(\d+)$/.exec(id);
  if (pause === undefined || match === null || Number(match[1]) !== pause.id || Number(match[2]) >= pause.frames.length) {
    throw new Error('Could not find call frame with given id');
  }
  return { pause, index: Number(match[2]) };
}

/** The call frames of a pause, with objectIds in this session's table. */
export function callFrames(session: Session, pause: PauseState): Protocol.Debugger.CallFrame[] {
  const group = { group: BACKTRACE_GROUP };
  const global = session.objects.wrap(globalThis, group);
  return pause.frames.map((frame, index) => {
    const location = { scriptId: frame.script.id, lineNumber: frame.lineNumber, columnNumber: frame.columnNumber };
    const scopeChain: Protocol.Debugger.Scope[] = [];
    if (index === 0) {
      const local: Protocol.Debugger.Scope = { type: 'local', object: session.objects.wrap(pause.scope, group) };
      if (frame.functionName !== '') local.name = frame.functionName;
      scopeChain.push(local);
    }
    scopeChain.push({ type: 'global', object: global });
    return {
      callFrameId: callFrameId(pause, index),
      functionName: frame.functionName,
      location,
      url: frame.script.url,
      scopeChain,
      // Only the trap site's own frame knows its `this` (and only where the check could read it).
      this: index === 0 && pause.receiver !== undefined ? session.objects.wrap(pause.receiver.value, group) : { type: 'undefined' },
      canBeRestarted: false,
    };
  });
}

export function pausedEvent(inspector: InspectorState, session: Session, pause: PauseState): Protocol.Debugger.PausedEvent {
  const event: Protocol.Debugger.PausedEvent = { callFrames: callFrames(session, pause), reason: pause.reason };
  const own = pause.hitBreakpoints.filter((id) => inspector.breakpoints.get(id)?.session === session.id);
  if (own.length > 0) event.hitBreakpoints = own;
  return event;
}
