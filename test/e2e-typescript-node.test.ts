/**
 * End to end: TypeScript programs on Node 20 (which cannot run them itself), through the built CLI
 * (`trapdoor run app.ts`), through `node --import|--require trapdoor-js/register` run from the
 * program's folder, and composed with tsx and ts-node in either order. The plain run is the same
 * program under tsx alone (ts-node alone for the ts-node compositions): the same output and exit
 * status; an uncaught error names the .ts file at its own line and column, with the file's own
 * line as the excerpt; a syntax error is reported with file:line:column; a busy program is
 * attached to and paused at its .ts line. The fixtures (test/typescript-node) have an interface,
 * generics, an enum and parameter properties (which types-only stripping rejects), type-only
 * imports, and imports of other .ts files (with the extension, without, and .cts).
 */
import { type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import CDP from 'chrome-remote-interface';
import { afterAll, describe, expect, it } from 'vitest';
import { position, repoRoot, trackProcesses, watch, within } from './e2e/harness.js';

const BIN = join(repoRoot, 'packages', 'trapdoor', 'bin', 'trapdoor.js');
const FIXTURES = join(repoRoot, 'test', 'typescript-node');
const scratch = mkdtempSync(join(tmpdir(), 'trapdoor-ts-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const tracked = trackProcesses();

interface Running {
  proc: ChildProcess;
  stdout(): string;
  stderr(): string;
  line(pattern: RegExp): Promise<void>;
  exited: Promise<{ code: number | null; stdout: string; stderr: string }>;
  describe(): string;
}

/** `node <args>` in `cwd`, with trapdoor's module dump written to `dump` when given. */
function node(args: string[], cwd: string, dump?: string): Running {
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', TS_NODE_TRANSPILE_ONLY: '1' };
  delete env.NODE_OPTIONS;
  if (dump !== undefined) env.TRAPDOOR_DEBUG_DUMP_MODULES = dump;
  const proc = tracked.spawn(process.execPath, args, { cwd, stdio: ['ignore', 'pipe', 'pipe'], env });
  const watched = watch(proc, `node ${args.join(' ')} (in ${cwd})`);
  const exited = within(
    watched.closed.then(({ code }) => {
      tracked.forget(proc);
      return { code, stdout: watched.stdout(), stderr: watched.stderr() };
    }),
    'the program to end',
    watched.describe,
  );
  return { proc, ...watched, exited };
}

let dumps = 0;
async function runTo(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; stderr: string; modules: Array<{ file: string; sites: number; sources: string[] }> }> {
  const dump = join(scratch, `dump-${++dumps}.json`);
  const result = await node(args, cwd, dump).exited;
  let modules = [];
  try {
    modules = JSON.parse(readFileSync(dump, 'utf8'));
  } catch {
    // not instrumented at all: the caller's expectations say so
  }
  return { ...result, modules };
}

type Fixture = 'esm' | 'cjs';

/**
 * How each launcher starts the fixture's app.ts, and its plain run (the same without trapdoor).
 * tsx alone is the plain run of trapdoor's own stripping too: Node 20 has no other.
 */
interface Launcher {
  name: string;
  args: string[];
  plain: string[];
  fixtures: Fixture[];
}

const TSX = ['--import', 'tsx'];
/** Node's warnings name the process: `(node:1234) [CODE] Warning: …`. */
const anyPid = (text: string) => text.replace(/^\(node:\d+\)/gm, '(node:PID)');
/**
 * What Node warns about app.ts's module type where it strips TypeScript itself (22.18+, 24:
 * MODULE_TYPELESS_PACKAGE_JSON for an ES module in a package without "type"), as it prints it for a
 * module of its own in a package like the fixture's: the fixture's own plain run fails on
 * `./lib/sum.js` (only tsx resolves it to sum.ts), on Node 22 before the warning is printed.
 * '' on Node 20, which runs no .ts file.
 */
let typelessWarning: Promise<{ warning: string; probe: string }> | undefined;
async function nodesOwnWarning(dir: string): Promise<string> {
  typelessWarning ??= (async () => {
    const probe = mkdtempSync(join(scratch, 'typeless-'));
    if (!(process.features as { typescript?: string | false }).typescript) return { warning: '', probe };
    writeFileSync(join(probe, 'package.json'), '{}\n');
    writeFileSync(join(probe, 'app.ts'), 'export const typed: number = 1;\n');
    const run = await node(['app.ts'], probe).exited;
    expect(run.code, run.stderr).toBe(0);
    return { warning: anyPid(run.stderr), probe };
  })();
  const { warning, probe } = await typelessWarning;
  return warning.replaceAll(pathToFileURL(probe).href, pathToFileURL(dir).href).replaceAll(probe, dir);
}
const launchers: Launcher[] = [
  { name: 'trapdoor run app.ts', args: [BIN, 'run', '--port', '0'], plain: TSX, fixtures: ['esm', 'cjs'] },
  { name: 'node --import trapdoor-js/register', args: ['--import', 'trapdoor-js/register'], plain: TSX, fixtures: ['esm', 'cjs'] },
  { name: 'node --require trapdoor-js/register', args: ['--require', 'trapdoor-js/register'], plain: TSX, fixtures: ['esm', 'cjs'] },
  { name: 'trapdoor run --import=tsx', args: [BIN, 'run', '--port', '0', '--import=tsx'], plain: TSX, fixtures: ['esm', 'cjs'] },
  { name: 'node --import tsx --import trapdoor-js/register', args: [...TSX, '--import', 'trapdoor-js/register'], plain: TSX, fixtures: ['esm', 'cjs'] },
  { name: 'node --import trapdoor-js/register --import tsx', args: ['--import', 'trapdoor-js/register', ...TSX], plain: TSX, fixtures: ['esm', 'cjs'] },
  { name: 'node --require tsx/cjs --require trapdoor-js/register', args: ['--require', 'tsx/cjs', '--require', 'trapdoor-js/register'], plain: ['--require', 'tsx/cjs'], fixtures: ['cjs'] },
  { name: 'node --require trapdoor-js/register --require tsx/cjs', args: ['--require', 'trapdoor-js/register', '--require', 'tsx/cjs'], plain: ['--require', 'tsx/cjs'], fixtures: ['cjs'] },
  { name: 'trapdoor run --require=ts-node/register', args: [BIN, 'run', '--port', '0', '--require=ts-node/register'], plain: ['--require', 'ts-node/register'], fixtures: ['cjs'] },
  { name: 'node --require ts-node/register --require trapdoor-js/register', args: ['--require', 'ts-node/register', '--require', 'trapdoor-js/register'], plain: ['--require', 'ts-node/register'], fixtures: ['cjs'] },
  { name: 'node --require trapdoor-js/register --require ts-node/register', args: ['--require', 'trapdoor-js/register', '--require', 'ts-node/register'], plain: ['--require', 'ts-node/register'], fixtures: ['cjs'] },
];

const FILES: Record<Fixture, string[]> = { esm: ['app.ts', 'shapes.ts', 'counter.ts'], cjs: ['app.ts', 'shapes.ts', 'counter.cts'] };

/** `position` in a fixture file, with the text of its line (what an error's code frame shows). */
function sourcePosition(file: string, text: string): { line: number; column: number; source: string } {
  const at = position(file, text);
  return { ...at, source: readFileSync(file, 'utf8').split('\n')[at.line - 1]! };
}

/** The frames of a stack trace in the fixture's own files, as file:line:column. */
function ownFrames(stderr: string, dir: string): string[] {
  return stderr
    .split('\n')
    .filter((l) => /^\s+at /.test(l) && l.includes(dir))
    .map((l) => /((?:file:\/\/)?\/[^\s()]+:\d+:\d+)\)?$/.exec(l)?.[1] ?? l);
}

const plainRuns = new Map<string, Promise<{ code: number | null; stdout: string; stderr: string }>>();
function plain(args: string[], fixture: Fixture, mode?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const key = JSON.stringify([args, fixture, mode]);
  if (!plainRuns.has(key)) plainRuns.set(key, node([...args, 'app.ts', ...(mode ? [mode] : [])], join(FIXTURES, fixture)).exited);
  return plainRuns.get(key)!;
}

describe.each(['esm', 'cjs'] as const)('TypeScript on Node (%s)', (fixture) => {
  const dir = join(FIXTURES, fixture);
  const ours = launchers.filter((l) => l.fixtures.includes(fixture));

  it.each(ours)('$name: the output and exit status of the plain run; every .ts module instrumented', async ({ args, plain: plainArgs }) => {
    const reference = await plain(plainArgs, fixture);
    expect(reference.code, reference.stderr).toBe(0);
    expect(reference.stdout).toContain(`${fixture}: 2 shapes, largest circle (13)`);
    const run = await runTo([...args, 'app.ts'], dir);
    expect(run.stderr).toBe(reference.stderr);
    expect(run.stdout).toBe(reference.stdout);
    expect(run.code).toBe(0);
    for (const file of FILES[fixture]) {
      const module = run.modules.find((m) => m.file === join(dir, file));
      expect(module, `${file} in ${JSON.stringify(run.modules)}`).toBeDefined();
      expect(module!.sites).toBeGreaterThan(0);
      expect(module!.sources).toEqual([join(dir, file)]);
    }
  });

  it.each(ours.filter((l) => l.args.some((a) => a.includes('tsx'))))('$name: TSX compiled by tsx is instrumented as the JavaScript it is', async ({ args, plain: plainArgs }) => {
    const reference = await node([...plainArgs, 'view.tsx'], dir).exited;
    expect(reference).toMatchObject({ code: 0, stdout: '<ul class="names"><li>tsx</li>,<li>jsx</li></ul>\n' });
    const run = await runTo([...args, 'view.tsx'], dir);
    expect({ code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual(reference);
    expect(run.modules.find((m) => m.file === join(dir, 'view.tsx'))?.sites).toBeGreaterThan(0);
  });

  it.each(ours)("$name: an uncaught error names the .ts files at their own lines and columns, with the file's own line as the excerpt", async ({ args, plain: plainArgs }) => {
    const reference = await plain(plainArgs, fixture, 'throw');
    const run = await runTo([...args, 'app.ts', 'throw'], dir);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout, run.stderr).toBe(reference.stdout);
    const thrown = sourcePosition(join(dir, 'shapes.ts'), 'new RangeError');
    const caller = position(join(dir, 'app.ts'), 'check({');
    const frames = ownFrames(run.stderr, dir);
    expect(frames.slice(0, 2), run.stderr).toEqual([`${join(dir, 'shapes.ts')}:${thrown.line}:${thrown.column}`, `${join(dir, 'app.ts')}:${caller.line}:${caller.column}`]);
    // As in the plain run, frame for frame (tsx's own wrapper function adds one in CommonJS).
    expect(ownFrames(reference.stderr, dir).slice(0, 2)).toEqual(frames.slice(0, 2));
    expect(run.stderr).toContain(`${join(dir, 'shapes.ts')}:${thrown.line}\n${thrown.source}\n`);
    expect(run.stderr).toContain('RangeError: negative size -1\n');
    expect(run.stderr).not.toContain('__td');
  });
});

describe('TypeScript on Node without a package "type"', () => {
  const dir = join(FIXTURES, 'untyped');
  const files = ['app.ts', 'lib/sum.ts', 'helper.ts'];
  it.each(launchers.filter((l) => l.fixtures.includes('esm')))(
    '$name: each file by its syntax (ESM, CommonJS), ./lib/sum.js resolved to sum.ts, as tsx runs it',
    async ({ args, plain: plainArgs }) => {
      const reference = await node([...plainArgs, 'app.ts'], dir).exited;
      expect(reference).toMatchObject({ code: 0, stdout: 'untyped 6\n42\n', stderr: '' });
      const run = await runTo([...args, 'app.ts'], dir);
      // Where Node strips types itself, a launcher without tsx leaves app.ts's module type to Node,
      // which warns as it does for plain `node app.ts` (tsx decides the type itself and does not).
      const own = !args.some((a) => a.includes('tsx'));
      expect({ code: run.code, stdout: run.stdout, stderr: anyPid(run.stderr) }).toEqual({ ...reference, stderr: own ? await nodesOwnWarning(dir) : '' });
      expect(run.modules.map((m) => m.file).sort()).toEqual(files.map((f) => join(dir, f)).sort());
    },
  );

  it('--exclude: an excluded .ts file is not instrumented, and still runs (stripped)', async () => {
    const run = await runTo([BIN, 'run', '--exclude', 'lib/**', 'app.ts'], dir);
    expect({ code: run.code, stdout: run.stdout, stderr: anyPid(run.stderr) }).toEqual({ code: 0, stdout: 'untyped 6\n42\n', stderr: await nodesOwnWarning(dir) });
    expect(run.modules.map((m) => m.file).sort()).toEqual([join(dir, 'app.ts'), join(dir, 'helper.ts')]);
  });
});

describe('TypeScript syntax errors', () => {
  const cases = [
    { name: 'an ES module (ES module loader)', dir: 'broken', script: 'app.ts', file: 'parse.ts' },
    { name: 'a .cts file (CommonJS loader)', dir: 'broken', script: 'app.cts', file: 'parse.cts' },
    { name: 'a CommonJS .ts file required from CommonJS', dir: 'broken-cjs', script: 'app.ts', file: 'parse.ts' },
  ];
  it.each(cases)('$name: file:line:column, the reason and the line itself; nothing of trapdoor', async ({ dir, script, file }) => {
    const cwd = join(FIXTURES, dir);
    const run = await runTo([BIN, 'run', script], cwd);
    const where = sourcePosition(join(cwd, file), ': =');
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout, run.stderr).toBe('');
    expect(run.stderr).toContain(`${join(cwd, file)}:${where.line}\n${where.source}\n${' '.repeat(where.column + 1)}^\n`);
    expect(run.stderr).toContain(`SyntaxError: ${join(cwd, file)}:${where.line}:${where.column + 2}: Unexpected token \`=\``);
    expect(run.stderr).not.toContain('__td');
    expect(run.stderr).not.toMatch(/packages[\\/]trapdoor|trapdoor-js/);
  });
});

/** The real CLI, run to completion (the program keeps running meanwhile). */
async function trapdoor(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return node([BIN, ...args], repoRoot).exited;
}

describe.each([
  { name: 'trapdoor run app.ts', fixture: 'esm', args: [BIN, 'run', '--port', '0'] },
  { name: 'trapdoor run app.ts', fixture: 'cjs', args: [BIN, 'run', '--port', '0'] },
  { name: 'node --import trapdoor-js/register', fixture: 'cjs', args: ['--import', 'trapdoor-js/register'] },
  { name: 'trapdoor run --import=tsx', fixture: 'esm', args: [BIN, 'run', '--port', '0', '--import=tsx'] },
  { name: 'node --require ts-node/register --require trapdoor-js/register', fixture: 'cjs', args: ['--require', 'ts-node/register', '--require', 'trapdoor-js/register'] },
] as const)('a busy TypeScript program: $name ($fixture)', ({ fixture, args }) => {
  it('is attached to; trapdoor stack and a CDP client see the .ts line and its locals; an assignment ends the loop', async () => {
    const dir = join(FIXTURES, fixture);
    const app = join(dir, 'app.ts');
    const running = node([...args, 'app.ts', 'busy'], dir);
    await running.line(/^busy$/);
    const loop = position(app, 'while (spins'); // a loop's check reports the loop statement

    const stack = await trapdoor('stack', '--json', String(running.proc.pid));
    expect(stack, running.describe()).toMatchObject({ code: 0, stderr: '' });
    const report = JSON.parse(stack.stdout);
    expect(report.frames[0]).toMatchObject({ file: app, line: loop.line, column: loop.column });
    expect(report.locals).toContainEqual({ name: 'spins', value: expect.stringMatching(/^\d+$/) });

    const attached = await trapdoor('attach', '--json', String(running.proc.pid));
    expect(attached, running.describe()).toMatchObject({ code: 0, stderr: '' });
    const client = await CDP({ target: JSON.parse(attached.stdout).wsUrl, local: true });
    tracked.client(client);
    await client.Debugger.enable();
    const paused = new Promise<any>((resolve) => client.once('Debugger.paused', resolve));
    await client.Debugger.pause();
    const event = await paused;
    const top = event.callFrames[0];
    expect(top.url).toBe(`file://${app}`);
    expect(top.location).toMatchObject({ lineNumber: loop.line - 1, columnNumber: loop.column - 1 });
    const spins = await client.Debugger.evaluateOnCallFrame({ callFrameId: top.callFrameId, expression: 'spins' });
    expect(spins.result).toMatchObject({ type: 'number' });
    await client.Debugger.evaluateOnCallFrame({ callFrameId: top.callFrameId, expression: 'spins = -10' });
    await client.Debugger.resume();
    const end = await running.exited;
    expect(end.code, running.describe()).toBe(0);
  });
});
