/**
 * What VS Code asks js-debug when the user presses Pause on a busy program and looks around:
 * threads, pause and the `stopped` event, the call stack, the scopes of the top frame and their
 * variables (the Variables view), and evaluation on that frame (Debug Console, Watch, hover).
 * Shared by the end-to-end test and by compare-node.mts (the same questions to Node's own inspector).
 */
import type { DapClient } from './dap.js';

export interface Variable {
  name: string;
  value: string;
  type?: string;
  variablesReference: number;
  evaluateName?: string;
}

export interface Paused {
  threadId: number;
  stopped: any;
  frames: any[];
  scopes: any[];
  /** The first scope's variables (VS Code expands the `locals` scope at once). */
  locals: Variable[];
}

/** threads → pause → `stopped` → stackTrace → scopes → variables, as VS Code does them. */
export async function pauseAndLook(client: DapClient): Promise<Paused> {
  const { threads } = await client.request('threads');
  if (threads.length !== 1) throw new Error(`expected one thread, got ${JSON.stringify(threads)}`);
  const since = client.mark();
  await client.request('pause', { threadId: threads[0].id });
  const stopped = await client.next('stopped', since);
  // VS Code asks for the top frame first, then the rest (supportsDelayedStackTraceLoading).
  const { stackFrames: frames } = await client.request('stackTrace', { threadId: stopped.threadId, startFrame: 0, levels: 20 });
  const { scopes } = await client.request('scopes', { frameId: frames[0].id });
  const { variables: locals } = await client.request('variables', { variablesReference: scopes[0].variablesReference });
  return { threadId: stopped.threadId, stopped, frames, scopes, locals };
}

/** The variables below a structured value (what expanding it in the Variables view shows). */
export async function children(client: DapClient, variable: { variablesReference: number }): Promise<Variable[]> {
  const { variables } = await client.request('variables', { variablesReference: variable.variablesReference });
  return variables;
}

export function evaluate(client: DapClient, frameId: number, expression: string, context: 'repl' | 'watch' | 'hover' = 'repl'): Promise<{ result: string; type?: string; variablesReference: number }> {
  return client.request('evaluate', { expression, frameId, context });
}

/** `name: value` of each variable, for readable assertions and failure messages. */
export const shown = (variables: Variable[]): Record<string, string> => Object.fromEntries(variables.map((v) => [v.name, v.value]));
