/**
 * End-to-end harness: instruments the example programs in test/e2e/programs with
 * @trapdoor-js/transform into test/.tmp/e2e/<suite>/ (gitignored; '@trapdoor-js/runtime' resolves from
 * there through the workspace's node_modules), runs them on Node, Bun or Deno behind a small
 * wrapper that triggers activation (main.mjs), and talks to them with real clients.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import CDP from 'chrome-remote-interface';
import { afterEach } from 'vitest';
import { instrument } from '@trapdoor-js/transform';

export const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
export const programsDir = fileURLToPath(new URL('./programs/', import.meta.url));

/** The CLI's bin, as `npx trapdoor` runs it. */
export const TRAPDOOR_BIN = join(repoRoot, 'packages', 'trapdoor', 'bin', 'trapdoor.js');

/** The real CLI, run to completion (asynchronously: a program under test keeps running meanwhile). */
export function runTrapdoor(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const proc = spawn(process.execPath, [TRAPDOOR_BIN, ...args], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    proc.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    proc.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
const bin = (name: string): string => join(repoRoot, 'node_modules', '.bin', name);

/** The permissions the agent needs on Deno (packages/runtime/src/inspector/agent/README.md). */
export const DENO_FLAGS = ['--allow-read', '--allow-net=127.0.0.1', '--allow-env=WS_NO_BUFFER_UTIL,WS_NO_UTF_8_VALIDATE', '--allow-ffi'];

/** The signal trapdoor's runtime activates on by default: Node's and Deno's SIGUSR1 are their own inspectors'. */
export const ACTIVATION_SIGNAL: Record<RuntimeSpec['name'], NodeJS.Signals> = { node: 'SIGUSR2', bun: 'SIGUSR1', deno: 'SIGUSR2' };

export interface RuntimeSpec {
  name: 'node' | 'bun' | 'deno';
  command: string;
  args: string[];
}

export const runtimes: RuntimeSpec[] = [
  { name: 'node', command: process.execPath, args: [] },
  { name: 'bun', command: bin('bun'), args: [] },
  { name: 'deno', command: bin('deno'), args: ['run', ...DENO_FLAGS] },
];

/** Generous limit for anything a test waits for (never asserted as a duration). */
export const WAIT_MS = 30_000;

/** A child process's output as it comes: wait for a line, read what it printed, know when it ended. */
export interface Watched {
  stdout(): string;
  stderr(): string;
  /** Resolves when stdout has a line matching `pattern`; rejects if the process ends first. */
  line(pattern: RegExp): Promise<void>;
  /** When the process has closed its output and exited. */
  closed: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The command and its output so far, for failure messages. */
  describe(): string;
}

export function watch(proc: ChildProcess, label: string): Watched {
  let out = '';
  let err = '';
  let ended = false;
  const waiters = new Set<() => void>();
  const notify = (): void => {
    for (const w of [...waiters]) w();
  };
  proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => ((out += chunk), notify()));
  proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => ((err += chunk), notify()));
  const closed = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.on('close', (code, signal) => {
      ended = true;
      notify();
      resolve({ code, signal });
    }),
  );
  const describe = (): string => `${label}\n--- stdout\n${out}\n--- stderr\n${err}`;
  const line = (pattern: RegExp): Promise<void> =>
    within(
      new Promise<void>((resolve, reject) => {
        const check = (): void => {
          if (out.split('\n').some((l) => pattern.test(l))) {
            waiters.delete(check);
            resolve();
          } else if (ended) {
            waiters.delete(check);
            reject(new Error(`exited before printing ${pattern}\n${describe()}`));
          }
        };
        waiters.add(check);
        check();
      }),
      `a line matching ${pattern}`,
      describe,
    );
  return { stdout: () => out, stderr: () => err, line, closed, describe };
}

