import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CliError } from '../errors.js';
import { programOf } from '../test-runners/runner.js';
import { parseVitestArgs, vitest } from '../test-runners/vitest.js';
import { parseTestArgs, runnerFor } from './test.js';

const REPO_MODULES = fileURLToPath(new URL('../../../../node_modules', import.meta.url));

function usageError(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).code).toBe('ERR_TRAPDOOR_USAGE');
    return (error as CliError).message;
  }
  throw new Error('no error');
}

describe('parseTestArgs', () => {
  it('reads the options up to --, the rest is the command as given', () => {
    expect(parseTestArgs(['--timeout', '300', '--include=src/**', '--exclude', 'src/gen/**', '--', 'npx', 'vitest', 'run', '--timeout', '5'])).toEqual({
      timeout: 300,
      include: ['src/**'],
      exclude: ['src/gen/**'],
      command: ['npx', 'vitest', 'run', '--timeout', '5'],
    });
    expect(parseTestArgs(['--timeout=1', 'vitest'])).toEqual({ timeout: 1, include: [], exclude: [], command: ['vitest'] });
  });

  it('help wins wherever it is among the options', () => {
    expect(parseTestArgs(['-h'])).toBe('help');
    expect(parseTestArgs(['--timeout', '5', '--help', '--', 'vitest'])).toBe('help');
    // After '--' it is the test command's.
    expect(parseTestArgs(['--', 'vitest', '--help'])).toEqual({ include: [], exclude: [], command: ['vitest', '--help'] });
  });

  it.each([
    [['--timeout', '1.5', '--', 'vitest'], "option '--timeout' must be a number of milliseconds (1 to 2147483647), not '1.5'"],
    [['--timeout', '-1', '--', 'vitest'], "option '--timeout' must be a number of milliseconds (1 to 2147483647), not '-1'"],
    [['--timeout', '2147483648', '--', 'vitest'], "option '--timeout' must be a number of milliseconds (1 to 2147483647), not '2147483648'"],
    [['--timeout='], "option '--timeout' must be a number of milliseconds (1 to 2147483647), not ''"],
    [['--exclude'], "option '--exclude' needs a value"],
    [['--pool=threads', '--', 'vitest'], "unknown option '--pool' (the test command goes after '--')"],
    [['--timeout', '5'], "missing the test command after '--', e.g. 'trapdoor test -- npx vitest run'"],
  ])('%j → %s', (argv, message) => {
    expect(usageError(() => parseTestArgs(argv))).toBe(message);
  });
});

describe('runnerFor', () => {
  it.each([
    ['npx vitest'],
    ['vitest run'],
    ['npx vitest run --pool=threads'],
    ['node_modules/.bin/vitest'],
    ['/abs/project/node_modules/.bin/vitest run'],
    ['npx --yes vitest run'],
    ['pnpm exec vitest'],
    ['pnpm vitest run'],
    ['yarn vitest'],
    ['npm exec -- vitest run'],
    ['bunx vitest'],
    ['node node_modules/vitest/vitest.mjs run'],
    ['node --max-old-space-size=4096 node_modules/.bin/vitest'],
  ])('%s runs vitest', (command) => {
    expect(runnerFor(command.split(' ')).name).toBe('vitest');
  });

  it('names the runners it supports and the config way when none matches', () => {
    const message = usageError(() => runnerFor(['mocha', '--recursive']));
    expect(message).toMatch(/^no supported test runner runs 'mocha --recursive': supported are .*\bvitest\b/);
    expect(message).toContain("set trapdoor up in the runner's config instead");
    expect(usageError(() => runnerFor(['npx', 'vitestx']))).toContain("runs 'npx vitestx'");
  });
});

describe('programOf', () => {
  it('skips launchers and their flags; npm itself (npm test) is the program', () => {
    expect(programOf(['npx', '-y', 'vitest'])).toEqual({ name: 'vitest', index: 2 });
    expect(programOf(['C:\\p\\node_modules\\.bin\\jest.cmd'])).toEqual({ name: 'jest', index: 0 });
    expect(programOf(['npm', 'test'])).toEqual({ name: 'npm', index: 0 });
    expect(programOf(['npx'])).toBeUndefined();
    expect(programOf([])).toBeUndefined();
  });
});

describe('parseVitestArgs', () => {
  it('takes --config out and keeps the rest, --root and --configLoader included', () => {
    expect(parseVitestArgs(['run', '-c', 'a.config.ts', '--root=sub', '--pool', 'threads', '--configLoader', 'runner', '--', 'file'])).toEqual({
      rest: ['run', '--root=sub', '--pool', 'threads', '--configLoader=runner', '--', 'file'],
      config: 'a.config.ts',
      root: 'sub',
      configLoader: 'runner',
    });
    expect(parseVitestArgs(['--config=x.mjs'])).toEqual({ rest: [], config: 'x.mjs' });
  });

  it('refuses what Vitest would refuse, in trapdoor words', () => {
    expect(() => parseVitestArgs(['--config'])).toThrow("vitest option '--config' needs a value");
    expect(() => parseVitestArgs(['--configLoader=esbuild'])).toThrow("vitest option '--configLoader' must be bundle, runner, native, not 'esbuild'");
  });
});

