/**
 * `trapdoor run [options] [runtime options] <script> [args…]`: runs a script on Node, Bun or Deno
 * with trapdoor's loader, which instruments the program's own modules as they load (see
 * ../loaders). The debugger settings reach the runtime in the child's environment.
 */
import { existsSync, rmSync } from 'node:fs';
import { makeDirectory } from '../make-directory.js';
import { createRequire } from 'node:module';
import { constants } from 'node:os';
import { join, resolve } from 'node:path';
import { isListenHost } from '../args.js';
import { CliError } from '../errors.js';
import { ENV } from '../loaders/settings.js';
import { cacheDir, CACHE_ENV } from '../cache/disk-cache.js';
import { childCommand, defaultRuntime, RUNTIMES, type RuntimeName } from '../run/runtimes.js';
import { runChild } from '../run/spawn.js';
import { loadDiscovery, type Discovery } from '../run/discovery.js';

export const RUN_USAGE = `Usage: trapdoor run [options] [runtime options] <script> [args...]

Runs <script> on Node (default), Bun or Deno, instrumenting the program's own modules as they
load, so that a debugger can be attached to it later, even while it spins in a busy loop.
Output, exit status and stack traces stay the program's own (stack trace columns on a line where
a check was inserted can differ). TypeScript runs on all three: on Node, trapdoor strips the
types itself (or instruments what tsx or ts-node compiled, with --import=tsx or
--require=ts-node/register).

Options:
  --runtime node|bun|deno   the runtime (default: the one running trapdoor: node, bun under
                            'bunx --bun', deno under 'deno run'; bun and deno are looked up on
                            PATH, then in node_modules/.bin; TRAPDOOR_NODE, TRAPDOOR_BUN,
                            TRAPDOOR_DENO name an executable to use instead)
  --port <n>                port the debugger listens on once activated (0: any free port);
                            when it is taken, activation fails as with 'node --inspect=<n>'
                            (default: 9229, or the next free port, with a notice)
  --host <address>          address the debugger listens on: an IP address or a host name
                            (default 127.0.0.1); for 0.0.0.0 or :: the URLs name the loopback
                            address
  --signal <name>|none      the signal that activates the debugger, e.g. SIGUSR2; 'none': no
                            signal, 'trapdoor attach' uses a control socket instead
  --include <glob>          instrument only files matching <glob>, relative to the working
                            directory (repeatable); files under node_modules are instrumented
                            only when a glob matches them, e.g. 'node_modules/acorn/**'
  --exclude <glob>          do not instrument files matching <glob> (repeatable)
  --mode trap               the instrumentation mode (only 'trap' for now)
  -h, --help                show this help

Files never instrumented: node_modules (unless --include matches them), trapdoor's own
packages, .d.ts files. Any other option before <script> is the runtime's and is passed on as it
is; give its value with '=' (--max-old-space-size=4096, --allow-net=example.com). '--' ends the
options. Everything after <script> goes to the script.

The child gets:
  node   --require <trapdoor>/dist/loaders/node/register.cjs   (module.register hooks for ES
         modules, a require hook for CommonJS; 'node --require trapdoor-js/register app.js' does the
         same, and so does --import, except that Node then starts a CommonJS entry point through
         its ES module loader)
  bun    --preload <trapdoor>/dist/loaders/bun/register.js   (a Bun.plugin onLoad)
  deno   run --preload <trapdoor>/dist/loaders/deno/register.js   (node:module registerHooks),
         with --allow-read (trapdoor's runtime and its dependencies, the script),
         --allow-net=<host>, --allow-env (TRAPDOOR_*, and what ws and the transform read),
         --allow-ffi (the native signal watcher), and read, write and unix:<socket> net access
         to its state directory (what 'trapdoor attach' finds it by) merged into your own
         permission flags; how the program's own imports resolve is left to its deno.json or
         package.json (trapdoor's own modules resolve themselves, as Node would)
and in its environment, for trapdoor's runtime: TRAPDOOR_PORT, TRAPDOOR_HOST, TRAPDOOR_SIGNAL
(when given), TRAPDOOR_INCLUDE and TRAPDOOR_EXCLUDE (JSON arrays of globs); for Deno also
TRAPDOOR_STATE_DIR and TRAPDOOR_CONTROL_SOCKET. Without these options the runtime uses its
defaults (127.0.0.1:9229; SIGUSR2 on Node and Deno, SIGUSR1 on Bun: Deno takes SIGUSR1 for its
own inspector soon after it starts).

The activation signal sent to 'trapdoor run' itself is passed on to the program, so
'kill -USR2 <pid of trapdoor run>' and 'trapdoor attach <pid of trapdoor run>' both reach it.
To see what was instrumented, set TRAPDOOR_DEBUG_DUMP_MODULES=<file>: at exit the loader writes
each instrumented module, its site count and the sources its sites name to <file> as JSON.

SIGINT, SIGTERM and SIGHUP sent to trapdoor are passed to the program (SIGINT only when no
terminal is attached: a Ctrl-C reaches the program directly).

Exit status: the program's; 128+N when signal N ended it; 2 for a bad command line, a missing
script or runtime.
`;

