/**
 * The process `trapdoor attach` / `trapdoor stack` are pointed at: checks the pid, finds the
 * state file its runtime wrote (packages/runtime/src/discovery.ts), and starts its debugger
 * through the trigger named there (a signal, or the control socket), then waits until the state
 * file gives the debugger's address.
 *
 * Linux's /proc tells where to look: the target's own environment (TRAPDOOR_STATE_DIR, TMPDIR)
 * and user id, and when it started (a state file older than the process was left by an earlier
 * process with the same pid). Elsewhere the attaching user's own state directory is used.
 */
import { readFileSync, statSync } from 'node:fs';
import { connect } from 'node:net';
import { removeStaleFiles, stateDirFor, stateFiles, STATE_VERSION, type ActiveDebugger, type StateFile, type ThreadDebugger } from '@trapdoor-js/runtime/discovery';
import { CliError } from '../errors.js';
import { descendants, whyNotStandFor } from './process-tree.js';

export interface Target {
  pid: number;
  /** The process's command line, for messages ('node app.js'); '' when unknown. */
  command: string;
  stateFile: string;
  state: StateFile;
}

/** A pid from the command line: a positive integer. */
export function parsePid(text: string | undefined, usage: string): number {
  if (text === undefined) throw new CliError('ERR_TRAPDOOR_USAGE', 'missing <pid>', { usage });
  if (!/^[1-9]\d{0,9}$/.test(text) || Number(text) > 2 ** 31 - 1) {
    throw new CliError('ERR_TRAPDOOR_USAGE', `<pid> must be a process id (a positive integer), not '${text}'`, { usage });
  }
  return Number(text);
}

/** Throws the clear error when `pid` is not a process this user may signal. */
export function checkProcess(pid: number): void {
  if (pid === process.pid) throw new CliError('ERR_TRAPDOOR_USAGE', `pid ${pid} is this trapdoor command itself`);
  try {
    process.kill(pid, 0);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ESRCH') throw new CliError('ERR_TRAPDOOR_NO_SUCH_PROCESS', `no process with pid ${pid}`);
    if (code === 'EPERM') {
      throw new CliError('ERR_TRAPDOOR_NOT_PERMITTED', `process ${pid} belongs to another user: run trapdoor as that user (or as root)`);
    }
    throw error;
  }
}

function commandLine(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
  } catch {
    return '';
  }
}

function environment(pid: number): Record<string, string> {
  const env: Record<string, string> = {};
  try {
    for (const entry of readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0')) {
      const eq = entry.indexOf('=');
      if (eq > 0) env[entry.slice(0, eq)] = entry.slice(eq + 1);
    }
  } catch {
    // not Linux, or not readable
  }
  return env;
}

function ownerOf(pid: number): number | undefined {
  try {
    return statSync(`/proc/${pid}`).uid;
  } catch {
    return undefined;
  }
}

/** When the process started, in ms since the epoch (Linux); undefined when unknown. */
export function processStartMs(pid: number): number | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Field 2 (comm) is in parentheses and may hold spaces: count fields after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const startTicks = Number(fields[19]); // field 22 overall
    const btime = /^btime (\d+)$/m.exec(readFileSync('/proc/stat', 'utf8'));
    if (!Number.isFinite(startTicks) || btime === null) return undefined;
    // USER_HZ is 100 on every Linux architecture Node runs on (it is fixed in the kernel ABI).
    return Number(btime[1]) * 1000 + startTicks * 10;
  } catch {
    return undefined;
  }
}

function readState(path: string, pid: number): StateFile | undefined {
  try {
    const state = JSON.parse(readFileSync(path, 'utf8')) as StateFile;
    if (state?.v !== STATE_VERSION || state.pid !== pid || typeof state.trigger !== 'object' || state.trigger === null) return undefined;
    return state;
  } catch {
    return undefined;
  }
}

/**
 * Finds the target's state file; throws ERR_TRAPDOOR_NOT_TRAPDOOR when there is none. A pid
 * without one stands for the one process below it that has one, in its own job (the pid of
 * `trapdoor run`, of `npm start`): never for pid 1, nor for processes in another job (a shell's
 * other jobs, a multiplexer's windows, a service manager's units). See process-tree.ts.
 */
