/**
 * The Runtime domain: the execution context, evaluation in the global scope, calling functions
 * on objects, properties of remote objects, object lifetimes.
 */
import type { Protocol } from 'devtools-protocol';
import { currentAgent } from '../agent/handoff.js';
import { callFunction, evaluateGlobal, exceptionDetails, isThenable, type Completion } from '../evaluate.js';
import { CONTEXT_ID, ErrorCode, ProtocolError } from '../protocol.js';
import type { DomainHandlers, InspectorState, Session } from '../session.js';
import { globalLookup, readPath, recogniseStringyProps, sideEffect, stringyProps, type GuardedRunner } from './side-effects.js';

interface ResultOptions {
  group?: string;
  returnByValue?: boolean;
  generatePreview?: boolean;
  awaitPromise?: boolean;
}

/**
 * The `{result, exceptionDetails?}` of an evaluation. With `awaitPromise`, a thenable result is
 * awaited first: the reply waits until it settles (which needs the event loop: while the program
 * is busy or paused, that is after it runs on).
 */
export function evaluationResponse(
  session: Session,
  completion: Completion,
  options: ResultOptions,
): Protocol.Runtime.EvaluateResponse | Promise<Protocol.Runtime.EvaluateResponse> {
  const wrapOptions = { group: options.group, generatePreview: options.generatePreview };
  if (!completion.ok) {
    return { result: session.objects.wrap(completion.thrown, wrapOptions), exceptionDetails: exceptionDetails(session.objects, completion.thrown, options.group, options.generatePreview) };
  }
  if (options.awaitPromise && isThenable(completion.value)) {
    return Promise.resolve(completion.value).then(
      (value) => evaluationResponse(session, { ok: true, value }, { ...options, awaitPromise: false }),
      (thrown) => evaluationResponse(session, { ok: false, thrown }, { ...options, awaitPromise: false }),
    );
  }
  return { result: session.objects.wrap(completion.value, { ...wrapOptions, returnByValue: options.returnByValue }) };
}

function checkContext(inspector: InspectorState, contextId: number | undefined, uniqueContextId: string | undefined): void {
  if (contextId !== undefined && contextId !== CONTEXT_ID) throw new ProtocolError('Cannot find context with specified id');
  if (uniqueContextId !== undefined && uniqueContextId !== inspector.contextUniqueId) throw new ProtocolError('Cannot find context with specified id');
}

/**
 * An evaluation with `throwOnSideEffect` (DevTools' eager evaluation as the user types): a name
 * or dotted path is read without running code; anything else throws the EvalError V8 throws when
 * its side-effect check fails, so the client falls back (side-effects.ts).
 */
export function sideEffectFreeEvaluation(run: GuardedRunner, expression: string, lookup: (name: string) => { value: unknown } | undefined): Completion {
  try {
    const read = readPath(run, expression, lookup);
    return read === undefined ? { ok: false, thrown: sideEffect() } : { ok: true, value: read.value };
  } catch (thrown) {
    return { ok: false, thrown };
  }
}

const runtimeName = (): string => {
  const g = globalThis as { Bun?: unknown; Deno?: unknown };
  return g.Bun !== undefined ? 'bun' : g.Deno !== undefined ? 'deno' : 'node';
};

