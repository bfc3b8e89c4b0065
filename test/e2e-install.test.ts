/**
 * trapdoor as a user installs it. The four packages are packed with `npm pack` into a folder
 * outside the repository, then installed into fresh projects there: npm (with the native addon's
 * install script allowed, and without), pnpm (strict: nothing but what a package declares
 * resolves), a Deno project (deno.json, the packages installed by npm into a package.json beside
 * it) and a Bun project (bun add). In each, from another working directory than the project:
 * the installed `trapdoor run` prints what the plain run prints (ES module and CommonJS), and a
 * busy program started with it is attached to with the installed `trapdoor attach`, then a real
 * CDP client (chrome-remote-interface) pauses it at its loop's line, reads a local, sets another
 * so that the loop ends, and resumes it: the program ends as it then must.
 *
 * Needs the packages built (`npm test` builds first); the dependencies come from the npm cache of
 * the root install, or from the registry.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { delimiter, join, relative } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import CDP from 'chrome-remote-interface';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { killTree, repoRoot, within } from './e2e/harness.js';

const FIXTURES = fileURLToPath(new URL('./install/', import.meta.url));
const BIN = join(repoRoot, 'node_modules', '.bin');
const DENO = join(BIN, 'deno');
const BUN = join(BIN, 'bun');
const PNPM = join(BIN, 'pnpm');
const PACKAGES = ['transform', 'runtime', 'native', 'trapdoor'] as const;
/** The line of busy.mjs / busy.cjs whose loop a pause stops in. */
const LOOP_LINE = readFileSync(join(FIXTURES, 'busy.mjs'), 'utf8').split('\n').findIndex((l) => l.startsWith('while')) + 1;

let work: string;
/** Where every program is started from: not the project. */
let elsewhere: string;
const tarballs: string[] = [];
const children = new Set<ChildProcess>();

/** The user's environment: nothing of the npm or vitest running this test. */
function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(npm_|VITEST|TRAPDOOR_)/i.test(name)));
  // Not the repository's node_modules/.bin (its trapdoor, bun and deno): runtimes are named explicitly.
  const path = (process.env.PATH ?? '').split(delimiter).filter((dir) => !dir.startsWith(repoRoot) && !dir.startsWith(repoRoot.replace(/\/$/, '')));
  return { ...env, PATH: path.join(delimiter), NO_COLOR: '1', TMPDIR: work, ...extra };
}

