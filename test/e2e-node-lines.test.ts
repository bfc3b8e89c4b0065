/**
 * End to end on Node 22 and 24 (test/helpers/node-lines.ts installs their official binaries), where
 * the loader puts its ES module hooks on the loading thread with `module.registerHooks` instead of
 * Node 20's hooks thread (loaders/node/install.ts). The CLI runs on that Node too, as it does for a
 * user who has only that Node. A program of an ES module importing CommonJS, TypeScript (which
 * these lines strip themselves) and another ES module: the plain run's stdout, stderr and exit
 * status under `trapdoor run` and under `node --import trapdoor-js/register`, every module of the
 * program instrumented; a busy loop in an imported ES module is paused by `trapdoor stack` and a
 * CDP client at its line, with its locals, and an assignment from the client ends it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import CDP from 'chrome-remote-interface';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { position, repoRoot, TRAPDOOR_BIN as BIN, trackProcesses, watch, within } from './e2e/harness.js';
import { NODE_LINES, nodeBinary, nodeLineEnv, unsupported } from './helpers/node-lines.js';

const DIR = join(repoRoot, 'test', 'node-lines');
const scratch = mkdtempSync(join(tmpdir(), 'trapdoor-node-lines-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const tracked = trackProcesses();

const env = (extra?: NodeJS.ProcessEnv) => nodeLineEnv(join(scratch, 'cache'), extra);

let dumps = 0;

describe.skipIf(unsupported !== undefined).each(NODE_LINES)('Node %s', (version) => {
  let node = '';
  beforeAll(() => {
    node = nodeBinary(version);
  }, 300_000);

  const run = (args: string[], extra?: NodeJS.ProcessEnv) => spawnSync(node, args, { cwd: DIR, encoding: 'utf8', env: env(extra), timeout: 60_000 });

  it('is the Node it says (the binary from the registry)', () => {
    expect(run(['--version']).stdout.trim()).toBe(`v${version}`);
  });

  it.each([
    ['trapdoor run', () => [BIN, 'run', 'app.mjs']],
    ['node --import trapdoor-js/register', () => ['--import', 'trapdoor-js/register', 'app.mjs']],
    ['node --require trapdoor-js/register', () => ['--require', 'trapdoor-js/register', 'app.mjs']],
  ])('%s: the plain run\'s output, error and exit status; every module instrumented', (_name, args) => {
    const plain = run(['app.mjs']);
    expect(plain.status, plain.stderr).toBe(1);
    expect(plain.stderr).toContain('RangeError: ran out at 0');
    const dump = join(scratch, `dump-${++dumps}.json`);
    const traced = run(args(), { TRAPDOOR_DEBUG_DUMP_MODULES: dump });
    expect({ status: traced.status, stdout: traced.stdout, stderr: traced.stderr }).toEqual({ status: plain.status, stdout: plain.stdout, stderr: plain.stderr });
    expect(existsSync(dump), traced.stderr).toBe(true);
    const files = (JSON.parse(readFileSync(dump, 'utf8')) as Array<{ file: string }>).map((m) => m.file.replace(/^file:\/\//, ''));
    for (const file of ['app.mjs', 'lib/sum.cjs', 'lib/scale.ts', 'lib/spin.mjs']) expect(files).toContain(join(DIR, file));
  });

  it.each([
    ['trapdoor run', () => [BIN, 'run', '--port', '0', 'app.mjs', 'busy']],
    ['node --import trapdoor-js/register', () => ['--import', 'trapdoor-js/register', 'app.mjs', 'busy']],
  ])('%s: a busy loop in an imported ES module is paused at its line with its locals; an assignment ends it', async (_name, args) => {
    const proc = tracked.spawn(node, args(), { cwd: DIR, stdio: ['ignore', 'pipe', 'pipe'], env: env() });
    const watched = watch(proc, `node ${args().join(' ')}`);
    const exited = watched.closed;
    await watched.line(/^busy$/);
    const spin = join(DIR, 'lib', 'spin.mjs');
    const loop = position(spin, 'while (spins');

    const trapdoor = (...rest: string[]) => spawnSync(node, [BIN, ...rest], { cwd: repoRoot, encoding: 'utf8', env: env(), timeout: 60_000 });
    const stack = trapdoor('stack', '--json', String(proc.pid));
    expect({ status: stack.status, stderr: stack.stderr }, watched.describe()).toEqual({ status: 0, stderr: '' });
    const report = JSON.parse(stack.stdout);
    expect(report.frames[0]).toMatchObject({ file: spin, line: loop.line, column: loop.column });
    expect(report.locals).toContainEqual({ name: 'spins', value: expect.stringMatching(/^\d+$/) });

    const attached = trapdoor('attach', '--json', String(proc.pid));
    expect({ status: attached.status, stderr: attached.stderr }, watched.describe()).toEqual({ status: 0, stderr: '' });
    const client = tracked.client(await CDP({ target: JSON.parse(attached.stdout).wsUrl, local: true }));
    await client.Debugger.enable();
    const paused = new Promise<any>((resolve) => client.once('Debugger.paused', resolve));
    await client.Debugger.pause();
    const top = (await paused).callFrames[0];
    expect(top.url).toBe(`file://${spin}`);
    expect(top.location).toMatchObject({ lineNumber: loop.line - 1, columnNumber: loop.column - 1 });
    const spins = await client.Debugger.evaluateOnCallFrame({ callFrameId: top.callFrameId, expression: 'spins' });
    expect(spins.result).toMatchObject({ type: 'number' });
    await client.Debugger.evaluateOnCallFrame({ callFrameId: top.callFrameId, expression: 'spins = -10' });
    await client.Debugger.resume();
    const end = await within(exited, 'the program to end', watched.describe);
    expect(end.code, watched.describe()).toBe(0);
    // The check is at the top of the loop's body: the assignment is seen there, then `spins++` runs once more.
    expect(watched.stdout()).toContain('spun -9');
  });
});