export function findTarget(pid: number): Target {
  checkProcess(pid);
  // Files of processes that ended without cleaning up (killed, or gone before their own sweep).
  const ours = stateDirFor(process.env, typeof process.getuid === 'function' ? process.getuid() : undefined);
  if (ours !== undefined) removeStaleFiles(ours);
  const itself = lookUp(pid);
  if (itself.target !== undefined) return itself.target;
  const below = descendants(pid).flatMap((child) => lookUp(child).target ?? []);
  const found = below.filter((t) => whyNotStandFor(pid, t.pid) === undefined);
  if (found.length === 1) return found[0]!;
  const command = commandLine(pid);
  const what = command === '' ? `process ${pid}` : `process ${pid} (${truncate(command)})`;
  const list = (targets: Target[]): string =>
    targets.slice(0, 5).map((t) => `${t.pid} (${truncate(t.state.script ?? t.command, 60)})`).join(', ') + (targets.length > 5 ? `, and ${targets.length - 5} more` : '');
  if (found.length > 1) {
    throw new CliError(
      'ERR_TRAPDOOR_NOT_TRAPDOOR',
      `${what} does not run trapdoor's runtime itself, and ${found.length} of its descendants do: ${list(found)}. Give one of those pids.`,
    );
  }
  if (below.length > 0) {
    // Below it, but not its own: say why it does not count, and which pids would.
    const why = whyNotStandFor(pid, below[0]!.pid)!;
    throw new CliError(
      'ERR_TRAPDOOR_NOT_TRAPDOOR',
      `${what} does not run trapdoor's runtime, and it does not stand for the ${below.length === 1 ? 'process below it that does' : 'processes below it that do'}: ${why}. ` +
        `Give the program's own pid: ${list(below)}.`,
    );
  }
  throw new CliError(
    'ERR_TRAPDOOR_NOT_TRAPDOOR',
    `${what} does not run trapdoor's runtime (no state file in ${itself.dirs.join(' or ') || 'its state directory'}).\n` +
      `Start the program with 'trapdoor run', or 'node --import trapdoor-js/register', or run code built by 'trapdoor instrument' or a bundler plugin. ` +
      // A production debug build that was not armed looks exactly like this (no state file): say how to arm it.
      `A production debug build (production: true) writes it only when started with TRAPDOOR_ARM=1. ` +
      `On Deno, 'trapdoor run' grants the permissions the runtime needs to write it.`,
  );
}

function lookUp(pid: number): { target: Target | undefined; dirs: string[] } {
  const theirs = stateDirFor(environment(pid), ownerOf(pid));
  const ours = stateDirFor(process.env, typeof process.getuid === 'function' ? process.getuid() : undefined);
  const dirs = [...new Set([theirs, ours])].filter((d): d is string => d !== undefined);
  const started = processStartMs(pid);
  for (const dir of dirs) {
    const path = stateFiles(dir, pid).state;
    const state = readState(path, pid);
    if (state === undefined) continue;
    // Written before this process started: left by an earlier process with the same pid. The
    // second of slack covers the clock-tick rounding of the start time.
    if (started !== undefined && statSync(path).mtimeMs < started - 1000) continue;
    return { target: { pid, command: commandLine(pid), stateFile: path, state }, dirs };
  }
  return { target: undefined, dirs };
}

function truncate(text: string, max = 80): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

export interface ListeningOptions {
  /** How long to wait for the debugger to start. */
  timeoutMs: number;
}

/**
 * Makes sure the target's debugger listens and returns its address: the one the state file
 * gives when it answers, else after asking the process to activate and waiting for the state
 * file to say it listens.
 */
