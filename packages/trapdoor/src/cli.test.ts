// The command line as a user meets it: the real bin, spawned. Needs `npm run build` first.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/trapdoor.js', import.meta.url));
const VERSION = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')).version;
let dir: string;

function trapdoor(...args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: dir, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  if (!existsSync(fileURLToPath(new URL('../dist/cli.js', import.meta.url)))) throw new Error('build first: npm run build');
  mkdirSync(tmpRoot(), { recursive: true });
  dir = mkdtempSync(join(tmpRoot(), 'cli-'));
  writeFileSync(join(dir, 'a.js'), 'function f() { return 1; }\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function tmpRoot(): string {
  return fileURLToPath(new URL('../../../test/.tmp/', import.meta.url));
}

describe('trapdoor', () => {
  it('prints help with -h and --help, listing the commands', () => {
    for (const flag of ['-h', '--help']) {
      const r = trapdoor(flag);
      expect(r.code).toBe(0);
      expect(r.stdout).toMatch(/^Usage: trapdoor <command>/);
      for (const command of ['instrument', 'run', 'attach', 'stack']) expect(r.stdout).toContain(`  ${command} `);
    }
  });

  it('prints its version', () => {
    const r = trapdoor('--version');
    expect(r).toMatchObject({ code: 0, stdout: `${VERSION}\n` });
  });

  it('prints usage and exits 2 without a command', () => {
    const r = trapdoor();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Usage: trapdoor <command>');
  });

  it('names an unknown command or option, prints usage, exits 2', () => {
    for (const [args, named] of [
      [['frobnicate'], "unknown command 'frobnicate'"],
      [['--frobnicate'], "unknown option '--frobnicate'"],
      [['-x'], "unknown option '-x'"],
    ] as const) {
      const r = trapdoor(...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain(`trapdoor: ${named}`);
      expect(r.stderr).toContain('Usage: trapdoor <command>');
    }
  });

  it.each(['attach', 'stack'])('%s: bad command lines exit 2 and name the problem, without a stack trace', (command) => {
    for (const [args, named] of [
      [[], 'missing <pid>'],
      [['0'], "<pid> must be a process id (a positive integer), not '0'"],
      [['-5'], "unknown option '-5'"],
      [['1', '2'], 'one <pid> only, not 2'],
      [['--timeout', 'soon', '1'], "option '--timeout' must be a number of seconds greater than 0, not 'soon'"],
      [['--timeout', '0', '1'], "option '--timeout' must be a number of seconds greater than 0, not '0'"],
      [['--frobnicate', '1'], "unknown option '--frobnicate'"],
    ] as const) {
      const r = trapdoor(command, ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toContain(`trapdoor ${command}: ${named}`);
      expect(r.stderr).toContain(`Usage: trapdoor ${command} [options] <pid>`);
      expect(r.stderr).not.toMatch(/^\s+at /m);
    }
  });

  it.each(['attach', 'stack'])('%s --help', (command) => {
    const r = trapdoor(command, '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: trapdoor ${command} \\[options\\] <pid>`));
  });
});

describe('trapdoor instrument: bad command lines exit 2 and name the problem', () => {
  it.each([
    [['a.js', '-o', 'out.js', '--frobnicate'], "unknown option '--frobnicate'"],
    [['a.js'], "missing option '-o, --out <path>'"],
    [['a.js', '-o'], "option '-o, --out <value>' argument missing"],
    [['-o', 'out.js'], 'missing the input'],
    [['a.js', 'b.js', '-o', 'out'], 'expected one input, got 2'],
    [['a.js', '-o', 'out.js', '--module-type', 'amd'], "option '--module-type' must be esm or cjs, not 'amd'"],
    [['a.js', '-o', 'out.js', '--include', '*.js'], '--include and --exclude apply to a directory input'],
    [['a.js', '-o', 'out.js', '--inline-map=yes'], "option '--inline-map' does not take an argument"],
  ])('%j', (args, message) => {
    const r = trapdoor('instrument', ...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`trapdoor instrument: ${message}`);
    expect(r.stderr).not.toMatch(/^\s+at /m);
    expect(existsSync(join(dir, 'out.js'))).toBe(false);
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('prints its own help', () => {
    const r = trapdoor('instrument', '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: trapdoor instrument <file\|dir> -o <out>/);
    expect(r.stdout).toContain('--module-type esm|cjs');
  });
});