describe('vitest.prepare', () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  it("gives the command a generated config that loads the project's own, and removes it on cleanup", async () => {
    const root = mkdtempSync(join(tmpdir(), 'trapdoor-vitest-prepare-'));
    dirs.push(root);
    mkdirSync(join(root, 'sub'));
    writeFileSync(join(root, 'vite.config.mjs'), 'export default {};\n');
    writeFileSync(join(root, 'vitest.config.mts'), 'export default {};\n');
    const cwd = join(root, 'sub');
    // Without a vitest to run: one error that says where it looked.
    await expect(vitest.prepare(['npx', 'vitest'], { cwd, include: [], exclude: [] })).rejects.toThrow(`vitest is not installed in ${cwd}`);
    // The project's vitest: this repository's.
    symlinkSync(REPO_MODULES, join(root, 'node_modules'), 'dir');
    const { command, cleanup } = await vitest.prepare(['npx', 'vitest', 'run', '--pool=threads', '--', 'a.test.ts'], { cwd, include: ['src/**'], exclude: [], timeout: 250 });
    expect(command.slice(0, 4)).toEqual(['npx', 'vitest', 'run', '--pool=threads']);
    expect(command[4]).toBe('--config');
    expect(command.slice(6)).toEqual(['--', 'a.test.ts']);
    const generated = readFileSync(command[5]!, 'utf8');
    // The nearest config above the root, in Vitest's order (vitest.config.* before vite.config.*).
    expect(generated).toContain(JSON.stringify(join(root, 'vitest.config.mts')));
    expect(generated).toContain('"timeout":250');
    // Relative globs are the working directory's.
    expect(generated).toContain(`"include":[${JSON.stringify(join(cwd, 'src/**'))}]`);
    cleanup?.();
    expect(() => readFileSync(command[5]!, 'utf8')).toThrow();
    // A bare `vitest` that is not on PATH is the project's, run by this Node (as npx would).
    const path = process.env.PATH;
    process.env.PATH = '/nonexistent';
    try {
      const bare = await vitest.prepare(['vitest', 'run'], { cwd, include: [], exclude: [] });
      expect(bare.command.slice(0, 3)).toEqual([process.execPath, join(REPO_MODULES, 'vitest', 'vitest.mjs'), 'run']);
      bare.cleanup?.();
    } finally {
      process.env.PATH = path;
    }
    // Browser mode is refused before anything is written.
    await expect(vitest.prepare(['vitest', '--browser=chromium'], { cwd, include: [], exclude: [] })).rejects.toThrow('vitest --browser: browser mode is not supported');
    await expect(vitest.prepare(['vitest', '--browser.enabled'], { cwd, include: [], exclude: [] })).rejects.toThrow('browser mode is not supported');
  });

  it("runs Vitest's script in this process when the command is this Node running it with no options, else spawns the command", async () => {
    const cwd = mkdtempSync(join(tmpdir(), 'trapdoor-vitest-in-process-'));
    dirs.push(cwd);
    symlinkSync(REPO_MODULES, join(cwd, 'node_modules'), 'dir');
    const script = realpathSync(join(REPO_MODULES, 'vitest', 'vitest.mjs'));
    const inProcess = async (command: string[]) => {
      const prepared = await vitest.prepare(command, { cwd, include: [], exclude: [] });
      prepared.cleanup?.();
      return prepared.inProcess === undefined ? undefined : { ...prepared.inProcess, given: prepared.command };
    };
    const path = process.env.PATH;
    try {
      // `node` on PATH is this Node: the script with the arguments it would have got.
      process.env.PATH = dirname(process.execPath);
      const byNode = await inProcess(['node', 'node_modules/vitest/vitest.mjs', 'run', '--pool=threads']);
      expect(byNode?.script).toBe(script);
      expect(byNode?.args).toEqual(byNode?.given.slice(2));
      expect(byNode?.args.slice(0, 3)).toEqual(['run', '--pool=threads', '--config']);
      expect((await inProcess([process.execPath, join(cwd, 'node_modules', 'vitest', 'vitest.mjs')]))?.script).toBe(script);
      // Vitest's bin, whose `#!/usr/bin/env node` finds this Node.
      expect((await inProcess(['node_modules/.bin/vitest', 'run']))?.script).toBe(script);
      // Options for Node, a launcher, another script: spawned as given.
      expect(await inProcess(['node', '--inspect', 'node_modules/vitest/vitest.mjs', 'run'])).toBeUndefined();
      expect(await inProcess(['npx', 'vitest', 'run'])).toBeUndefined();
      // Another `node` on PATH: that one runs it.
      const other = join(cwd, 'other-node');
      mkdirSync(other);
      writeFileSync(join(other, 'node'), '#!/bin/sh\nexit 0\n', { mode: 0o755 });
      process.env.PATH = other;
      expect(await inProcess(['node', 'node_modules/vitest/vitest.mjs', 'run'])).toBeUndefined();
      expect(await inProcess(['node_modules/.bin/vitest', 'run'])).toBeUndefined();
      expect((await inProcess([process.execPath, 'node_modules/vitest/vitest.mjs']))?.script).toBe(script);
    } finally {
      process.env.PATH = path;
    }
  });
});