interface RunArgs {
  runtime: RuntimeName;
  runtimeFlags: string[];
  script: string;
  args: string[];
  port?: string;
  host?: string;
  signal?: string;
  include: string[];
  exclude: string[];
}

const VALUED = new Set(['--runtime', '--port', '--host', '--signal', '--include', '--exclude', '--mode']);

export async function runCommand(argv: string[]): Promise<number> {
  const parsed = parseRunArgs(argv);
  if (parsed === 'help') {
    process.stdout.write(RUN_USAGE);
    return 0;
  }
  const cwd = process.cwd();
  checkScript(parsed, cwd);

  const env: NodeJS.ProcessEnv = { ...process.env };
  if (parsed.port !== undefined) env[ENV.port] = parsed.port;
  if (parsed.host !== undefined) env[ENV.host] = parsed.host;
  if (parsed.signal !== undefined) env[ENV.signal] = parsed.signal;
  if (parsed.include.length > 0) env[ENV.include] = JSON.stringify(parsed.include);
  if (parsed.exclude.length > 0) env[ENV.exclude] = JSON.stringify(parsed.exclude);
  // Deno needs a read permission for its working directory; the loader gets it from here instead.
  if (parsed.runtime === 'deno') env[ENV.cwd] = cwd;
  // The cache of instrumented modules, found once here (Deno may not read the folders above cwd to find it).
  const cache = cacheDir(cwd);
  if (cache !== undefined) env[CACHE_ENV.dir] = cache;
  // The state files' rules (@trapdoor-js/runtime/discovery) are needed before the start only on
  // Deno; on Node and Bun they are loaded while the program starts (below).
  const discovery = parsed.runtime === 'deno' ? loadDiscovery() : undefined;
  // Deno may not ask for the user id (the state directory's name) without --allow-sys: name the
  // directory for it, and let it write there.
  const stateDir = discovery !== undefined ? prepareStateDir(discovery, env) : undefined;
  // And Deno allows a Unix socket by its exact path only, so the control socket (used when the
  // signal cannot be) is named before the child's pid is known.
  if (stateDir !== undefined && !env[discovery!.CONTROL_SOCKET_ENV]) {
    // Unique, not secret (the directory is the user's own, 0700): Math.random, not node:crypto,
    // which this process would load for it before the program starts.
    const suffix = Math.floor(Math.random() * 0x100000000)
      .toString(16)
      .padStart(8, '0');
    env[discovery!.CONTROL_SOCKET_ENV] = join(stateDir, `run-${process.pid}-${suffix}.sock`);
  }
  const controlSocket = discovery !== undefined ? env[discovery.CONTROL_SOCKET_ENV] || undefined : undefined;

  const command = childCommand({
    runtime: parsed.runtime,
    runtimeFlags: parsed.runtimeFlags,
    script: parsed.script,
    args: parsed.args,
    host: parsed.host,
    dumpFile: env[ENV.dumpModules] || undefined,
    stateDir,
    controlSocket,
    cwd,
    env,
  });
  // The program's activation signal, for relaying; 'none' (control socket only) relays nothing.
  const given = (parsed.signal ?? env[ENV.signal] ?? (parsed.runtime === 'bun' ? 'SIGUSR1' : 'SIGUSR2')).toUpperCase();
  const signal = given.startsWith('SIG') ? given : `SIG${given}`;
  const relay = signal in constants.signals && signal !== 'SIGKILL' && signal !== 'SIGSTOP' ? [signal] : [];
  let exited: number | undefined;
  const status = runChild(command, env, { relay, onExit: (pid) => (exited = pid) });
  // Loaded once the program is starting, not before: on its way to the program it would be part
  // of the start-up that `trapdoor run` adds.
  const rules = discovery ?? loadDiscovery();
  const code = await status;
  if (exited !== undefined) removeStateFiles(rules, env, exited);
  return code;
}

/** Removes what the program left in the state directory (its state file and control socket). */
function removeStateFiles({ CONTROL_SOCKET_ENV, stateDirFor, stateFiles }: Discovery, env: NodeJS.ProcessEnv, pid: number): void {
  const dir = stateDirFor(env, typeof process.getuid === 'function' ? process.getuid() : undefined);
  if (dir === undefined) return;
  const files = stateFiles(dir, pid);
  for (const path of [files.state, files.socket, env[CONTROL_SOCKET_ENV]]) {
    if (path) rmSync(path, { force: true });
  }
}

