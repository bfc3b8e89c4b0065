/**
 * `trapdoor stack <pid>`: where a running process is right now, like `py-spy dump` or `jstack`.
 * Starts its debugger if needed (as `trapdoor attach` does), pauses it over CDP, prints the call
 * frames at their original positions and the locals of the top frame, resumes it and leaves.
 */
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { Protocol } from 'devtools-protocol';
import { parseOrUsage } from '../args.js';
import { CdpClient } from '../attach/cdp-client.js';
import { cpuUsage, sampleCpu, type CpuSample, type CpuUsage } from '../attach/cpu.js';
import { ensureListening, findTarget, parsePid, threadDebuggers, type Target } from '../attach/target.js';
import { CliError, withJsonErrors } from '../errors.js';
import { parseTimeout } from './attach.js';

export const STACK_USAGE = `Usage: trapdoor stack [options] <pid>

Prints where a running process is right now: each call frame at its original file, line and
column (through source maps), and the local variables of the innermost one; then lets the
process run on. The process must run trapdoor's runtime (see 'trapdoor attach --help'); its
debugger is started if it is not yet, and stays listening afterwards.

Options:
  --timeout <seconds>   how long to wait for the debugger to start and the process to
                        pause (default 10)
  --idle-after <seconds>
                        report the process as idle when it has not paused after this long
                        (default 1): an idle process runs no JavaScript until an event arrives
  --json                print the paused location as JSON; an error as
                        {"error": {"code", "message"}} (the text still on stderr)
  -h, --help            show this help

A process that does not pause within --idle-after is described by what it did meanwhile (Linux):
idle (its main thread waits in its event loop), idle on its main thread while another thread
uses the CPU, or busy on its main thread in code without checks. Worker threads that run
instrumented code are activated with the process and their stacks printed after the main
thread's (each has its own debugger, listed by 'trapdoor attach').

Exit status: 0 when the stack (or that the process is idle) was printed; 1 when there is no
such process, it does not run trapdoor's runtime, or its debugger did not answer; 2 for a bad
command line.
`;

const OPTIONS = {
  timeout: { type: 'string' },
  'idle-after': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export interface StackFrame {
  functionName: string;
  /** A path for file: URLs, else the URL as the debugger gave it. */
  file: string;
  /** 1-based, as stack traces print them. */
  line: number;
  column: number;
}

export interface StackReport {
  pid: number;
  /**
   * paused: it paused, `frames` say where. idle: it did not pause and its main thread used no
   * CPU meanwhile (it waits in its event loop; another thread may be busy, see `cpu`). running:
   * it did not pause although its main thread was busy (code that was not instrumented, a native
   * call).
   */
  state: 'paused' | 'idle' | 'running';
  /** What the process used while it did not pause (Linux). */
  cpu?: CpuUsage;
  reason?: string;
  frames: StackFrame[];
  /** The innermost frame's locals, rendered. */
  locals: Array<{ name: string; value: string }>;
  /** The worker threads' stacks (busy workers that run instrumented code; main thread's report only). */
  threads?: Array<StackReport & { threadId: number }>;
}

export function stackCommand(argv: string[]): Promise<number> {
  return withJsonErrors(argv, () => stack(argv));
}

async function stack(argv: string[]): Promise<number> {
  const { values, positionals } = parseOrUsage(STACK_USAGE, () => parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: true }));
  if (values.help) {
    process.stdout.write(STACK_USAGE);
    return 0;
  }
  const timeoutMs = parseTimeout(values.timeout, 10, STACK_USAGE);
  const idleMs = parseTimeout(values['idle-after'], 1, STACK_USAGE, '--idle-after');
  if (positionals.length > 1) throw new CliError('ERR_TRAPDOOR_USAGE', `one <pid> only, not ${positionals.length}`, { usage: STACK_USAGE });
  const target = findTarget(parsePid(positionals[0], STACK_USAGE));
  const active = await ensureListening(target, { timeoutMs });
  const report = await capture(target, active.wsUrl, { timeoutMs, idleMs: Math.min(idleMs, timeoutMs) });
  // The workers activated with the process (thread-registry.ts in the runtime): by now, or within the idle window.
  const threads = await threadDebuggers(target, Math.min(idleMs, timeoutMs));
  if (threads.length > 0) {
    report.threads = [];
    for (const thread of threads) {
      const own = await capture(target, thread.wsUrl, { timeoutMs, idleMs: Math.min(idleMs, timeoutMs), worker: true });
      report.threads.push({ threadId: thread.threadId, ...own });
    }
  }
  process.stdout.write(values.json ? `${JSON.stringify(report)}\n` : formatReport(target, report));
  return 0;
}

