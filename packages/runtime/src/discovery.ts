/**
 * Discovery: how `trapdoor attach <pid>` finds a process that runs trapdoor's runtime, how it
 * asks it to activate, and where it reads the debugger's address once it listens.
 *
 * Each process that loads the runtime on its main thread writes one small JSON file, the
 * *state file*, `<state dir>/<pid>.json`, and rewrites it (write to a temporary name, rename)
 * when the debugger starts or stops:
 *
 *   { "v": 1, "pid": 4242, "runtime": "node.js", "runtimeVersion": "v20.20.0",
 *     "script": "/srv/app.js",
 *     "trigger": { "signal": "SIGUSR2" } | { "socket": "/tmp/trapdoor-1000/4242.sock", "signalProblem": "…" },
 *     "active": { "wsUrl": "ws://127.0.0.1:9229/…", "host": "127.0.0.1", "port": 9229,
 *                 "targetId": "…" } | null,
 *     "failure": { "message": "Starting inspector on 127.0.0.1:9229 failed: …", "at": 1764580000000 } | null,
 *     "workers": 2,                                          (worker threads that run the runtime)
 *     "threads": [{ "threadId": 1, "wsUrl": "ws://127.0.0.1:40123/…", … }] }   (their debuggers)
 *
 * A signal is only ever sent to a process whose state file names it: a process that does not
 * handle SIGUSR2 would die of it. The file also tells a process that runs trapdoor from one that
 * does not, which `kill` cannot.
 *
 * The state directory is private to the user, like XDG_RUNTIME_DIR: `TRAPDOOR_STATE_DIR` when
 * set, else `<tmpdir>/trapdoor-<uid>`, created with mode 0700 and used only when it is a real
 * directory (not a symlink) owned by this user and closed to others. Files are 0600. Nothing is
 * written when the directory is not usable (or on Deno without the permissions): the signal still
 * works, `trapdoor attach` then says it cannot find the process.
 *
 * A file left behind by a process that died is recognised by `trapdoor attach` (the pid is gone,
 * or the process now holding that pid started after the file was written) and overwritten by the
 * next process with that pid.
 */
import { dirname, join } from './paths.js';
import { linkStat, listDir, makeDir, readText, removeFile, rename, writeNewFile } from './host-fs.js';
import { denoAllows, readEnv } from './permissions.js';
import { isGone, pid, uid } from './host-process.js';

export const STATE_VERSION = 1;

/** How the process can be asked to activate from outside. */
export type Trigger =
  | { signal: string }
  /** `signalProblem`: why no signal is used (the addon did not load, the program listens for it, …). */
  | { socket: string; signalProblem?: string }
  /** Nothing can activate the process from outside: why (neither the signal nor the socket could be set up). */
  | { none: string };

export interface ActiveDebugger {
  wsUrl: string;
  host: string;
  port: number;
  targetId: string;
}

export interface StateFile {
  v: typeof STATE_VERSION;
  pid: number;
  runtime: string;
  runtimeVersion: string;
  /** The program's entry script, as the runtime was started with it (argv[1]). */
  script: string | null;
  trigger: Trigger;
  active: ActiveDebugger | null;
  /**
   * Why the last activation failed (e.g. an explicit port was taken), until one succeeds; `at`
   * (ms since the epoch) tells one failure from the next. Absent in files of older runtimes.
   */
  failure?: { message: string; at: number } | null;
  /**
   * The debuggers of worker threads that activated when the process was (busy ones: an idle
   * worker runs no check), one each (thread-registry.ts). Absent in files of older runtimes.
   */
  threads?: ThreadDebugger[];
  /** How many worker threads run the runtime and can be asked to activate (thread-registry.ts). */
  workers?: number;
}

/** A worker thread's own debugger. */
export interface ThreadDebugger extends ActiveDebugger {
  /** The thread's `worker_threads.threadId`. */
  threadId: number;
}

/** The environment variable naming the state directory (tests, containers with a shared /tmp). */
export const STATE_DIR_ENV = 'TRAPDOOR_STATE_DIR';
/** The environment variable naming the control socket instead of `<state dir>/<pid>.sock`. */
export const CONTROL_SOCKET_ENV = 'TRAPDOOR_CONTROL_SOCKET';

