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

  it('names an unknown command or option in one line, points to --help, exits 2', () => {
    for (const [args, named] of [
      [['frobnicate'], "unknown command 'frobnicate'"],
      [['--frobnicate'], "unknown option '--frobnicate'"],
      [['-x'], "unknown option '-x'"],
    ] as const) {
      const r = trapdoor(...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(`trapdoor: ${named}\nRun 'trapdoor --help' for usage.\n`);
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
      // One line and a pointer to the usage, not the usage itself (it would scroll the error away).
      expect(r.stderr).toBe(`trapdoor ${command}: ${named}\nRun 'trapdoor ${command} --help' for usage.\n`);
    }
  });

  it.each(['attach', 'stack'])('%s --help', (command) => {
    const r = trapdoor(command, '--help');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`^Usage: trapdoor ${command} \\[options\\] <pid>`));
  });
});

describe('trapdoor run: bad options exit 2 in one line, before anything starts', () => {
  it.each([
    [['--port', '65536', 'prints.js'], "option '--port' must be a port number (0 to 65535), not '65536'"],
    [['--port', '1.5', 'prints.js'], "option '--port' must be a port number (0 to 65535), not '1.5'"],
    [['--port=-1', 'prints.js'], "option '--port' must be a port number (0 to 65535), not '-1'"],
    [['--host', '999.1.1.1', 'prints.js'], "option '--host' must be an IP address or a host name, not '999.1.1.1'"],
    [['--host', 'not a host', 'prints.js'], "option '--host' must be an IP address or a host name, not 'not a host'"],
    [['--host=[1.2.3.4]', 'prints.js'], "option '--host' must be an IP address or a host name, not '[1.2.3.4]'"],
    [['--runtime', 'rust', 'prints.js'], "unknown runtime 'rust': expected node, bun or deno"],
    [['--signal', 'SIGNOPE', 'prints.js'], "option '--signal' must be a signal name such as SIGUSR2, not 'SIGNOPE'"],
    [['--port'], "option '--port' needs a value"],
  ])('%j', (args, message) => {
    // prints.js would print if it ran: nothing may run.
    writeFileSync(join(dir, 'prints.js'), "console.log('ran');\n");
    const r = trapdoor('run', ...args);
    expect(r).toEqual({ code: 2, stdout: '', stderr: `trapdoor run: ${message}\nRun 'trapdoor run --help' for usage.\n` });
  });

  it('accepts IP addresses and host names for --host', () => {
    writeFileSync(join(dir, 'prints.js'), "console.log('ran');\n");
    for (const host of ['127.0.0.1', '0.0.0.0', '::', '[::1]', 'localhost', 'my-host.example']) {
      expect(trapdoor('run', '--host', host, 'prints.js'), host).toEqual({ code: 0, stdout: 'ran\n', stderr: '' });
    }
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
    [['a.js', '-o', 'out.js', '--include', '*.js'], '--include and --exclude apply to a directory input, not to a single file'],
    [['a.js', '-o', 'out.js', '--inline-map=yes'], "option '--inline-map' does not take an argument"],
  ])('%j', (args, message) => {
    const r = trapdoor('instrument', ...args);
    expect(r.code).toBe(2);
    const lines = r.stderr.split('\n');
    expect(lines[0]!.startsWith(`trapdoor instrument: ${message}`), r.stderr).toBe(true);
    // One line, and a pointer to --help for a bad option (not the whole usage).
    expect(lines.slice(1)).toEqual(message.startsWith('--include') ? [''] : ["Run 'trapdoor instrument --help' for usage.", '']);
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