async function capture(target: Target, wsUrl: string, { timeoutMs, idleMs, worker = false }: { timeoutMs: number; idleMs: number; worker?: boolean }): Promise<StackReport> {
  const client = await CdpClient.connect(wsUrl, timeoutMs);
  try {
    // The main thread answers these, from its event loop or at its next check. A main thread that
    // does neither (busy in code without checks) never does: say so rather than wait for good.
    let since = sampleCpu(target.pid);
    const enabled = Promise.all([client.send('Runtime.enable'), client.send('Debugger.enable', {})]);
    enabled.catch(() => {}); // awaited below, or abandoned
    if (!(await settles(enabled, idleMs))) {
      const report = worker ? workerNoPause(target) : noPause(target, since);
      if (report.state === 'running') return report;
      if (!(await settles(enabled, Math.max(timeoutMs - idleMs, 0)))) {
        throw new CliError('ERR_TRAPDOOR_TIMEOUT', `process ${target.pid}: its debugger did not answer within ${timeoutMs / 1000} s`);
      }
    }
    await enabled;
    const paused = client.next('Debugger.paused', idleMs);
    since = sampleCpu(target.pid);
    client.send('Debugger.pause').catch(() => {}); // the pause itself is the answer that matters
    const event = await paused;
    // No pause: what the process did meanwhile is all that can be said.
    if (event === undefined) return worker ? workerNoPause(target) : noPause(target, since);
    const frames = event.callFrames.map(frameOf);
    const locals = await localsOf(client, event.callFrames[0]);
    const resumed = client.next('Debugger.resumed', timeoutMs);
    await client.send('Debugger.resume');
    await resumed;
    return { pid: target.pid, state: 'paused', reason: event.reason, frames, locals };
  } finally {
    await client.close();
  }
}

/** The report for a process that did not pause, from its CPU use since `since` (Linux). */
function noPause(target: Target, since: CpuSample | undefined): StackReport {
  const now = since && sampleCpu(target.pid);
  const cpu = since && now ? cpuUsage(since, now) : undefined;
  const state = cpu !== undefined && cpu.mainThread >= BUSY_PERCENT ? 'running' : 'idle';
  return { pid: target.pid, state, ...(cpu ? { cpu } : {}), frames: [], locals: [] };
}

/**
 * A worker thread that did not pause: it activated at a check, so it was running instrumented
 * code; now it waits in its event loop or runs code without checks (the per-thread CPU figures
 * name only the main thread).
 */
function workerNoPause(target: Target): StackReport {
  return { pid: target.pid, state: 'idle', frames: [], locals: [] };
}

/** Whether `promise` settles within `ms`. */
function settles(promise: Promise<unknown>, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), ms);
    promise.then(
      () => (clearTimeout(timer), resolve(true)),
      () => (clearTimeout(timer), resolve(true)),
    );
  });
}

function frameOf(frame: Protocol.Debugger.CallFrame): StackFrame {
  let file = frame.url;
  if (file.startsWith('file:')) {
    try {
      file = fileURLToPath(file);
    } catch {
      // keep the URL
    }
  }
  return { functionName: frame.functionName, file, line: frame.location.lineNumber + 1, column: (frame.location.columnNumber ?? 0) + 1 };
}

async function localsOf(client: CdpClient, frame: Protocol.Debugger.CallFrame | undefined): Promise<StackReport['locals']> {
  const scope = frame?.scopeChain.find((s) => s.type === 'local');
  if (scope?.object.objectId === undefined) return [];
  const { result } = await client.send('Runtime.getProperties', { objectId: scope.object.objectId, ownProperties: true, generatePreview: true });
  return result.filter((p) => p.value !== undefined).map((p) => ({ name: p.name, value: render(p.value!) }));
}