/**
 * The state directory for a process with this environment and user id, as both sides compute it
 * (`trapdoor attach` reads the target's environment from /proc). Pure.
 */
export function stateDirFor(env: { TRAPDOOR_STATE_DIR?: string; TMPDIR?: string }, uid: number | undefined, tmp = '/tmp'): string | undefined {
  const explicit = env[STATE_DIR_ENV];
  if (explicit !== undefined && explicit !== '') return explicit;
  if (uid === undefined) return undefined;
  const base = env.TMPDIR !== undefined && env.TMPDIR !== '' ? env.TMPDIR.replace(/(.)\/+$/, '$1') : tmp;
  return join(base, `trapdoor-${uid}`);
}

function currentUid(): number | undefined {
  if (!denoAllows({ name: 'sys', kind: 'uid' })) return undefined;
  try {
    return uid();
  } catch {
    return undefined;
  }
}

/**
 * This process's state directory, created if missing; undefined when there is none it may use
 * (see the file comment). Never throws.
 */
export function ownStateDir(): string | undefined {
  const uid = currentUid();
  const dir = stateDirFor({ TRAPDOOR_STATE_DIR: readEnv(STATE_DIR_ENV), TMPDIR: readEnv('TMPDIR') }, uid);
  if (dir === undefined) return undefined;
  if (!denoAllows({ name: 'write', path: dir }) || !denoAllows({ name: 'read', path: dir })) return undefined;
  // Looked at first: it is there in every process but the first (a failed mkdir is a thrown error each time).
  let stat = linkStat(dir);
  if (stat === undefined) {
    if (makeDir(dir, 0o700) === 'failed') return undefined;
    stat = linkStat(dir);
  }
  if (stat === undefined || !stat.directory) return undefined;
  // Another user's directory (or one others may write into) could be used to plant a socket or
  // a state file that leads `trapdoor attach` astray.
  if (uid !== undefined && stat.uid !== uid) return undefined;
  if ((stat.mode & 0o077) !== 0) return undefined;
  return dir;
}

/** Paths of one process's files in a state directory. */
export function stateFiles(dir: string, pid: number): { state: string; socket: string } {
  return { state: join(dir, `${pid}.json`), socket: join(dir, `${pid}.sock`) };
}

/**
 * Writes `state` to `path` atomically (a reader sees the old file or the new one, never half of
 * one), mode 0600. Returns false when it could not.
 */
export function writeStateFile(path: string, state: StateFile): boolean {
  const temporary = `${path}.${pid()}.tmp`;
  try {
    // A new file: never follow a symlink someone planted under the temporary name. No fsync: the
    // rename alone makes the switch atomic for readers, and a state file only has to outlive its
    // process, not a crash of the machine (it cost 5-25 ms of every start).
    const text = `${JSON.stringify(state)}\n`;
    try {
      writeNewFile(temporary, text, 0o600);
    } catch {
      // One left over (a process of this pid that died while writing, or a symlink): removed, then once more.
      removeFile(temporary);
      writeNewFile(temporary, text, 0o600);
    }
    rename(temporary, path);
    return true;
  } catch {
    try {
      removeFile(temporary);
    } catch {
      // nothing to remove
    }
    return false;
  }
}

// ─── This process's published state ────────────────────────────────────────────────────────

const KEY = Symbol.for('trapdoor.discovery');
type Published = { path: string; state: StateFile };
type Holder = { [KEY]?: Published };
const holder = globalThis as Holder;

/** Starts publishing this process's state at `path` (bootstrap.ts calls it once). */
export function publishState(path: string, state: StateFile): boolean {
  if (!writeStateFile(path, state)) return false;
  holder[KEY] = { path, state };
  return true;
}

/** Records that the debugger listens (or no longer does) in the state file, when there is one. */
export function publishActive(active: ActiveDebugger | null): void {
  const published = holder[KEY];
  if (published === undefined) return;
  published.state = { ...published.state, active, failure: active === null ? published.state.failure ?? null : null };
  writeStateFile(published.path, published.state);
}

