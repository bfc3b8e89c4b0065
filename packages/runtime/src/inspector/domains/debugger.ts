/**
 * The Debugger domain, in trap mode: scripts, pause / resume / steps, breakpoints on checks,
 * evaluation on the paused frame, changing its locals. See ../README.md for what is exact
 * and what is approximated.
 */
import type { Protocol } from 'devtools-protocol';
import { possibleBreakpoints, resolveLocation } from '../breakpoints.js';
import { evaluateGlobal, evaluateInScope, scopeProxy } from '../evaluate.js';
import { frameOf } from '../pause.js';
import { ErrorCode, ProtocolError } from '../protocol.js';
import type { DomainHandlers, ResumeAction, Session } from '../session.js';
import { evaluationResponse, sideEffectFreeEvaluation } from './runtime.js';
import { globalLookup } from './side-effects.js';

function requirePaused(session: Session): NonNullable<Session['inspector']['paused']> {
  const paused = session.inspector.paused;
  if (paused === undefined) throw new ProtocolError('Can only perform operation while paused.');
  return paused;
}

function requireEnabled(session: Session): void {
  if (!session.debuggerEnabled) throw new ProtocolError('Debugger agent is not enabled');
}

function resumeWith(session: Session, action: ResumeAction): Record<string, never> {
  requireEnabled(session);
  requirePaused(session).action = action;
  return {};
}

function frameError(error: unknown): never {
  throw new ProtocolError(error instanceof Error ? error.message : String(error));
}