export function within<T>(promise: Promise<T>, what: string, describe: () => string = () => '', ms = WAIT_MS): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}\n${describe()}`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Instruments programs into a fresh folder and copies the wrapper beside them. `.ts` programs are
 * compiled to JavaScript with a source map first (as a build would), and instrumented with that
 * map, so the runtime must map positions back through it to the `.ts` file.
 */
export function prepare(suite: string, programs: string[]): string {
  const out = join(repoRoot, 'test', '.tmp', 'e2e', suite);
  rmSync(out, { recursive: true, force: true });
  mkdirSync(out, { recursive: true });
  for (const name of programs) {
    const source = join(programsDir, name);
    const text = readFileSync(source, 'utf8');
    if (name.endsWith('.ts')) {
      const compiled = ts.transpileModule(text, {
        fileName: source,
        compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, sourceMap: true, inlineSources: false },
      });
      const map = JSON.parse(compiled.sourceMapText!);
      // Where the build's output would sit (beside the .ts), so the map's sources resolve to it.
      const jsName = name.replace(/\.ts$/, '.mjs');
      const result = instrument(compiled.outputText.replace(/\/\/# sourceMappingURL=.*$/m, ''), {
        filename: join(programsDir, jsName),
        inputSourceMap: map,
        moduleType: 'esm',
      });
      writeFileSync(join(out, jsName), result.code);
    } else {
      writeFileSync(join(out, name), instrument(text, { filename: source }).code);
    }
  }
  const here = dirname(fileURLToPath(import.meta.url));
  for (const helper of ['main.mjs', 'trigger-worker.mjs']) copyFileSync(join(here, helper), join(out, helper));
  return out;
}

const children = new Set<ChildProcess>();

export function killChildren(): void {
  for (const child of children) child.kill('SIGKILL');
  children.clear();
}

let launches = 0;

export interface Target {
  child: ChildProcess;
  runtime: RuntimeSpec;
  stdout(): string;
  stderr(): string;
  /** Resolves when stdout has a line matching `pattern` (rejects if the process exits first). */
  line(pattern: RegExp): Promise<string>;
  /** Resolves with the banner's ws URL and port. */
  banner: Promise<{ wsUrl: string; port: number; host: string }>;
  /**
   * Activates: `signal` sends the runtime's activation signal to the program's process (the
   * native watcher takes it), `signal-storm` 500 of them; otherwise creates the trigger file, and
   * the wrapper activates (busy/storm: through a worker; idle: a timer).
   */
  trigger(): void;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  describe(): string;
}

export type LaunchMode = 'signal' | 'signal-storm' | 'busy' | 'idle' | 'storm';

/** The process that runs the program: the npm `deno` launcher runs the real binary as its child. */
export function programPid(pid: number): number {
  for (;;) {
    let children: string[] = [];
    try {
      children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean);
    } catch {
      // gone, or not Linux
    }
    if (children.length === 0) return pid;
    pid = Number(children[0]);
  }
}

/** Every descendant of `pid` (Linux /proc), children first. */
export function descendants(pid: number): number[] {
  try {
    const children = readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return children.flatMap((child) => [child, ...descendants(child)]);
  } catch {
    return [];
  }
}

/**
 * SIGKILLs `pid` and everything below it (`trapdoor run` and the program it started). The
 * descendants are listed first but killed after `pid`: a parent that waits on a child killed
 * before it (a shell's `wait`) could otherwise exit by itself before its own SIGKILL lands.
 */
export function killTree(pid: number): void {
  const below = descendants(pid);
  for (const target of [pid, ...below]) {
    try {
      process.kill(target, 'SIGKILL');
    } catch {
      // gone
    }
  }
}

/** What a test closes after it: a chrome-remote-interface client, or anything else with `close()`. */
export interface Closable {
  close(): Promise<void>;
}

/** The processes and clients of one test file, ended after each test (see trackProcesses). */
export interface Tracked {
  /** `spawn` from node:child_process, the process tracked. */
  spawn(command: string, args: readonly string[], options: SpawnOptions): ChildProcess;
  /** Tracks a process started otherwise; returns it. */
  track<T extends ChildProcess>(proc: T): T;
  /** Stops tracking a process that has ended by itself (its pid may be reused). */
  forget(proc: ChildProcess): void;
  /** Tracks a client; returns it. */
  client<T extends Closable>(client: T): T;
  /** Closes a client within the test (an error is the test's) and stops tracking it. */
  close(client: Closable): Promise<void>;
}

/**
 * The cleanup every end-to-end file that spawns processes needs. Call it once at a test file's top
 * level: it registers an afterEach that first closes every tracked client (a failing close
 * ignored), then SIGKILLs every tracked process with its descendants (`trapdoor run` and the
 * program it started), whether the test passed or not.
 */
export function trackProcesses(): Tracked {
  const started = new Set<ChildProcess>();
  const clients: Closable[] = [];
  afterEach(async () => {
    await Promise.all(clients.splice(0).map((c) => c.close().catch(() => {})));
    for (const proc of started) killTree(proc.pid!);
    started.clear();
  });
  const track = <T extends ChildProcess>(proc: T): T => {
    started.add(proc);
    return proc;
  };
  return {
    spawn: (command, args, options) => track(spawn(command, args, options)),
    track,
    forget: (proc) => void started.delete(proc),
    client: (client) => {
      clients.push(client);
      return client;
    },
    close: async (client) => {
      await client.close();
      const at = clients.indexOf(client);
      if (at !== -1) clients.splice(at, 1);
    },
  };
}

/** 1-based line and column of the first occurrence of `text` in a file (a clear error if it has none). */
export function position(file: string, text: string): { line: number; column: number } {
  const lines = readFileSync(file, 'utf8').split('\n');
  const line = lines.findIndex((l) => l.includes(text));
  if (line === -1) throw new Error(`${file} has no ${JSON.stringify(text)}`);
  return { line: line + 1, column: lines[line]!.indexOf(text) + 1 };
}

/**
 * Runs an instrumented program behind the wrapper. `mode`: `signal` (a real signal, see
 * `trigger`), `signal-storm` (500 real signals), `busy` (a worker calls requestActivation),
 * `storm` (the worker calls it hundreds of times), `idle` (a main-thread timer calls activate()).
 */
export function launch(runtime: RuntimeSpec, dir: string, program: string, mode: LaunchMode): Target {
  const trigger = join(dir, `trigger-${runtime.name}-${process.pid}-${++launches}`);
  rmSync(trigger, { force: true });
  const child = spawn(runtime.command, [...runtime.args, join(dir, 'main.mjs'), `./${basename(program).replace(/\.ts$/, '.mjs')}`, mode, trigger], {
    cwd: repoRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' },
  });
  children.add(child);
  let out = '';
  let err = '';
  const waiters = new Set<() => void>();
  const notify = (): void => {
    for (const waiter of [...waiters]) waiter();
  };
  child.stdout!.setEncoding('utf8');
  child.stderr!.setEncoding('utf8');
  child.stdout!.on('data', (chunk: string) => {
    out += chunk;
    notify();
  });
  child.stderr!.on('data', (chunk: string) => {
    err += chunk;
    notify();
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => {
      children.delete(child);
      // Let the last output arrive.
      setTimeout(() => {
        notify();
        resolve({ code, signal });
      }, 50);
    }),
  );
  let done = false;
  void exited.then(() => (done = true));
  const describe = (): string => `${runtime.name} ${program} (${mode})\n--- stdout\n${out}\n--- stderr\n${err}`;
  const waitFor = <T>(find: () => T | undefined, what: string): Promise<T> =>
    within(
      new Promise<T>((resolve, reject) => {
        const check = (): void => {
          const found = find();
          if (found !== undefined) {
            waiters.delete(check);
            resolve(found);
          } else if (done) {
            waiters.delete(check);
            reject(new Error(`the program exited before ${what}\n${describe()}`));
          }
        };
        waiters.add(check);
        check();
      }),
      what,
      describe,
    );
  const banner = waitFor(() => {
    const match = /Debugger listening on (ws:\/\/\[?(.+?)\]?:(\d+)\/[0-9a-f-]{36})/.exec(err);
    return match === null ? undefined : { wsUrl: match[1], host: match[2], port: Number(match[3]) };
  }, 'the banner');
  return {
    child,
    runtime,
    stdout: () => out,
    stderr: () => err,
    line: (pattern) => waitFor(() => out.split('\n').find((l) => pattern.test(l)), `a line matching ${pattern}`),
    banner,
    trigger: () => {
      if (mode !== 'signal' && mode !== 'signal-storm') return writeFileSync(trigger, '');
      const pid = programPid(child.pid!);
      const signal = ACTIVATION_SIGNAL[runtime.name];
      if (mode === 'signal') return process.kill(pid, signal);
      void (async () => {
        for (let i = 0; i < 500 && !done; i++) {
          try {
            process.kill(pid, signal);
          } catch {
            return; // it has ended
          }
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      })();
    },
    exited,
    describe,
  };
}

export interface CdpEvent {
  method: string;
  params: any;
}

/** A chrome-remote-interface client that records every event. */
export class Client {
  readonly events: CdpEvent[] = [];
  readonly #waiters = new Set<() => void>();
  readonly cdp: any;
  readonly #describe: () => string;

  private constructor(cdp: any, describe: () => string) {
    this.cdp = cdp;
    this.#describe = describe;
    cdp.on('event', (message: CdpEvent) => {
      this.events.push(message);
      for (const waiter of [...this.#waiters]) waiter();
    });
  }

  static async connect(port: number, describe: () => string = () => ''): Promise<Client> {
    const cdp = await within(CDP({ host: '127.0.0.1', port }), 'chrome-remote-interface to connect', describe);
    return new Client(cdp, describe);
  }

  send(method: string, params?: object): Promise<any> {
    return within(this.cdp.send(method, params) as Promise<any>, `the reply to ${method}`, this.#describe);
  }

  /** Position in the event log, to wait for events after it. */
  mark(): number {
    return this.events.length;
  }

  /** The first event `method` at or after `since` (already received or still to come). */
  next(method: string, since = 0, test: (params: any) => boolean = () => true): Promise<any> {
    return within(
      new Promise<any>((resolve) => {
        const check = (): void => {
          for (let i = since; i < this.events.length; i++) {
            const event = this.events[i];
            if (event.method === method && test(event.params)) {
              this.#waiters.delete(check);
              resolve(event.params);
              return;
            }
          }
        };
        this.#waiters.add(check);
        check();
      }),
      `event ${method}`,
      this.#describe,
    );
  }

  count(method: string): number {
    return this.events.filter((e) => e.method === method).length;
  }

  close(): Promise<void> {
    return this.cdp.close();
  }
}

/** Line (0-based, as CDP counts) of the first line of a program source containing `text`. */
export function lineOf(program: string, text: string, occurrence = 1): number {
  const lines = readFileSync(join(programsDir, program), 'utf8').split('\n');
  let seen = 0;
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].includes(text) && ++seen === occurrence) return i;
  }
  throw new Error(`${program} has no line with ${JSON.stringify(text)}`);
}

/** Column (0-based) of `text` on that line. */
export function columnOf(program: string, text: string, occurrence = 1): number {
  const line = readFileSync(join(programsDir, program), 'utf8').split('\n')[lineOf(program, text, occurrence)];
  return line.indexOf(text);
}

export const programUrl = (program: string): string => `file://${join(programsDir, program)}`;
