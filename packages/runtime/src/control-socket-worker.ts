/**
 * Entry of the control-socket worker (started by activation-triggers.ts when no signal can be
 * used): listens on `<state dir>/<pid>.sock` and, when a client writes `activate`, does what the
 * native signal watcher does: sets `Request.ACTIVATE` in the main thread's control block (a busy
 * thread traps at its next check) and wakes the main thread's event loop (an idle thread
 * activates there). It answers `ok` and closes the connection; the client (`trapdoor attach`)
 * then reads the debugger's address from the state file.
 *
 * The socket is made 0600 once bound; it lives inside the user's 0700 state directory (a worker
 * may not change the umask). The worker is unref'd: it never keeps the process alive.
 *
 * Protocol, one line each way: `activate\n` → `ok\n`; anything else → `error unknown command\n`.
 */
import { chmodSync, unlinkSync } from 'node:fs';
import { createServer } from 'node:net';
import { parentPort, workerData } from 'node:worker_threads';
import { Request, Word } from './control-block.js';

interface ControlSocketData {
  path: string;
  control: Int32Array;
}

const { path, control } = workerData as ControlSocketData;

const server = createServer((socket) => {
  let text = '';
  socket.setEncoding('utf8');
  socket.on('error', () => {});
  socket.on('data', (chunk: string) => {
    text += chunk;
    const newline = text.indexOf('\n');
    if (newline < 0) {
      if (text.length > 256) socket.destroy();
      return;
    }
    const command = text.slice(0, newline).trim();
    if (command === 'activate') {
      Atomics.or(control, Word.REQUEST, Request.ACTIVATE);
      parentPort?.postMessage('activate');
      socket.end('ok\n');
    } else {
      socket.end('error unknown command\n');
    }
  });
});

try {
  unlinkSync(path); // left by an earlier process with this pid
} catch {
  // none
}
try {
  server.listen(path, () => {
    try {
      chmodSync(path, 0o600);
    } catch {
      // the directory is 0700 already
    }
  });
} catch {
  // Deno throws a missing permission from listen itself; the process stays as it was.
}
// A socket that cannot be created leaves the process as it was; `trapdoor attach` reports it.
server.on('error', () => {});