/** Records that an activation failed, and why, in the state file when there is one. */
export function publishFailure(message: string): void {
  const published = holder[KEY];
  if (published === undefined) return;
  const at = Math.max(Date.now(), (published.state.failure?.at ?? 0) + 1);
  published.state = { ...published.state, failure: { message, at } };
  writeStateFile(published.path, published.state);
}

/** Records the worker threads' debuggers (thread-registry.ts) in the state file, when there is one. */
export function publishThreads(threads: ThreadDebugger[], workers: number): void {
  const published = holder[KEY];
  if (published === undefined) return;
  published.state = { ...published.state, threads, workers };
  writeStateFile(published.path, published.state);
}

/** Records a new trigger (the program took the signal for itself: the control socket now). */
export function publishTrigger(trigger: Trigger): void {
  const published = holder[KEY];
  if (published === undefined) return;
  published.state = { ...published.state, trigger };
  writeStateFile(published.path, published.state);
}

/** How often an idle process sweeps its state directory at most, over all processes (sweepStaleFiles). */
export const SWEEP_PERIOD_MS = 10 * 60 * 1000;

/**
 * Removes the files of processes that are gone from `dir`, once per SWEEP_PERIOD_MS over all the
 * processes that use it: the one that creates the period's marker, `.swept-<period>`, sweeps (and
 * removes the older markers); the others do not. A sweep lists the directory and reads the files of
 * the gone processes: at 2 s into an idle process it cost 1.0 MiB resident on Bun, 2.3 MiB (1.3
 * private) on Deno and 0.4 MiB on Node, every time (bench/startup.mjs's memory rows, 30 files).
 * Stale files never mislead `trapdoor attach`, which tells a gone process's file from a live one
 * and sweeps before it looks: the sweep here is only so that they do not pile up where no attach
 * runs. Returns whether this process swept.
 */
export function sweepStaleFiles(dir: string, now = Date.now()): boolean {
  const period = Math.floor(now / SWEEP_PERIOD_MS);
  try {
    // Exclusive: of the processes that try in one period, one creates it.
    writeNewFile(join(dir, `.swept-${period}`), '', 0o600);
  } catch {
    return false;
  }
  removeStaleFiles(dir, now);
  return true;
}

/**
 * Removes the files of processes that are gone from `dir` (never this process's), and the
 * markers of sweeps before `now`'s period (sweepStaleFiles). Best effort: a file another process
 * is writing at the same moment is left for the next sweep.
 */
export function removeStaleFiles(dir: string, now = Date.now()): void {
  let names: string[];
  try {
    names = listDir(dir);
  } catch {
    return;
  }
  const period = Math.floor(now / SWEEP_PERIOD_MS);
  for (const name of names) {
    const swept = /^\.swept-(\d+)$/.exec(name);
    if (swept !== null) {
      if (Number(swept[1]) < period) {
        try {
          removeFile(join(dir, name));
        } catch {
          // removed by another sweep
        }
      }
      continue;
    }
    const match = /^(\d+)\.json$/.exec(name);
    if (match === null || Number(match[1]) === pid()) continue;
    const other = Number(match[1]);
    if (!isGone(other)) continue; // alive (or another user's: not ours to remove)
    const path = join(dir, name);
    let socket: string | undefined;
    try {
      const state = JSON.parse(readText(path)) as Partial<StateFile>;
      if (state.trigger !== undefined && 'socket' in state.trigger && dirname(state.trigger.socket) === dir) socket = state.trigger.socket;
    } catch {
      // unreadable: remove the file all the same
    }
    for (const file of [path, socket, join(dir, `${other}.sock`)]) {
      if (file === undefined) continue;
      try {
        removeFile(file);
      } catch {
        // already gone
      }
    }
  }
}

/** The state this process published, if any. */
export function publishedState(): { path: string; state: StateFile } | undefined {
  const published = holder[KEY];
  return published === undefined ? undefined : { path: published.path, state: { ...published.state } };
}