export const debuggerDomain: DomainHandlers = {
  'Debugger.enable'(session) {
    const inspector = session.inspector;
    inspector.updateScripts();
    if (!session.debuggerEnabled) {
      for (const script of inspector.scripts.all()) inspector.event(session, 'Debugger.scriptParsed', script.event);
      session.debuggerEnabled = true;
      if (inspector.paused !== undefined) session.afterReply.push(() => inspector.sendPaused(session));
    }
    return { debuggerId: inspector.debuggerId };
  },

  'Debugger.disable'(session) {
    session.debuggerEnabled = false;
    session.inspector.breakpoints.removeSession(session.id);
    return {};
  },

  'Debugger.getScriptSource'(session, params) {
    const script = session.inspector.scripts.byId(params.scriptId);
    if (script === undefined) throw new ProtocolError(`No script for id: ${params.scriptId}`);
    return { scriptSource: script.source };
  },

  'Debugger.pause'(session) {
    requireEnabled(session);
    const inspector = session.inspector;
    // Busy: the trap that is draining this message pauses right after. Idle: the next check that
    // runs pauses. Either way the answer goes now.
    if (inspector.paused === undefined) inspector.pauseRequested = true;
    return {};
  },

  'Debugger.resume'(session) {
    return resumeWith(session, 'resume');
  },
  'Debugger.stepInto'(session) {
    return resumeWith(session, 'into');
  },
  'Debugger.stepOver'(session) {
    return resumeWith(session, 'over');
  },
  'Debugger.stepOut'(session) {
    return resumeWith(session, 'out');
  },

  'Debugger.continueToLocation'(session, params) {
    requireEnabled(session);
    const paused = requirePaused(session);
    const script = session.inspector.scripts.byId(params.location.scriptId);
    const target = script && resolveLocation(script, params.location.lineNumber, params.location.columnNumber ?? 0).sites[0];
    if (target === undefined) throw new ProtocolError('Cannot continue to specified location');
    session.inspector.continueTo = { moduleId: target.module.id, index: target.index };
    paused.action = 'resume';
    return {};
  },

  'Debugger.setBreakpointByUrl'(session, params) {
    requireEnabled(session);
    const inspector = session.inspector;
    inspector.updateScripts();
    if (params.url === undefined && params.urlRegex === undefined) {
      throw new ProtocolError(params.scriptHash !== undefined ? 'Breakpoints by scriptHash are not supported' : 'Either url or urlRegex must be specified.', ErrorCode.INVALID_PARAMS);
    }
    const breakpoint = inspector.breakpoints.add(
      session.id,
      { url: params.url, urlRegex: params.url === undefined ? params.urlRegex : undefined, lineNumber: params.lineNumber, columnNumber: params.columnNumber ?? 0, condition: params.condition ?? '' },
      inspector.scripts,
    );
    // Pending (no location): `reason` (not in the protocol; clients ignore it) says why.
    const reply: Protocol.Debugger.SetBreakpointByUrlResponse & { reason?: string } = { breakpointId: breakpoint.id, locations: [...breakpoint.locations] };
    if (breakpoint.locations.length === 0 && breakpoint.reason !== undefined) reply.reason = breakpoint.reason;
    return reply;
  },

  'Debugger.setBreakpoint'(session, params) {
    requireEnabled(session);
    const inspector = session.inspector;
    inspector.updateScripts();
    const { scriptId, lineNumber, columnNumber = 0 } = params.location;
    if (inspector.scripts.byId(scriptId) === undefined) throw new ProtocolError('Could not resolve breakpoint');
    const breakpoint = inspector.breakpoints.add(session.id, { scriptId, lineNumber, columnNumber, condition: params.condition ?? '' }, inspector.scripts);
    const actualLocation = breakpoint.locations[0];
    if (actualLocation === undefined) {
      inspector.breakpoints.remove(breakpoint.id);
      throw new ProtocolError(breakpoint.reason === undefined ? 'Could not resolve breakpoint' : `Could not resolve breakpoint: ${breakpoint.reason}`);
    }
    return { breakpointId: breakpoint.id, actualLocation };
  },

  'Debugger.removeBreakpoint'(session, params) {
    requireEnabled(session);
    const breakpoint = session.inspector.breakpoints.get(params.breakpointId);
    if (breakpoint !== undefined && breakpoint.session === session.id) session.inspector.breakpoints.remove(params.breakpointId);
    return {};
  },

  'Debugger.getPossibleBreakpoints'(session, params) {
    const inspector = session.inspector;
    inspector.updateScripts();
    const { start, end } = params;
    const script = inspector.scripts.byId(start.scriptId);
    if (script === undefined) throw new ProtocolError('Script not found');
    if (end !== undefined && end.scriptId !== start.scriptId) throw new ProtocolError('Locations should contain the same scriptId');
    const from = { line: start.lineNumber, column: start.columnNumber ?? 0 };
    const to = end === undefined ? undefined : { line: end.lineNumber, column: end.columnNumber ?? 0 };
    return { locations: possibleBreakpoints(script, from, to, params.restrictToFunction === true) };
  },

  'Debugger.setBreakpointsActive'(session, params) {
    requireEnabled(session);
    session.inspector.breakpointsActive = params.active;
    return {};
  },

  'Debugger.setSkipAllPauses'(session, params) {
    requireEnabled(session);
    session.inspector.skipAllPauses = params.skip;
    return {};
  },

  'Debugger.evaluateOnCallFrame'(session, params) {
    let frame: ReturnType<typeof frameOf>;
    try {
      frame = frameOf(session.inspector, params.callFrameId);
    } catch (error) {
      frameError(error);
    }
    if (params.throwOnSideEffect) {
      const run = session.inspector.runSideEffectFree;
      const { scope, receiver } = frame.pause;
      const top = frame.index === 0;
      const lookup = (name: string): { value: unknown } | undefined => {
        if (top && name === 'this') return { value: receiver?.value };
        if (top && Object.prototype.hasOwnProperty.call(scope, name)) return { value: scope[name] };
        return globalLookup(run, name);
      };
      return evaluationResponse(session, sideEffectFreeEvaluation(run, params.expression, lookup), { group: params.objectGroup, returnByValue: params.returnByValue, generatePreview: params.generatePreview });
    }
    // The top frame sees its captured locals; outer frames have none captured (global scope).
    const completion = frame.index === 0 ? evaluateInScope(scopeProxy(frame.pause.scope), params.expression, frame.pause.receiver?.value) : evaluateGlobal(params.expression);
    return evaluationResponse(session, completion, { group: params.objectGroup, returnByValue: params.returnByValue, generatePreview: params.generatePreview });
  },

  'Debugger.setVariableValue'(session, params) {
    let frame: ReturnType<typeof frameOf>;
    try {
      frame = frameOf(session.inspector, params.callFrameId);
    } catch (error) {
      frameError(error);
    }
    const value = session.objects.argument(params.newValue);
    const scopes = frame.index === 0 ? ['local', 'global'] : ['global'];
    const scope = scopes[params.scopeNumber];
    if (scope === undefined) throw new ProtocolError('Could not find scope with given number');
    if (scope === 'global') {
      (globalThis as Record<string, unknown>)[params.variableName] = value;
      return {};
    }
    const { pause } = frame;
    const index = pause.site.locals.indexOf(params.variableName);
    if (index === -1) throw new ProtocolError(`Variable ${params.variableName} was not captured at this check`);
    if (!pause.site.writable[index]) throw new ProtocolError(`Cannot change ${params.variableName}: it is a constant, or a binding trapdoor cannot assign back`);
    pause.scope[params.variableName] = value;
    return {};
  },

  'Debugger.setPauseOnExceptions'(session, params) {
    requireEnabled(session);
    // Stored, not acted on: in trap mode the program does not stop on exceptions (see README).
    session.pauseOnExceptions = params.state;
    return {};
  },

  'Debugger.setAsyncCallStackDepth'() {
    // Async stacks are not collected (no engine hooks): nothing to change.
    return {};
  },

  'Debugger.setBlackboxPatterns'() {
    return {};
  },

  'Debugger.setBlackboxedRanges'() {
    return {};
  },
};
