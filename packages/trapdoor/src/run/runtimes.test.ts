import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseRunArgs } from '../commands/run.js';
import { CliError } from '../errors.js';
import { childCommand, denoPermissions, findIn, type DenoNeeds } from './runtimes.js';

const NEEDS: DenoNeeds = { read: ['/rt', '/app/main.ts'], net: ['127.0.0.1'], env: ['WS_X', 'TRAPDOOR_*'] };

describe('denoPermissions', () => {
  it('adds what the runtime needs when the user gave nothing', () => {
    expect(denoPermissions([], NEEDS)).toEqual(['--allow-read=/rt,/app/main.ts', '--allow-net=127.0.0.1', '--allow-env=WS_X,TRAPDOOR_*']);
  });

  it("merges into the user's scoped flags (Deno refuses a flag given twice), keeping other flags in place", () => {
    expect(denoPermissions(['--unstable-kv', '--allow-env=HOME', '--allow-net=example.com:443', '--check'], NEEDS)).toEqual([
      '--unstable-kv',
      '--check',
      '--allow-env=HOME,WS_X,TRAPDOOR_*',
      '--allow-net=example.com:443,127.0.0.1',
      '--allow-read=/rt,/app/main.ts',
    ]);
  });

  it('asks for nothing the user denies outright', () => {
    expect(denoPermissions(['--deny-net'], NEEDS)).toEqual(['--deny-net', '--allow-read=/rt,/app/main.ts', '--allow-env=WS_X,TRAPDOOR_*']);
    expect(denoPermissions(['--deny-net=example.com'], NEEDS)).toEqual(['--deny-net=example.com', '--allow-read=/rt,/app/main.ts', '--allow-net=127.0.0.1', '--allow-env=WS_X,TRAPDOOR_*']);
  });

  it('adds nothing where the user already allowed everything', () => {
    expect(denoPermissions(['-A'], NEEDS)).toEqual(['-A']);
    expect(denoPermissions(['--allow-all'], NEEDS)).toEqual(['--allow-all']);
    expect(denoPermissions(['--allow-read', '-N'], NEEDS)).toEqual(['--allow-read', '-N', '--allow-env=WS_X,TRAPDOOR_*']);
    // An unscoped flag next to a scoped one of the same kind: the unscoped one covers both.
    expect(denoPermissions(['-E', '--allow-env=HOME'], NEEDS)).toEqual(['-E', '--allow-read=/rt,/app/main.ts', '--allow-net=127.0.0.1']);
  });

  it('leaves denials alone', () => {
    expect(denoPermissions(['--deny-net=10.0.0.1'], { net: ['127.0.0.1'] })).toEqual(['--deny-net=10.0.0.1', '--allow-net=127.0.0.1']);
  });
});

describe('parseRunArgs', () => {
  it("splits trapdoor's options, the runtime's, the script and its arguments", () => {
    expect(
      parseRunArgs(['--runtime', 'deno', '--port=0', '--allow-net=x', '--include', 'src/**', '--exclude=a', 'app.ts', '--port', '1', '-h']),
    ).toEqual({
      runtime: 'deno',
      runtimeFlags: ['--allow-net=x'],
      script: 'app.ts',
      args: ['--port', '1', '-h'],
      port: '0',
      include: ['src/**'],
      exclude: ['a'],
    });
  });

  it("'--' ends the options; --help before the script is trapdoor's", () => {
    expect(parseRunArgs(['--', '--weird-name.js', 'x'])).toMatchObject({ script: '--weird-name.js', args: ['x'], runtimeFlags: [] });
    expect(parseRunArgs(['--enable-source-maps', '--help', 'app.js'])).toBe('help');
  });

  it('normalizes the signal and refuses bad values with a usage error', () => {
    expect(parseRunArgs(['--signal', 'usr1', 'a.js'])).toMatchObject({ signal: 'SIGUSR1' });
    expect(parseRunArgs(['--signal', 'None', 'a.js'])).toMatchObject({ signal: 'none' });
    const bad: Array<[string[], string]> = [
      [['--runtime', 'rust', 'a.js'], "unknown runtime 'rust': expected node, bun or deno"],
      [['--port', '70000', 'a.js'], "option '--port' must be a port number (0 to 65535), not '70000'"],
      [['--port', 'x', 'a.js'], "option '--port' must be a port number"],
      [['--signal', 'SIGNOPE', 'a.js'], "option '--signal' must be a signal name such as SIGUSR2, not 'SIGNOPE'"],
      [['--signal', 'kill', 'a.js'], 'SIGKILL cannot be caught'],
      [['--include', '', 'a.js'], "option '--include' needs a glob"],
      [['--host'], "option '--host' needs a value"],
      [['--mode', 'fast', 'a.js'], "option '--mode' must be trap"],
      [['--enable-source-maps'], 'missing the script to run'],
      [[], 'missing the script to run'],
    ];
    for (const [argv, message] of bad) {
      expect(() => parseRunArgs(argv), argv.join(' ')).toThrow(message);
      try {
        parseRunArgs(argv);
      } catch (error) {
        expect((error as CliError).code).toBe('ERR_TRAPDOOR_USAGE');
      }
    }
    expect(() => parseRunArgs(['--mode', 'debug', 'a.js'])).toThrow(expect.objectContaining({ code: 'ERR_TRAPDOOR_NOT_AVAILABLE' }));
  });
});

describe('findIn', () => {
  it('names the runtime and how to get it when it is nowhere', () => {
    const empty = mkdtempSync(join(tmpdir(), 'trapdoor-path-'));
    try {
      expect(() => findIn([empty], 'bun')).toThrow(/cannot find the bun executable: put it on PATH, install it in the project \(npm install --save-dev bun\), or name it in TRAPDOOR_BUN/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});

describe('childCommand for Deno', () => {
  it("allows reading the files Deno's require() probes beside each dependency's folder, not only the folders", () => {
    const cwd = process.cwd();
    const { args } = childCommand({ runtime: 'deno', runtimeFlags: [], script: 'app.js', args: [], host: undefined, dumpFile: undefined, cwd, env: { ...process.env, TRAPDOOR_DENO: process.execPath } });
    const read = args.find((a) => a.startsWith('--allow-read='))!.slice('--allow-read='.length).split(',');
    // @babel/parser is a dependency of the transform, required by its bare name (transform/src/parse.ts).
    const parser = read.find((dir) => /[\\/]node_modules[\\/]@babel[\\/]parser$/.test(dir));
    expect(parser).toBeDefined();
    for (const ext of ['.js', '.json', '.node']) expect(read).toContain(`${parser}${ext}`);
  });
});
