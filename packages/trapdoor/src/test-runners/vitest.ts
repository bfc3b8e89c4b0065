/**
 * Vitest under `trapdoor test`: the same command, given a generated config (`--config`, in a
 * temporary folder) that loads the project's own config as Vitest would have — the file it would
 * have found or the one `--config` names, with `--configLoader` — and adds trapdoor's Vitest plugin
 * (vitest-plugin.ts). Every other argument, the root and the working directory stay as given, so
 * the project's settings (plugins, aliases, setupFiles, pools, coverage, projects) are all kept.
 * When the command is this Node running Vitest's script (`node node_modules/vitest/vitest.mjs`,
 * Vitest's bin), the script runs in trapdoor's own process (PreparedRun's `inProcess`): one Node
 * start less before the first test.
 */
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { delimiter, dirname, isAbsolute, join, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CliError } from '../errors.js';
import { programOf, type PreparedRun, type TestRunner, type TestRunOptions } from './runner.js';
import type { WrappedConfig } from './vitest-config.js';

/** The files Vitest looks for, in its order (vitest/dist/chunks/constants: CONFIG_NAMES × CONFIG_EXTENSIONS). */
const CONFIG_FILES = ['vitest.config', 'vite.config'].flatMap((name) => ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'].map((ext) => name + ext));
const CONFIG_LOADERS = ['bundle', 'runner', 'native'] as const;

interface VitestArgs {
  /** The arguments with `--config` taken out. */
  rest: string[];
  config?: string;
  root?: string;
  configLoader?: WrappedConfig['configLoader'];
}

export const vitest: TestRunner = {
  name: 'vitest',
  matches: (command) => vitestAt(command) !== undefined || npmScript(command, process.cwd()) !== undefined,
  prepare,
};

/** An npm script that is one plain Vitest command: its words can be read and added to (npm passes what follows `--` to it). */
interface NpmScript {
  /** Where npm runs it: the folder of the nearest package.json. */
  dir: string;
  /** The script's words, then the command's own after `--`. */
  words: string[];
}

/**
 * `npm test`, `npm t`, `npm run <script>`, `npm run-script <script>` whose script is `vitest …`
 * and nothing else (no `&&`, pipes, quotes, variables: then the words npm runs are not known
 * here, and an added `--config` could reach another program), and does not choose a config
 * itself (a second --config would not replace it). Hand-written: splitting a shell line in
 * general needs a shell.
 */
function npmScript(command: readonly string[], cwd: string): NpmScript | undefined {
  if (command[0] === undefined || programOf([command[0]])?.name !== 'npm') return undefined;
  const end = command.indexOf('--');
  const own = end < 0 ? command.slice(1) : command.slice(1, end);
  const words = own.filter((word) => !word.startsWith('-'));
  const name = words[0] === 'test' || words[0] === 't' ? 'test' : words[0] === 'run' || words[0] === 'run-script' ? words[1] : undefined;
  if (name === undefined || words.length !== (words[0] === 'run' || words[0] === 'run-script' ? 2 : 1)) return undefined;
  let dir = cwd;
  while (!existsSync(join(dir, 'package.json'))) {
    if (dirname(dir) === dir) return undefined;
    dir = dirname(dir);
  }
  let script: unknown;
  try {
    script = (JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { scripts?: Record<string, unknown> }).scripts?.[name];
  } catch {
    return undefined;
  }
  if (typeof script !== 'string' || /[&|;<>`$'"\\(){}*?]/.test(script)) return undefined;
  const scriptWords = script.trim().split(/\s+/);
  if (scriptWords[0] !== 'vitest') return undefined;
  const all = [...scriptWords.slice(1), ...(end < 0 ? [] : command.slice(end + 1))];
  if (all.some((word) => /^(?:--config|-c)(?:=|$)/.test(word))) return undefined;
  return { dir, words: all };
}

/** The index of the vitest program in `command`: `vitest`, `npx vitest`, `node_modules/.bin/vitest`, `node node_modules/vitest/vitest.mjs`. */
function vitestAt(command: readonly string[]): number | undefined {
  const program = programOf(command);
  if (program === undefined) return undefined;
  if (program.name === 'vitest') return program.index;
  if (program.name === 'node') {
    const script = command.slice(program.index + 1).findIndex((arg) => !arg.startsWith('-'));
    if (script >= 0 && programOf([command[program.index + 1 + script]!])?.name === 'vitest') return program.index + 1 + script;
  }
  return undefined;
}

async function prepare(command: readonly string[], options: TestRunOptions): Promise<PreparedRun> {
  const at = vitestAt(command);
  const script = at === undefined ? npmScript(command, options.cwd) : undefined;
  const args = parseVitestArgs(at !== undefined ? command.slice(at + 1) : script!.words);
  if (args.rest.some((arg) => /^--browser(?:[.=]|$)/.test(arg) && !/^--browser(?:\.enabled)?=false$/.test(arg))) {
    throw new CliError('ERR_TRAPDOOR_USAGE', "vitest --browser: browser mode is not supported (tests run in the browser, whose DevTools pause a busy loop themselves)");
  }
  const root = resolve(script?.dir ?? options.cwd, args.root ?? '.');
  const configFile = args.config !== undefined ? resolve(root, args.config) : findConfig(root);
  if (args.config !== undefined && !existsSync(configFile!)) throw new CliError('ERR_TRAPDOOR_NOT_FOUND', `no such file: ${args.config} (vitest --config)`);
  const vitestDir = vitestPackage(at !== undefined ? command[at]! : 'vitest', root);
  const vite = createRequire(join(vitestDir, 'package.json')).resolve('vite');

  const dir = mkdtempSync(join(tmpdir(), 'trapdoor-vitest-'));
  const wrapped: WrappedConfig = {
    configFile,
    root,
    configLoader: args.configLoader,
    vite,
    vitest: vitestDir,
    // --include/--exclude are relative to the working directory (as for trapdoor run); the plugin
    // reads relative globs from Vite's root, which `npm test` or --root can put elsewhere.
    plugin: { include: fromCwd(options.include, options.cwd), exclude: fromCwd(options.exclude, options.cwd), timeout: options.timeout },
  };
  const wrapper = join(dir, 'vitest.config.mjs');
  writeFileSync(wrapper, wrapperSource(wrapped));
  // npm hands what follows `--` to the script: `npm test -- --config <generated>`.
  const prefix = at !== undefined ? program(command, at, vitestDir) : undefined;
  const prepared = prefix !== undefined ? [...prefix, ...withConfig(args.rest, wrapper)] : [...command, ...(command.includes('--') ? [] : ['--']), '--config', wrapper];
  const inProcess = prefix === undefined ? undefined : thisNodeScript(prefix, vitestDir, options.cwd);
  return {
    command: prepared,
    env: {},
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
    ...(inProcess === undefined ? {} : { inProcess: { script: inProcess, args: prepared.slice(prefix!.length) } }),
  };
}

/**
 * The Vitest script `prefix` (the command up to Vitest) runs when it is this Node running it
 * with no options of its own: `node <script>` (with the `node` on PATH, or this Node by path),
 * or Vitest's own bin (`vitest` on PATH, `node_modules/.bin/vitest`), whose `#!/usr/bin/env node`
 * finds the `node` on PATH. Undefined for anything else (`npx vitest`, `node --inspect …`, another
 * Node), which is spawned as given.
 */
function thisNodeScript(prefix: readonly string[], vitestDir: string, cwd: string): string | undefined {
  if (process.platform === 'win32') return undefined;
  const own = realpathOr(join(vitestDir, 'vitest.mjs'));
  if (prefix.length === 2 && isThisNode(prefix[0]!, cwd)) {
    const script = realpathOr(resolve(cwd, prefix[1]!));
    return script === own ? script : undefined;
  }
  if (prefix.length === 1 && isThisNode('node', cwd)) {
    const bin = prefix[0]!.includes('/') ? resolve(cwd, prefix[0]!) : onPath(prefix[0]!);
    return bin !== undefined && realpathOr(bin) === own ? own : undefined;
  }
  return undefined;
}

/** Whether `program` (a name looked up on PATH, or a path) is the Node running this process. */
function isThisNode(program: string, cwd: string): boolean {
  const path = program === process.execPath ? program : program.includes('/') ? resolve(cwd, program) : program === 'node' ? onPath('node') : undefined;
  return path !== undefined && realpathOr(path) === realpathOr(process.execPath);
}

function realpathOr(path: string): string | undefined {
  try {
    return realpathSync(path);
  } catch {
    return undefined;
  }
}

function fromCwd(globs: string[], cwd: string): string[] {
  return globs.map((glob) => (isAbsolute(glob) ? glob : join(cwd, glob).split(sep).join('/')));
}

/**
 * The generated config. The helper is loaded by Node's own `require` (of an ES module, Node
 * 20.19+), not by an import: Vite's config bundler would bundle what a static import names, and
 * its `runner` loader would load an import through its module runner, closed once the config is read.
 */
function wrapperSource(wrapped: WrappedConfig): string {
  const helper = new URL('./vitest-config.js', import.meta.url).href;
  return [
    `// Generated by 'trapdoor test': ${wrapped.configFile ?? 'no config file'} with trapdoor's Vitest plugin.`,
    `const helper = ${JSON.stringify(fileURLToPath(helper))};`,
    `const wrapped = ${JSON.stringify(wrapped)};`,
    "const { configWithTrapdoor } = process.getBuiltinModule('node:module').createRequire(helper)(helper);",
    'export default (env) => configWithTrapdoor(env, wrapped);',
    '',
  ].join('\n');
}

/**
 * The command up to Vitest. A bare `vitest` that is not on PATH (a shell outside npm scripts) is
 * the project's own, run by this Node: what `npx vitest` would run.
 */
function program(command: readonly string[], at: number, vitestDir: string): string[] {
  if (at !== 0 || command[0] !== 'vitest' || onPath('vitest') !== undefined) return command.slice(0, at + 1);
  return [process.execPath, join(vitestDir, 'vitest.mjs')];
}

/** The file `name` is on PATH (as a shell would find it, first folder first), or undefined. */
function onPath(name: string): string | undefined {
  const names = process.platform === 'win32' ? [`${name}.cmd`, `${name}.exe`] : [name];
  for (const dir of (process.env.PATH ?? '').split(delimiter)) {
    if (dir === '') continue;
    for (const file of names) if (existsSync(join(dir, file))) return join(dir, file);
  }
  return undefined;
}

/** `--config <file>` goes before a `--` that ends Vitest's options (the rest are file filters). */
function withConfig(args: string[], wrapper: string): string[] {
  const end = args.indexOf('--');
  const at = end < 0 ? args.length : end;
  return [...args.slice(0, at), '--config', wrapper, ...args.slice(at)];
}

/** The options of Vitest's command line that say which config it loads, as its CLI (cac) reads them. */
export function parseVitestArgs(args: readonly string[]): VitestArgs {
  const result: VitestArgs = { rest: [] };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg === '--') {
      result.rest.push(...args.slice(i));
      break;
    }
    const match = /^(--config|-c|--root|-r|--configLoader|--config-loader)(?:=(.*))?$/.exec(arg);
    if (match === null) {
      result.rest.push(arg);
      continue;
    }
    const name = match[1]!;
    const value = match[2] ?? args[++i];
    if (value === undefined) throw new CliError('ERR_TRAPDOOR_USAGE', `vitest option '${name}' needs a value`);
    if (name === '--config' || name === '-c') result.config = value;
    else if (name === '--root' || name === '-r') {
      result.root = value;
      result.rest.push(arg.includes('=') ? arg : `${name}=${value}`);
    } else {
      if (!(CONFIG_LOADERS as readonly string[]).includes(value)) throw new CliError('ERR_TRAPDOOR_USAGE', `vitest option '${name}' must be ${CONFIG_LOADERS.join(', ')}, not '${value}'`);
      result.configLoader = value as WrappedConfig['configLoader'];
      result.rest.push(`--configLoader=${value}`);
    }
  }
  return result;
}

/** Vitest's config file for `root`: the first of CONFIG_FILES in it or the nearest folder above (as Vitest's `find.any`). */
function findConfig(root: string): string | undefined {
  for (let dir = root; ; dir = dirname(dir)) {
    for (const name of CONFIG_FILES) {
      const path = join(dir, name);
      if (existsSync(path)) return path;
    }
    if (dirname(dir) === dir) return undefined;
  }
}

/** The vitest package the command runs: the script's own when it is given by path, else the one the project resolves. */
function vitestPackage(program: string, root: string): string {
  if (program.includes('/') || program.includes('\\')) {
    // node_modules/.bin/vitest → …/vitest/vitest.mjs: its package is the folder above with a package.json named vitest.
    for (let dir = dirname(realpathSync(resolve(root, program))); dirname(dir) !== dir; dir = dirname(dir)) {
      if (existsSync(join(dir, 'package.json')) && dir.endsWith('vitest')) return dir;
    }
  }
  try {
    return dirname(createRequire(join(root, 'package.json')).resolve('vitest/package.json'));
  } catch {
    throw new CliError('ERR_TRAPDOOR_NOT_FOUND', `vitest is not installed in ${root} (trapdoor test runs the project's own vitest: npm install -D vitest)`);
  }
}