interface Result {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end (asynchronously: installs run side by side). */
function exec(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = userEnv()): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

function project(name: string, manifest: Record<string, unknown>, files: Record<string, string> = {}): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify({ name, private: true, version: '1.0.0', ...manifest }, null, 2)}\n`);
  for (const [path, text] of Object.entries(files)) writeFileSync(join(dir, path), text);
  for (const fixture of ['app.mjs', 'app.cjs', 'busy.mjs', 'busy.cjs']) copyFileSync(join(FIXTURES, fixture), join(dir, fixture));
  return dir;
}

const NPM_FLAGS = ['--prefer-offline', '--no-audit', '--no-fund'];

interface Setup {
  /** The project folder. */
  dir: string;
  /** The installed CLI: command and the arguments before trapdoor's own. */
  cli: (dir: string) => [string, string[]];
  /** The plain run of a script. */
  plain: (script: string) => [string, string[]];
  /** Options `trapdoor run` needs before the script. */
  runOptions: string[];
  env?: NodeJS.ProcessEnv;
  programs: string[];
  /** How the runtime must be reachable: its signal (the addon loaded), its control socket, or either. */
  trigger: 'signal' | 'socket' | 'any';
}

const setups: Record<string, Setup> = {};
const installs: Record<string, Promise<Result>> = {};

const npmBin = (dir: string): [string, string[]] => [join(dir, 'node_modules', '.bin', 'trapdoor'), []];

beforeAll(async () => {
  work = realpathSync(mkdtempSync(join(tmpdir(), 'trapdoor-install-')));
  expect(relative(repoRoot, work).startsWith('..')).toBe(true);
  elsewhere = join(work, 'elsewhere');
  mkdirSync(elsewhere);
  const packs = join(work, 'tarballs');
  mkdirSync(packs);
  const packing = Date.now();
  const packed = await Promise.all(
    PACKAGES.map((name) => {
      expect(existsSync(join(repoRoot, 'packages', name, name === 'native' ? 'index.cjs' : 'dist')), `packages/${name}: build first (npm test does)`).toBe(true);
      // The TypeScript packages' prepack is their build, which `npm test` ran already (and which
      // would rewrite dist/ under the other test files); the native package's makes its prebuild.
      const args = ['pack', '--json', '--pack-destination', packs, ...(name === 'native' ? [] : ['--ignore-scripts'])];
      return exec('npm', args, join(repoRoot, 'packages', name), process.env);
    }),
  );
  for (const result of packed) {
    expect(result.status, result.stderr).toBe(0);
    const [info] = JSON.parse(result.stdout.slice(result.stdout.indexOf('['))) as Array<{ filename: string }>;
    tarballs.push(join(packs, info!.filename));
  }
  console.log(`packed in ${((Date.now() - packing) / 1000).toFixed(1)} s`);
  const native = tarballs[PACKAGES.indexOf('native')]!;

  // npm 11 runs a dependency's install script only when the project allows it; a tarball is named by its file: spec.
  const allowed = project('npm-scripts', { allowScripts: { '@trapdoor-js/native': true, [`file:${native}`]: true } });
  installs['npm, install scripts allowed'] = exec('npm', ['install', ...NPM_FLAGS, ...tarballs], allowed);
  setups['npm, install scripts allowed'] = { dir: allowed, cli: npmBin, plain: (s) => [process.execPath, [s]], runOptions: [], programs: ['app.mjs', 'app.cjs'], trigger: 'signal' };

  const blocked = project('npm-blocked', {});
  installs['npm, install scripts not allowed'] = exec('npm', ['install', ...NPM_FLAGS, ...tarballs], blocked);
  // The addon's prebuild loads without its install script, so the signal may well work here.
  setups['npm, install scripts not allowed'] = { dir: blocked, cli: npmBin, plain: (s) => [process.execPath, [s]], runOptions: [], programs: ['app.mjs', 'app.cjs'], trigger: 'any' };
  // No signal at all: attach goes through the control socket.
  setups['npm, --signal none'] = { dir: blocked, cli: npmBin, plain: (s) => [process.execPath, [s]], runOptions: ['--signal', 'none'], programs: ['app.cjs'], trigger: 'socket' };

  // pnpm and Bun resolve a dependency of a tarball (trapdoor-js → @trapdoor-js/runtime@0.1.0) from
  // the registry, not from the tarballs beside it: until the packages are published, overrides
  // point them at the tarballs. pnpm stops on a build script nobody reviewed: the project says yes
  // to the addon's (by its file: spec, relative to the project).
  const library = (name: string) => tarballs[PACKAGES.indexOf(name as (typeof PACKAGES)[number])]!;
  const pnpmDir = join(work, 'pnpm');
  const overrides = (spec: (file: string) => string) => ({
    '@trapdoor-js/runtime': spec(library('runtime')),
    '@trapdoor-js/transform': spec(library('transform')),
    '@trapdoor-js/native': spec(native),
  });
  const pnpmYaml = [
    'allowBuilds:',
    `  '@trapdoor-js/native@file:${relative(pnpmDir, native)}': true`,
    'overrides:',
    ...Object.entries(overrides((file) => `file:${file}`)).map(([name, spec]) => `  '${name}': '${spec}'`),
    '',
  ].join('\n');
  const pnpm = project('pnpm', {}, { 'pnpm-workspace.yaml': pnpmYaml });
  installs.pnpm = exec(PNPM, ['add', '--prefer-offline', ...tarballs], pnpm);
  setups.pnpm = { dir: pnpm, cli: npmBin, plain: (s) => [process.execPath, [s]], runOptions: [], programs: ['app.mjs', 'app.cjs'], trigger: 'any' };

  // Deno: `deno install` of file: tarballs links the .tgz files themselves (Deno 2.9.5), so the
  // packages are installed by npm into a package.json beside deno.json.
  const deno = project('deno', { allowScripts: { [`file:${native}`]: true } }, { 'deno.json': '{}\n' });
  installs.deno = exec('npm', ['install', ...NPM_FLAGS, ...tarballs], deno);
  const denoSetup = { dir: deno, plain: (s: string): [string, string[]] => [DENO, ['run', s]], runOptions: ['--runtime', 'deno'], env: { TRAPDOOR_DENO: DENO }, programs: ['app.mjs'], trigger: 'any' as const };
  setups['Deno, the CLI on Node'] = { ...denoSetup, cli: npmBin };
  // A Deno user without Node: the CLI on Deno runs the program on Deno.
  setups['Deno, the CLI on Deno'] = { ...denoSetup, env: {}, runOptions: [], cli: (dir) => [DENO, ['run', '-A', join(dir, 'node_modules', 'trapdoor-js', 'bin', 'trapdoor.js')]] };
  // A program of its own below, whose deno.json says "nodeModulesDir": "none": Deno then ignores
  // node_modules, trapdoor's included, for the program's imports; trapdoor's own still load.
  const none = join(deno, 'none');
  mkdirSync(none);
  writeFileSync(join(none, 'deno.json'), '{ "nodeModulesDir": "none" }\n');
  for (const fixture of ['app.mjs', 'busy.mjs']) copyFileSync(join(FIXTURES, fixture), join(none, fixture));
  setups['Deno, "nodeModulesDir": "none"'] = { ...denoSetup, dir: none, cli: () => npmBin(deno) };

  const bun = project('bun', { trustedDependencies: ['@trapdoor-js/native'], overrides: overrides((file) => file) });
  installs.bun = exec(BUN, ['add', ...tarballs], bun);
  // `bunx --bun trapdoor` runs the bin on Bun; from another folder, bun runs it by its path.
  setups['Bun, bun add'] = { dir: bun, cli: (dir) => [BUN, ['--bun', join(dir, 'node_modules', '.bin', 'trapdoor')]], plain: (s) => [BUN, [s]], runOptions: [], programs: ['app.mjs', 'app.cjs'], trigger: 'signal' };

  const began = Date.now();
  const results = await Promise.all(
    Object.entries(installs).map(async ([name, install]) => {
      const result = await install;
      console.log(`${name}: installed in ${((Date.now() - began) / 1000).toFixed(1)} s`); // for whoever tunes this file's time
      return [name, result] as const;
    }),
  );
  for (const [name, result] of results) expect(result.status, `${name}: ${result.stdout}\n${result.stderr}`).toBe(0);
}, 240_000);

afterAll(() => {
  for (const child of children) if (child.pid !== undefined) killTree(child.pid);
  if (work) rmSync(work, { recursive: true, force: true });
});

/** A started program: its output so far, a line to wait for, its end. */
function start(command: string, args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn(command, args, { cwd: elsewhere, env, stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const output = () => `stdout:\n${stdout}\nstderr:\n${stderr}`;
  const exited = new Promise<number | null>((resolve) => child.once('close', (code) => (children.delete(child), resolve(code))));
  const printed = (text: string) =>
    within(
      (async () => {
        while (!stdout.includes(text)) {
          if (child.exitCode !== null) throw new Error(`exited with ${child.exitCode} before printing ${text}`);
          await new Promise((r) => setTimeout(r, 25));
        }
      })(),
      `the program to print ${JSON.stringify(text)}`,
      output,
    );
  return { child, exited, printed, output, stdout: () => stdout };
}

const SETUPS = ['npm, install scripts allowed', 'npm, install scripts not allowed', 'npm, --signal none', 'pnpm', 'Deno, the CLI on Node', 'Deno, the CLI on Deno', 'Deno, "nodeModulesDir": "none"', 'Bun, bun add'];

describe.each(SETUPS)(
  'installed with %s',
  (name) => {
    const setup = () => setups[name]!;

    it('the installed trapdoor run prints what the plain run prints, from another folder (ES module and CommonJS)', async () => {
      const { dir, cli, plain, runOptions, env, programs } = setup();
      for (const program of programs) {
        const script = join(dir, program);
        const [plainCommand, plainArgs] = plain(script);
        const expected = await exec(plainCommand, plainArgs, elsewhere, userEnv(env));
        expect(expected.stdout, expected.stderr).toContain('steps 441');
        const [command, prefix] = cli(dir);
        const traced = await exec(command, [...prefix, 'run', ...runOptions, script], elsewhere, userEnv(env));
        expect(traced, program).toEqual(expected);
      }
    });

    it("a busy program is attached to, paused at its loop's line by a CDP client, read, changed and resumed", async () => {
      const { dir, cli, runOptions, env, programs, trigger } = setup();
      const program = programs.includes('app.cjs') ? 'busy.cjs' : 'busy.mjs';
      const script = join(dir, program);
      const [command, prefix] = cli(dir);
      const run = start(command, [...prefix, 'run', ...runOptions, '--port', '0', script], userEnv(env));
      await run.printed('started');

      const attached = await exec(command, [...prefix, 'attach', '--json', String(run.child.pid)], elsewhere, userEnv(env));
      expect(attached.status, `${attached.stdout}\n${attached.stderr}\n${run.output()}`).toBe(0);
      const info = JSON.parse(attached.stdout) as { wsUrl: string; trigger: { signal?: string; socket?: string } };
      if (trigger === 'signal') expect(info.trigger.signal, JSON.stringify(info.trigger)).toMatch(/^SIGUSR[12]$/);
      else if (trigger === 'socket') expect(info.trigger, JSON.stringify(info.trigger)).toMatchObject({ socket: expect.stringMatching(/\.sock$/) });
      else expect(Object.keys(info.trigger).length, JSON.stringify(info.trigger)).toBeGreaterThan(0);

      const client = await CDP({ target: info.wsUrl, local: true });
      try {
        const urls = new Map<string, string>();
        client.on('Debugger.scriptParsed', (event: { scriptId: string; url: string }) => urls.set(event.scriptId, event.url));
        await client.Runtime.enable();
        await client.Debugger.enable({});
        const paused = new Promise<{ callFrames: Array<{ callFrameId: string; url?: string; location: { scriptId: string; lineNumber: number } }> }>((resolve) =>
          client.once('Debugger.paused', resolve),
        );
        await client.Debugger.pause();
        const [frame] = (await within(paused, 'Debugger.paused', run.output)).callFrames;
        const url = frame!.url || urls.get(frame!.location.scriptId);
        expect(url).toBe(pathToFileURL(script).href);
        expect(frame!.location.lineNumber + 1).toBe(LOOP_LINE);
        const attempts = await client.Debugger.evaluateOnCallFrame({ callFrameId: frame!.callFrameId, expression: 'attempts' });
        expect(attempts.result.type).toBe('number');
        expect(attempts.result.value).toBeGreaterThan(0);
        await client.Debugger.evaluateOnCallFrame({ callFrameId: frame!.callFrameId, expression: 'found = attempts' });
        await client.Debugger.resume();
        expect(await within(run.exited, 'the program to end', run.output)).toBe(0);
        expect(run.stdout()).toBe(`started\nfound ${attempts.result.value}\n`);
      } finally {
        await client.close().catch(() => undefined);
      }
    });
  },
);

it('bunx --bun trapdoor run, in the Bun project: the program runs on Bun, as the plain run does', async () => {
  const { dir } = setups['Bun, bun add']!;
  const expected = await exec(BUN, ['app.mjs'], dir);
  expect(expected.stdout).toContain('steps 441');
  // bunx finds the project's own trapdoor bin from the project's folder (elsewhere it would ask
  // the registry for a package named `trapdoor`).
  const traced = await exec(join(BIN, 'bunx'), ['--bun', 'trapdoor', 'run', 'app.mjs'], dir, userEnv({ TRAPDOOR_DEBUG_DUMP_MODULES: join(work, 'bunx-dump.json') }));
  expect(traced).toEqual(expected);
  const dumped = JSON.parse(readFileSync(join(work, 'bunx-dump.json'), 'utf8')) as Array<{ file: string }>;
  expect(dumped.map((m) => m.file)).toEqual([join(dir, 'app.mjs')]);
});