export const runtimeDomain: DomainHandlers = {
  'Runtime.enable'(session) {
    const inspector = session.inspector;
    if (!session.runtimeEnabled) {
      session.runtimeEnabled = true;
      inspector.event(session, 'Runtime.executionContextCreated', {
        context: {
          id: CONTEXT_ID,
          origin: '',
          name: `${runtimeName()}[${process.pid}]`,
          uniqueId: inspector.contextUniqueId,
          auxData: { isDefault: true },
        },
      });
    }
    return {};
  },

  'Runtime.disable'(session) {
    session.runtimeEnabled = false;
    return {};
  },

  'Runtime.runIfWaitingForDebugger'() {
    // The program is never held waiting for a debugger: it was running before one came.
    return {};
  },

  'Runtime.evaluate'(session, params) {
    const inspector = session.inspector;
    checkContext(inspector, params.contextId, params.uniqueContextId);
    const run = inspector.runSideEffectFree;
    if (params.throwOnSideEffect) {
      const completion = sideEffectFreeEvaluation(run, params.expression, (name) => globalLookup(run, name));
      return evaluationResponse(session, completion, { group: params.objectGroup, returnByValue: params.returnByValue, generatePreview: params.generatePreview });
    }
    let completion = evaluateGlobal(params.expression);
    let awaitPromise = params.awaitPromise === true;
    if (!completion.ok && completion.thrown instanceof SyntaxError && params.replMode && /\bawait\b/.test(params.expression)) {
      // Console input with top-level await: run it as the body of an async arrow.
      const wrapped = evaluateGlobal(`(async () => (${params.expression}\n))()`);
      if (wrapped.ok) {
        completion = wrapped;
        awaitPromise = true;
      }
    }
    return evaluationResponse(session, completion, { group: params.objectGroup, returnByValue: params.returnByValue, generatePreview: params.generatePreview, awaitPromise });
  },

  'Runtime.callFunctionOn'(session, params) {
    const inspector = session.inspector;
    if (params.objectId === undefined && params.executionContextId === undefined && params.uniqueContextId === undefined) {
      throw new ProtocolError('Either ObjectId or executionContextId or uniqueContextId must be specified', ErrorCode.INVALID_PARAMS);
    }
    checkContext(inspector, params.executionContextId, params.uniqueContextId);
    const thisArg = params.objectId !== undefined ? session.objects.get(params.objectId) : undefined;
    const args = (params.arguments ?? []).map((argument) => session.objects.argument(argument));
    const group = params.objectGroup ?? (params.objectId !== undefined ? session.objects.groupOf(params.objectId) : undefined);
    let completion: Completion;
    if (params.throwOnSideEffect) {
      // Only what is known to change nothing runs: VS Code's description function (side-effects.ts).
      const known = recogniseStringyProps(params.functionDeclaration);
      const run = inspector.runSideEffectFree;
      if (known === undefined) completion = { ok: false, thrown: sideEffect() };
      else {
        try {
          completion = { ok: true, value: stringyProps(run, thisArg, known.maxLength, args[0]) };
        } catch (thrown) {
          completion = { ok: false, thrown };
        }
      }
    } else completion = callFunction(params.functionDeclaration, thisArg, args);
    return evaluationResponse(session, completion, { group, returnByValue: params.returnByValue, generatePreview: params.generatePreview, awaitPromise: params.awaitPromise });
  },

  'Runtime.getProperties'(session, params) {
    const value = session.objects.get(params.objectId);
    return session.objects.properties(value, {
      ownProperties: params.ownProperties,
      accessorPropertiesOnly: params.accessorPropertiesOnly,
      nonIndexedPropertiesOnly: params.nonIndexedPropertiesOnly,
      generatePreview: params.generatePreview,
      group: session.objects.groupOf(params.objectId),
    });
  },

  'Runtime.releaseObject'(session, params) {
    session.objects.release(params.objectId);
    return {};
  },

  'Runtime.releaseObjectGroup'(session, params) {
    session.objects.releaseGroup(params.objectGroup);
    return {};
  },

  'Runtime.getIsolateId'() {
    return { id: currentAgent()?.targetId ?? String(process.pid) };
  },

  'Runtime.getHeapUsage'() {
    const usage = process.memoryUsage();
    return { usedSize: usage.heapUsed, totalSize: usage.heapTotal, embedderHeapUsedSize: 0, backingStorageSize: 0 };
  },

  'Runtime.compileScript'(session, params) {
    checkContext(session.inspector, params.executionContextId, undefined);
    try {
      // Compiles without running (a function body parses like a script, `return` aside).
      new Function(params.expression);
      return {};
    } catch (thrown) {
      return { exceptionDetails: exceptionDetails(session.objects, thrown, undefined) };
    }
  },

  'Runtime.globalLexicalScopeNames'(session, params) {
    checkContext(session.inspector, params.executionContextId, undefined);
    // The engine does not list them to JavaScript.
    return { names: [] };
  },

  'Runtime.discardConsoleEntries'() {
    // No console messages are kept.
    return {};
  },

  'Runtime.setCustomObjectFormatterEnabled'() {
    // No custom formatters are applied; accepted so that DevTools' start-up goes through.
    return {};
  },
};