/** A value the way a stack dump shows it: short, one line. */
export function render(value: Protocol.Runtime.RemoteObject): string {
  if (value.unserializableValue !== undefined) return value.unserializableValue;
  switch (value.type) {
    case 'undefined':
      return 'undefined';
    case 'string':
      return JSON.stringify(shorten(String(value.value), 80));
    case 'number':
    case 'boolean':
      return String(value.value);
    case 'bigint':
      return value.description ?? String(value.value);
    case 'symbol':
      return value.description ?? 'Symbol()';
    case 'function': {
      const name = /^(?:async\s+)?(?:function\s*\*?\s*|class\s+)([\w$]+)/.exec(value.description ?? '')?.[1];
      return name === undefined ? '[Function (anonymous)]' : `[${value.description?.startsWith('class') ? 'class' : 'Function'}: ${name}]`;
    }
  }
  if (value.subtype === 'null') return 'null';
  const preview = value.preview;
  if (preview !== undefined && preview.properties !== undefined) {
    const items = preview.properties.map((p) => (preview.subtype === 'array' && /^\d+$/.test(p.name) ? previewValue(p) : `${p.name}: ${previewValue(p)}`));
    if (preview.overflow) items.push('…');
    const body = items.join(', ');
    if (preview.subtype === 'array') return `${value.className === 'Array' ? '' : `${value.className ?? ''} `}[${body}]`;
    const prefix = value.className !== undefined && value.className !== 'Object' ? `${value.className} ` : '';
    return `${prefix}{${body === '' ? '' : ` ${body} `}}`;
  }
  return value.description ?? value.className ?? 'Object';
}

function previewValue(p: Protocol.Runtime.PropertyPreview): string {
  if (p.type === 'string') return JSON.stringify(shorten(p.value ?? '', 40));
  if (p.type === 'function') return '[Function]';
  return p.value ?? p.type;
}

function shorten(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/**
 * CPU use (percent of one core) over the idle window that counts as busy: an idle process uses
 * none there (measured 0 on Node, Bun and Deno), and a spinning thread on a loaded machine still
 * gets well above this.
 */
const BUSY_PERCENT = 5;

export function formatReport(target: Target, report: StackReport): string {
  const main = formatMain(target, report);
  if (report.threads === undefined) return main;
  return [main, ...report.threads.map((thread) => formatThread(thread))].join('\n');
}

function formatThread(report: StackReport & { threadId: number }): string {
  if (report.state !== 'paused') return `Worker thread ${report.threadId} did not pause: it waits in its event loop, or runs code without checks.\n`;
  return formatFrames(`Worker thread ${report.threadId}, paused (${report.reason ?? 'other'}), then resumed:`, report);
}

function formatFrames(title: string, report: StackReport): string {
  const lines = [title, ''];
  report.frames.forEach((frame, index) => {
    const where = `${frame.file}:${frame.line}:${frame.column}`;
    lines.push(`    at ${frame.functionName === '' ? where : `${frame.functionName} (${where})`}`);
    if (index === 0) for (const local of report.locals) lines.push(`        ${local.name} = ${local.value}`);
  });
  if (report.frames.length === 0) lines.push('    (no frames)');
  return `${lines.join('\n')}\n`;
}

function formatMain(target: Target, report: StackReport): string {
  const what = [target.state.runtime, target.state.runtimeVersion].filter(Boolean).join(' ');
  const cpu = report.cpu;
  if (report.state === 'running') {
    return (
      `Process ${target.pid} (${what}) did not pause: its main thread is using ${cpu?.mainThread ?? '?'}% CPU in code without checks, ` +
      `code that was not instrumented (node_modules are not, unless included) or a native call.\n`
    );
  }
  if (report.state === 'idle' && cpu !== undefined && cpu.process - cpu.mainThread >= BUSY_PERCENT) {
    const thread = cpu.busiest === undefined ? '' : `thread ${cpu.busiest.tid} '${cpu.busiest.name}' ${cpu.busiest.percent}%; `;
    return (
      `Process ${target.pid} (${what}): main thread idle, waiting in its event loop; the process is using ${cpu.process}% CPU, ` +
      `likely in another thread (${thread}${report.threads === undefined ? 'no worker thread with trapdoor\'s runtime activated' : 'its workers follow'}).\n`
    );
  }
  if (report.state === 'idle') {
    return `Process ${target.pid} (${what}) is idle: no JavaScript is running; it waits in its event loop for I/O or a timer.\n`;
  }
  return formatFrames(`Process ${target.pid} (${what}), paused (${report.reason ?? 'other'}), then resumed:`, report);
}
