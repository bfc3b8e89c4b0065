/**
 * `trapdoor attach <pid>`: starts the debugger of a running process (by the signal or control
 * socket its state file names) and prints where to connect.
 */
import { parseArgs } from 'node:util';
import { parseOrUsage } from '../args.js';
import { CliError, withJsonErrors } from '../errors.js';
import { ensureListening, findTarget, hostPart, parsePid, threadDebuggers, type Target } from '../attach/target.js';
import type { ActiveDebugger, ThreadDebugger } from '@trapdoor-js/runtime/discovery';

export const ATTACH_USAGE = `Usage: trapdoor attach [options] <pid>

Starts the debugger of a running process that runs trapdoor's runtime (started with
'trapdoor run', 'node --import trapdoor-js/register', or built with 'trapdoor instrument'), even
one stuck in a busy loop, and prints its WebSocket URL and a DevTools URL. The process prints
'Debugger listening on ws://…' to its own stderr and carries on running. Attaching to a process
whose debugger already listens prints the same address again.

Worker threads of the process that run instrumented code (a Worker's module under 'trapdoor
run' on Node, Vitest's threads pool under 'trapdoor test') are asked too: each busy one starts
its own debugger, on a free port, and is listed after the main thread ("threads" in --json).
An idle worker runs no check and is not listed.

<pid> may also be a parent's, such as that of 'trapdoor run' or 'npm start', when exactly one
process below it in the same job (process group) runs trapdoor's runtime; never pid 1, and not
a shell's other jobs. Otherwise the error names the pids to give.

Options:
  --timeout <seconds>   how long to wait for the debugger to start (default 10)
  --json                print the address as JSON: {"pid", "wsUrl", "devtoolsUrl", …}; an
                        error as {"error": {"code", "message"}} (the text still on stderr)
  -h, --help            show this help

Exit status: 0 when the debugger listens; 1 when there is no such process, it belongs to
another user, it does not run trapdoor's runtime, its debugger could not start (e.g. the port
given to 'trapdoor run --port' is taken: 'Starting inspector on 127.0.0.1:N failed: address
already in use') or did not start in time; 2 for a bad command line.
`;

const OPTIONS = {
  timeout: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function attachCommand(argv: string[]): Promise<number> {
  return withJsonErrors(argv, () => attach(argv));
}

async function attach(argv: string[]): Promise<number> {
  const { values, positionals } = parseOrUsage(ATTACH_USAGE, () => parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: true }));
  if (values.help) {
    process.stdout.write(ATTACH_USAGE);
    return 0;
  }
  const timeoutMs = parseTimeout(values.timeout, 10, ATTACH_USAGE);
  if (positionals.length > 1) throw new CliError('ERR_TRAPDOOR_USAGE', `one <pid> only, not ${positionals.length}`, { usage: ATTACH_USAGE });
  const target = findTarget(parsePid(positionals[0], ATTACH_USAGE));
  const active = await ensureListening(target, { timeoutMs });
  // Busy worker threads activate with the process, each with its own debugger (a short grace: an idle one never does).
  const threads = await threadDebuggers(target, Math.min(WORKER_GRACE_MS, timeoutMs));
  const address = {
    pid: target.pid,
    runtime: target.state.runtime,
    runtimeVersion: target.state.runtimeVersion,
    ...active,
    devtoolsUrl: devtoolsUrl(active),
    trigger: target.state.trigger,
    threads: threads.map((thread) => ({ ...thread, devtoolsUrl: devtoolsUrl(thread) })),
  };
  if (values.json) process.stdout.write(`${JSON.stringify(address)}\n`);
  else process.stdout.write(describeAttached(target, active) + threads.map(describeThread).join(''));
  return 0;
}

/** The URL Chrome opens DevTools at for this target (what Node's /json/list gives). */
export function devtoolsUrl(active: ActiveDebugger): string {
  return `devtools://devtools/bundled/js_app.html?experiments=true&v8only=true&ws=${hostPart(active.host)}:${active.port}/${active.targetId}`;
}

function describeAttached(target: Target, active: ActiveDebugger): string {
  const what = [target.state.runtime, target.state.runtimeVersion, target.state.script].filter(Boolean).join(' ');
  return (
    `Debugger listening in process ${target.pid} (${what})\n` +
    `  WebSocket:  ${active.wsUrl}\n` +
    `  DevTools:   ${devtoolsUrl(active)}\n` +
    `  CLI:        node inspect ${hostPart(active.host)}:${active.port}\n` +
    // A process reached through its control socket: say why, since `kill -USR2` does nothing there.
    ('signalProblem' in target.state.trigger && target.state.trigger.signalProblem !== undefined
      ? `  Trigger:    its control socket (no signal: ${target.state.trigger.signalProblem})\n`
      : '')
  );
}

/** How long attach waits for the busy workers of a process that has some to list their debuggers. */
const WORKER_GRACE_MS = 2000;

function describeThread(thread: ThreadDebugger): string {
  return `Worker thread ${thread.threadId} (was running instrumented code)\n  WebSocket:  ${thread.wsUrl}\n  DevTools:   ${devtoolsUrl(thread)}\n`;
}

/** A value in seconds (`--timeout`, or the option `name`d) as milliseconds. */
export function parseTimeout(value: string | undefined, fallbackSeconds: number, usage: string, name = '--timeout'): number {
  if (value === undefined) return fallbackSeconds * 1000;
  const seconds = Number(value);
  if (value.trim() === '' || !Number.isFinite(seconds) || seconds <= 0) {
    throw new CliError('ERR_TRAPDOOR_USAGE', `option '${name}' must be a number of seconds greater than 0, not '${value}'`, { usage });
  }
  return Math.round(seconds * 1000);
}