/** The state directory for the child (created 0700), also put in its environment; undefined if unusable. */
function prepareStateDir({ STATE_DIR_ENV, stateDirFor }: Discovery, env: NodeJS.ProcessEnv): string | undefined {
  const dir = stateDirFor(env, typeof process.getuid === 'function' ? process.getuid() : undefined);
  if (dir === undefined) return undefined;
  try {
    makeDirectory(dir, 0o700);
  } catch {
    return undefined;
  }
  env[STATE_DIR_ENV] = dir;
  return dir;
}

function usage(message: string): CliError {
  return new CliError('ERR_TRAPDOOR_USAGE', message, { usage: RUN_USAGE });
}

/**
 * Options up to the script are trapdoor's or the runtime's; the script and everything after it
 * are the program's. parseArgs cannot do this (unknown options are passed on, not refused).
 */
export function parseRunArgs(argv: string[]): RunArgs | 'help' {
  const result: RunArgs = { runtime: defaultRuntime(), runtimeFlags: [], script: '', args: [], include: [], exclude: [] };
  let i = 0;
  for (; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      i++;
      break;
    }
    if (!arg.startsWith('-') || arg === '-') break;
    if (arg === '-h' || arg === '--help') return 'help';
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg : arg.slice(0, eq);
    if (!VALUED.has(name)) {
      result.runtimeFlags.push(arg);
      continue;
    }
    let value: string;
    if (eq >= 0) value = arg.slice(eq + 1);
    else if (i + 1 < argv.length) value = argv[++i]!;
    else throw usage(`option '${name}' needs a value`);
    setOption(result, name, value);
  }
  if (i >= argv.length) throw usage('missing the script to run');
  result.script = argv[i]!;
  result.args = argv.slice(i + 1);
  return result;
}

function setOption(result: RunArgs, name: string, value: string): void {
  switch (name) {
    case '--runtime':
      if (!(RUNTIMES as readonly string[]).includes(value)) throw usage(`unknown runtime '${value}': expected node, bun or deno`);
      result.runtime = value as RuntimeName;
      return;
    case '--port': {
      if (!/^\d+$/.test(value) || Number(value) > 65535) throw usage(`option '--port' must be a port number (0 to 65535), not '${value}'`);
      result.port = String(Number(value));
      return;
    }
    case '--host':
      if (value === '') throw usage("option '--host' needs an address");
      // Checked here, before the program starts: a bad one would only fail inside it, at activation.
      if (!isListenHost(value)) throw usage(`option '--host' must be an IP address or a host name, not '${value}'`);
      result.host = value.replace(/^\[(.*)\]$/, '$1'); // [::1] → ::1, as listen() takes it
      return;
    case '--signal':
      result.signal = signalName(value);
      return;
    case '--include':
    case '--exclude':
      if (value === '') throw usage(`option '${name}' needs a glob`);
      (name === '--include' ? result.include : result.exclude).push(value);
      return;
    case '--mode':
      if (value === 'debug') throw new CliError('ERR_TRAPDOOR_NOT_AVAILABLE', "mode 'debug' (statement checks and a shadow stack) is not available yet; use --mode trap");
      if (value !== 'trap') throw usage(`option '--mode' must be trap, not '${value}'`);
      return;
  }
}

/** SIGUSR2, USR2, usr2 → SIGUSR2; 'none' stays; a signal a process cannot catch is refused. */
function signalName(value: string): string {
  if (value.toLowerCase() === 'none') return 'none';
  const upper = value.toUpperCase();
  const name = upper.startsWith('SIG') ? upper : `SIG${upper}`;
  if (!(name in constants.signals)) throw usage(`option '--signal' must be a signal name such as SIGUSR2, not '${value}'`);
  if (name === 'SIGKILL' || name === 'SIGSTOP') throw usage(`option '--signal': ${name} cannot be caught by a program`);
  return name;
}

/** The script must exist (Node and Bun also find `app` for app.js, or a directory's main). */
function checkScript(args: RunArgs, cwd: string): void {
  const path = resolve(cwd, args.script);
  if (existsSync(path)) return;
  if (args.runtime !== 'deno') {
    try {
      createRequire(resolve(cwd, 'noop.js')).resolve(path);
      return;
    } catch {
      // not found either way
    }
  }
  throw new CliError('ERR_TRAPDOOR_NOT_FOUND', `no such file: ${args.script}`);
}