export async function ensureListening(target: Target, options: ListeningOptions): Promise<ActiveDebugger> {
  if (target.state.active !== null && (await answers(target.state.active))) {
    // Worker threads registered since (thread-registry.ts in the runtime) are asked by the trigger
    // too; the main thread's debugger stays as it is.
    if ((target.state.workers ?? 0) > (target.state.threads?.length ?? 0)) await trigger(target, Date.now() + options.timeoutMs);
    return target.state.active;
  }
  const before = target.state.active?.wsUrl;
  const failedBefore = target.state.failure?.at;
  const deadline = Date.now() + options.timeoutMs;
  await trigger(target, deadline);
  for (;;) {
    const state = readState(target.stateFile, target.pid);
    if (state?.active != null && state.active.wsUrl !== before) return state.active;
    // It tried and could not (an explicit port that is taken): what it printed, not a time-out.
    if (state?.failure != null && state.failure.at !== failedBefore) {
      throw new CliError('ERR_TRAPDOOR_ACTIVATION', `process ${target.pid}: ${state.failure.message}`);
    }
    checkProcess(target.pid); // gone while we wait: say so rather than time out
    if (Date.now() > deadline) break;
    await sleep(20);
  }
  const t = target.state.trigger;
  const how = 'signal' in t ? `sent ${t.signal}` : 'socket' in t ? `asked through ${t.socket}` : 'tried';
  throw new CliError(
    'ERR_TRAPDOOR_TIMEOUT',
    `process ${target.pid}: ${how}, but its debugger did not start within ${options.timeoutMs / 1000} s. ` +
      `The process may be stopped, blocked in a native call, busy in code that was not instrumented ` +
      `(node_modules are not, unless included), or listening for that signal itself. Its stderr may say more.`,
  );
}

/**
 * The debuggers of the target's busy worker threads, once the process was activated: each
 * registered worker (the state file's `workers`) that runs instrumented code activates at its
 * next check and is listed in `threads`; an idle one runs no check and never is, so this waits
 * at most `graceMs` for all of them, then returns those that answer.
 */
export async function threadDebuggers(target: Target, graceMs: number): Promise<ThreadDebugger[]> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    const state = readState(target.stateFile, target.pid);
    const threads = state?.threads ?? [];
    if (threads.length >= (state?.workers ?? 0) || Date.now() > deadline) {
      const answering = await Promise.all(threads.map(answers));
      return threads.filter((_, index) => answering[index]);
    }
    await sleep(20);
  }
}

async function trigger(target: Target, deadline: number): Promise<void> {
  const how = target.state.trigger;
  if ('none' in how) throw new CliError('ERR_TRAPDOOR_ACTIVATION', `process ${target.pid} runs trapdoor's runtime, but nothing can activate it from outside: ${how.none}`);
  if ('signal' in how) {
    try {
      process.kill(target.pid, how.signal as NodeJS.Signals);
    } catch (error) {
      checkProcess(target.pid);
      throw error;
    }
    return;
  }
  // The socket worker may still be starting in a process that has only just begun: retry.
  for (;;) {
    try {
      await askSocket(how.socket);
      return;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if ((code === 'ENOENT' || code === 'ECONNREFUSED') && Date.now() < deadline) {
        checkProcess(target.pid);
        await sleep(50);
        continue;
      }
      throw new CliError('ERR_TRAPDOOR_IO', `process ${target.pid}: cannot use its control socket ${how.socket}: ${(error as Error).message}`);
    }
  }
}

function askSocket(path: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(path);
    let reply = '';
    socket.setEncoding('utf8');
    socket.on('connect', () => socket.write('activate\n'));
    socket.on('data', (chunk: string) => (reply += chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      if (reply.trim() === 'ok') resolve();
      else reject(new Error(reply.trim() === '' ? 'no answer' : `answered '${reply.trim()}'`));
    });
  });
}

/** Whether a debugger answers at that address (a stale state file may name a closed one). */
async function answers(active: ActiveDebugger): Promise<boolean> {
  try {
    const response = await fetch(`http://${hostPart(active.host)}:${active.port}/json/version`, { signal: AbortSignal.timeout(2000) });
    await response.text();
    return response.ok;
  } catch {
    return false;
  }
}

/** The host to connect to for a listening address (a wildcard address means this machine). */
export function hostPart(host: string): string {
  if (host === '0.0.0.0') return '127.0.0.1';
  if (host === '::' || host === '[::]') return '[::1]';
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
