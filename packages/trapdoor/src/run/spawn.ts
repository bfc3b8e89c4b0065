/**
 * Runs the child with the terminal's stdio, relays signals to it, and turns its end into an exit
 * status: its own code, or 128 + the signal's number when a signal ended it (as shells report).
 */
import { spawn } from 'node:child_process';
import { constants } from 'node:os';
import { isatty } from 'node:tty';
import { CliError } from '../errors.js';
import type { ChildCommand } from './runtimes.js';

const RELAYED = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;

export interface RunChildOptions {
  /**
   * More signals to pass on: the program's activation signal, so that `kill -USR2` aimed at
   * `trapdoor run` itself (whose pid a user sees first) reaches the program instead of killing
   * the wrapper.
   */
  relay?: string[];
  /** Called with the child's pid once it has exited (to remove what it left behind). */
  onExit?: (pid: number) => void;
}

export function runChild(command: ChildCommand, env: NodeJS.ProcessEnv, options: RunChildOptions = {}): Promise<number> {
  return new Promise<number>((resolve, reject) => {
    const child = spawn(command.executable, command.args, { stdio: 'inherit', env });
    const relayed = [...new Set<string>([...RELAYED, ...(options.relay ?? [])])] as NodeJS.Signals[];
    // Ctrl-C in a terminal reaches the whole foreground process group, the child included: relaying
    // it too would deliver it twice (a program that treats a second SIGINT as "force quit" would
    // quit at once). Without a terminal (a supervisor, a test, `kill -INT`), only we get it.
    const relay = (signal: NodeJS.Signals) => {
      if (signal === 'SIGINT' && onTerminal()) return;
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    };
    for (const signal of relayed) process.on(signal, relay);
    const done = () => {
      for (const signal of relayed) process.off(signal, relay);
      if (child.pid !== undefined) options.onExit?.(child.pid);
    };
    child.once('error', (error: NodeJS.ErrnoException) => {
      done();
      reject(new CliError('ERR_TRAPDOOR_IO', `cannot start ${command.executable}: ${error.message}`));
    });
    child.once('exit', (code, signal) => {
      done();
      if (code !== null) resolve(code);
      else resolve(128 + (signal ? (constants.signals[signal] ?? 0) : 0));
    });
  });
}

/**
 * Whether one of this process's standard streams is a terminal, asked of the file descriptors.
 * Not through `process.stdin` and friends: their getters open a stream on the descriptor, and on
 * a pipe (`producer | trapdoor run app.js`) libuv sets O_NONBLOCK on it, which the child shares
 * (same open file): the program's synchronous read of its stdin (`readFileSync(0)`) then failed
 * with EAGAIN where the plain run waits for the data. And opening them cost about 8 ms.
 */
function onTerminal(): boolean {
  return isatty(0) || isatty(1) || isatty(2);
}
