/**
 * The bundler adapters end to end: test/adapters/project (TypeScript, three modules) built by
 * Vite (SSR), Rollup, Rolldown, esbuild, webpack, Rspack and Bun.build, with and without
 * `trapdoor-js/<tool>`. The instrumented build must run exactly like the plain one, and a real
 * client must attach to it from outside (`trapdoor attach`), pause the busy loop at its original
 * .ts line with its locals, change one and let the program finish.
 */
import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import { originalPositionFor, TraceMap } from '@jridgewell/trace-mapping';
import CDP from 'chrome-remote-interface';
import { describe, expect, it } from 'vitest';
import { build, buildDir, projectDir, runCompiler, TOOLS, type Built, type Tool } from './adapters/build.js';
import { repoRoot, trackProcesses, within } from './e2e/harness.js';

const BIN = join(repoRoot, 'packages', 'trapdoor', 'bin', 'trapdoor.js');
const BUN = join(repoRoot, 'node_modules', '.bin', 'bun');
const command = (built: Built): string => (built.runtime === 'node' ? process.execPath : BUN);

const tracked = trackProcesses();

function runToEnd(built: Built, ...args: string[]) {
  const result = spawnSync(command(built), [built.file, ...args], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

/** The checks in a build's output (one bundle, or a file per module for Babel), however the bundler renamed the control block. */
const checksIn = (code: string): number => (code.match(/[\w$.]+\[["']?1["']?\] ?= ?\d+, ?(?:0 ?!== ?)?[\w$.]+\[["']?0["']?\]/g) ?? []).length;
const checks = (file: string): number =>
  readdirSync(dirname(file))
    .filter((name) => /\.[cm]?js$/.test(name))
    .reduce((n, name) => n + checksIn(readFileSync(join(dirname(file), name), 'utf8')), 0);

/** Where the first match of `probe` in a built file comes from, through the file's own map. */
function originalOf(file: string, probe: RegExp): { source: string | null; line: number | null; column: number | null } | undefined {
  const lines = readFileSync(file, 'utf8').split('\n');
  const map = new TraceMap(readFileSync(`${file}.map`, 'utf8'), file);
  for (let i = 0; i < lines.length; i++) {
    const match = probe.exec(lines[i]!);
    if (match === null) continue;
    const { source, line, column } = originalPositionFor(map, { line: i + 1, column: match.index });
    return { source: source === null ? null : source.slice(source.lastIndexOf('/') + 1), line, column };
  }
  return undefined;
}

/** The `sourcesContent` a built file's map gives for the source named `name` (by its last path segment). */
function sourcesContentOf(file: string, name: string): string | null | undefined {
  const map = JSON.parse(readFileSync(`${file}.map`, 'utf8')) as { sources: string[]; sourcesContent?: (string | null)[] };
  const i = map.sources.findIndex((s) => s.endsWith(`/${name}`) || s === name);
  return i < 0 ? undefined : (map.sourcesContent?.[i] ?? null);
}

/** The lines (1-based) of the sites of the module `name` in a built bundle, as its table (JSON text in the bundle) gives them. */
function siteLines(built: Built, name: string): number[] {
  const text = readFileSync(built.file, 'utf8');
  const at = new RegExp(`"file\\\\?":\\\\?"[^"\\\\]*/${name}\\\\?","sites\\\\?":(\\[\\[.*?\\]\\])`).exec(text);
  if (at === null) throw new Error(`no table of ${name} in ${built.file}`);
  return (JSON.parse(at[1]!.replace(/\\"/g, '"')) as number[][]).map((site) => site[1]!);
}

/** Runs the busy path, attaches from outside, pauses, checks the top frame and its locals, ends the loop. */
async function attachAndFinish(
  built: Built,
  env: NodeJS.ProcessEnv = process.env,
  caller = true,
  cwd = repoRoot,
  whilePaused?: (client: any, event: any) => Promise<void>,
): Promise<void> {
  const proc = spawn(command(built), [built.file, 'busy'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  tracked.track(proc);
  let stdout = '';
  let stderr = '';
  proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const describeRun = () => `stdout:\n${stdout}\nstderr:\n${stderr}`;
  const exited = new Promise<{ code: number | null; signal: string | null }>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  await within(
    new Promise<void>((resolve) => {
      const check = () => (stdout.includes('spinning\n') ? resolve() : setTimeout(check, 20));
      check();
    }),
    'the program to spin',
    describeRun,
  );

  const attach = spawnSync(process.execPath, [BIN, 'attach', '--json', String(proc.pid)], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
  expect(attach, describeRun()).toMatchObject({ status: 0, stderr: '' });
  const { wsUrl } = JSON.parse(attach.stdout);
  const client = await within(CDP({ target: wsUrl, local: true }), 'chrome-remote-interface to connect', describeRun);
  tracked.client(client);
  await client.Runtime.enable();
  await client.Debugger.enable();
  const paused = new Promise<any>((resolve) => client.once('Debugger.paused', resolve));
  await client.Debugger.pause();
  const event = await within(paused, 'Debugger.paused', describeRun);
  const top = event.callFrames[0];
  const sources = built.sourceDir ?? join(projectDir, 'src');
  // `while (found === null) {` in src/spin.ts: line 5, column 3 (CDP counts from 0).
  expect(top).toMatchObject({ functionName: 'spin', url: `file://${join(sources, 'spin.ts')}`, location: { lineNumber: 4, columnNumber: 2 } });
  // The caller, through the bundle's own map: `const found = spin(1000);`, line 24 of src/main.ts.
  if (caller) expect(event.callFrames[1], describeRun()).toMatchObject({ url: `file://${join(sources, 'main.ts')}`, location: { lineNumber: 23 } });
  await whilePaused?.(client, event);
  const local = top.scopeChain.find((scope: any) => scope.type === 'local');
  const { result: properties } = await client.Runtime.getProperties({ objectId: local.object.objectId, ownProperties: true });
  const values = Object.fromEntries(properties.map((p: any) => [p.name, p.value?.value ?? p.value?.subtype ?? p.value?.type]));
  expect(values).toMatchObject({ limit: 1000, found: 'null' });
  expect(values.attempts).toBeGreaterThan(0);
  const set = await client.Debugger.evaluateOnCallFrame({ callFrameId: top.callFrameId, expression: 'found = attempts' });
  expect(set.result.type).toBe('number');
  await client.Debugger.resume();
  expect(await within(exited, 'the program to exit', describeRun)).toEqual({ code: 0, signal: null });
  expect(stdout).toContain('found a positive number\n');
  expect(stderr.match(/Debugger listening on/g)).toHaveLength(1);
}

describe.each(TOOLS)('trapdoor-js/%s', (tool) => {
  it('builds a program that runs exactly like the plain build', async () => {
    const plain = await build(tool, false);
    const instrumented = await build(tool, true);
    expect(checks(plain.file)).toBe(0);
    // Every loop and function of the three modules, whatever the bundler inlined or renamed.
    expect(checks(instrumented.file)).toBeGreaterThanOrEqual(6);
    const expected = runToEnd(plain);
    expect(expected).toMatchObject({ status: 0, stderr: '' });
    expect(expected.stdout).toContain('longest below 3000: 2919 (216 steps)');
    expect(runToEnd(instrumented)).toEqual(expected);
    // The bundle's map chains trapdoor's: a place in the output maps back to the same original
    // place as in the plain build, also on a line where a check was inserted before it.
    for (const probe of [/["']spinning["']/, /["']steps=["']/, /found === null/]) {
      const plainAt = originalOf(plain.file, probe);
      if (plainAt === undefined) continue; // minified away
      expect(plainAt.line).not.toBeNull();
      const at = originalOf(instrumented.file, probe);
      // Bun.build ignores the maps of onLoad plugins (oven-sh/bun#6173): its output map treats the
      // instrumented text as the source, so lines hold (no check inserts a newline) and columns
      // after a check do not. The debugger's positions come from the site table and stay exact.
      if (tool === 'bun') expect({ ...at, column: null }, String(probe)).toEqual({ ...plainAt, column: null });
      else expect(at, String(probe)).toEqual(plainAt);
    }
    // The map's text of each source is the file as written, as in the plain build's map.
    if (tool !== 'bun') expect(sourcesContentOf(instrumented.file, 'spin.ts')).toBe(sourcesContentOf(plain.file, 'spin.ts'));
  });

  it('can be attached to from outside: paused at the original .ts line, locals read and written', async () => {
    // Rspack: its minifier inlines `spin` into the caller, so the engine has no caller frame to show.
    await attachAndFinish(await build(tool, true), process.env, tool !== 'rspack');
  });
});

describe('a module stuck in a call before it registers (its bindings follow its last line)', () => {
  // test/adapters/footer/main.mjs and main.ts have code on line 1 and no code-free line (as
  // @rollup/plugin-typescript's output can), so their runtime bindings follow the last line and the
  // module registers only when its body ends, which the loop it calls never lets it do (line-1
  // errors keep the plain run's excerpt that way, issue 7). The debugger still places its frames:
  // in a bundle it reads the module's table from the bundle's text (module-tables.ts), so its
  // script has its sites too; under `trapdoor run` of TypeScript it takes the map Node keeps for the
  // instrumented code (file-maps.ts).
  const footer = join(repoRoot, 'test', 'adapters', 'footer');

  /** Starts `argv`, pauses it from outside, checks the first three frames (1-based positions), runs `whilePaused`, ends the loop. */
  async function pauseStuck(argv: string[], frames: Array<{ url: string; line: number; column: number }>, whilePaused?: (client: any, event: any) => Promise<void>) {
    const proc = spawn(process.execPath, argv, { cwd: repoRoot, stdio: ['ignore', 'pipe', 'pipe'] });
    tracked.track(proc);
    let stdout = '';
    let stderr = '';
    proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    proc.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const describeRun = () => `stdout:\n${stdout}\nstderr:\n${stderr}`;
    const exited = new Promise((resolve) => proc.on('exit', (code) => resolve(code)));
    await within(new Promise<void>((resolve) => { const check = () => (stdout.includes('spinning') ? resolve() : setTimeout(check, 20)); check(); }), 'the program to spin', describeRun);
    const attach = spawnSync(process.execPath, [BIN, 'attach', '--json', String(proc.pid)], { cwd: repoRoot, encoding: 'utf8', timeout: 60_000 });
    expect(attach.status, attach.stderr + describeRun()).toBe(0);
    const client = await within(CDP({ target: JSON.parse(attach.stdout).wsUrl, local: true }), 'chrome-remote-interface to connect', describeRun);
    tracked.client(client);
    await client.Runtime.enable();
    await client.Debugger.enable();
    const paused = new Promise<any>((resolve) => client.once('Debugger.paused', resolve));
    await client.Debugger.pause();
    const event = await within(paused, 'Debugger.paused', describeRun);
    const seen = event.callFrames.map((frame: any) => ({ url: frame.url, line: frame.location.lineNumber + 1, column: frame.location.columnNumber + 1 }));
    expect(seen.slice(0, 3), describeRun()).toEqual(frames);
    await whilePaused?.(client, event);
    await client.Debugger.evaluateOnCallFrame({ callFrameId: event.callFrames[0].callFrameId, expression: 'found = attempts' });
    await client.Debugger.resume();
    expect(await within(exited, 'the program to exit', describeRun)).toBe(0);
    expect(stdout).toContain('found a positive number\n');
  }

  /** spin's loop; `spin(n)` in twice; `twice(…)` at the top level of `entry` (1-based, as an editor counts). */
  const expected = (entry: string) => {
    const line2 = readFileSync(join(footer, entry), 'utf8').split('\n')[1]!;
    return [
      { url: `file://${join(footer, 'spin.mjs')}`, line: 5, column: 3 },
      { url: `file://${join(footer, entry)}`, line: 2, column: line2.indexOf('spin(n)') + 1 },
      { url: `file://${join(footer, entry)}`, line: 2, column: line2.indexOf('twice(process') + 1 },
    ];
  };

  it.each(['rollup', 'esbuild'] as const)('%s bundle: the entry is known from its table while stuck: its frames placed, its sites known', async (tool) => {
    const built = await build(tool, true, { include: [join(footer, '**')] }, join(footer, 'main.mjs'));
    const text = readFileSync(built.file, 'utf8');
    // The entry registers after the call that spins.
    expect(text.search(/twice\(process\.argv/)).toBeLessThan(text.lastIndexOf('import.meta.url'));
    await pauseStuck([built.file, 'busy'], expected('main.mjs'), async (client, event) => {
      // Its script has its sites: twice's entry check, line 2.
      const scriptId = event.callFrames[1].location.scriptId;
      const { locations } = await client.Debugger.getPossibleBreakpoints({ start: { scriptId, lineNumber: 0, columnNumber: 0 }, end: { scriptId, lineNumber: 3, columnNumber: 0 } });
      const line2 = readFileSync(join(footer, 'main.mjs'), 'utf8').split('\n')[1]!;
      expect(locations.map((at: any) => [at.lineNumber + 1, at.columnNumber + 1])).toContainEqual([2, line2.indexOf('(n) =>') + 1]);
    });
  });

  it('trapdoor run of a TypeScript entry: its frames at their .ts lines and columns', async () => {
    await pauseStuck([BIN, 'run', '--port', '0', join(footer, 'main.ts'), 'busy'], expected('main.ts'));
  });
});

describe('bad input', () => {
  const broken = join(repoRoot, 'test', 'adapters', 'broken', 'main.ts');
  it.each(TOOLS)('%s: a syntax error fails the build with the file, line and column, in its own format, and writes nothing', async (tool) => {
    const failure = await build(tool, true, {}, broken).then(
      () => undefined,
      (error: Error) => error,
    );
    expect(failure).toBeInstanceOf(Error);
    // The stray `}` at line 4, column 2 (1-based): each bundler prints the place its own way.
    // Babel parses before any plugin runs: the error is Babel's own, which is what its users expect.
    if (tool !== 'babel') expect(failure!.message).toMatch(/trapdoor/);
    expect(failure!.message).toMatch(/broken\/main\.ts/);
    expect(failure!.message).toMatch(/Unexpected token/);
    if (tool !== 'bun') expect(failure!.message).toMatch(/\b4[:,( ]+[12]\b/);
    const out = buildDir(tool, true);
    expect(readdirSync(out).filter((f) => f.startsWith('main'))).toEqual([]);
  });
});

describe('adapter options', () => {
  it('an unknown or bad option fails the build by name', async () => {
    await expect(build('esbuild', true, { inclde: ['src/**'] })).rejects.toThrow(/option 'inclde': unknown option/);
    await expect(build('vite', true, { mode: 'debug' })).rejects.toThrow(/option 'mode': 'debug' is planned/);
  });

  it('exclude leaves the files it names alone', async () => {
    const built = await build('esbuild', true, { exclude: ['src/collatz.ts'] });
    const text = readFileSync(built.file, 'utf8');
    expect(text).toMatch(/function collatzSteps\(start\) \{\n\s+let n = start;/);
    expect(checks(built.file)).toBeGreaterThan(0);
  });
});

describe('webpack and Rspack after their loaders (afterLoaders: true)', () => {
  // The loaders (ts-loader, Rspack's swc-loader) compile first; trapdoor instruments their
  // JavaScript and names the .ts lines through their maps (examples/build-tools/tsconfig.json has
  // `sourceMap: true`): the same program, the same output map, the same pause as before them.
  it.each(['webpack', 'rspack'] as const)('%s: runs like the plain build, maps the same, paused at the original .ts line', async (tool) => {
    const before = siteLines(await build(tool, true), 'main.ts');
    const plain = await build(tool, false);
    const built = await build(tool, true, { afterLoaders: true });
    const text = readFileSync(built.file, 'utf8');
    // The sites name the lines of the file as written (ts-loader's output moves main.ts's lines
    // after its enum), as where the plugin runs before the loaders.
    expect(siteLines(built, 'main.ts')).toEqual(before);
    expect(checks(built.file)).toBeGreaterThanOrEqual(6);
    // No TypeScript went through the loaders a second time: the bundle is JavaScript the loaders wrote.
    expect(text).not.toMatch(/: any\b/);
    expect(runToEnd(built)).toEqual(runToEnd(plain));
    for (const probe of [/["']spinning["']/, /["']steps=["']/]) {
      const plainAt = originalOf(plain.file, probe);
      if (plainAt !== undefined) expect(originalOf(built.file, probe), String(probe)).toEqual(plainAt);
    }
    await attachAndFinish(built, process.env, tool !== 'rspack');
  });

  it('webpack: a loader that makes no map is named in the build warnings', async () => {
    const webpack = (await import('webpack')).default;
    const plugin = (await import('trapdoor-js/webpack')).default;
    const dir = mkdtempSync(join(tmpdir(), 'trapdoor-after-loaders-'));
    const out = `${buildDir('webpack', true)}-no-map`;
    const tsconfig = join(dir, 'tsconfig.json');
    writeFileSync(tsconfig, JSON.stringify({ compilerOptions: { target: 'ES2022', module: 'ESNext', moduleResolution: 'Bundler', sourceMap: false, skipLibCheck: true }, include: [join(projectDir, 'src')] }));
    try {
      const compiler = webpack({
        mode: 'development',
        target: 'node',
        context: projectDir,
        entry: './src/main.ts',
        devtool: 'source-map',
        // Where the runtime is installed (a bundle keeps it external).
        output: { path: out, filename: 'main.cjs' },
        resolve: { extensions: ['.ts', '.js'] },
        module: { rules: [{ test: /\.ts$/, loader: 'ts-loader', options: { transpileOnly: true, configFile: tsconfig } }] },
        plugins: [plugin({ afterLoaders: true })],
      });
      const stats = await new Promise<any>((resolve, reject) => compiler.run((error, result) => compiler.close(() => (error ? reject(error) : resolve(result)))));
      expect(stats.hasErrors(), stats.toString('errors-only')).toBe(false);
      const warnings = stats.compilation.warnings.map((w: Error) => w.message);
      expect(warnings).toContainEqual(expect.stringMatching(/option 'afterLoaders': 3 modules \(the first: .*\.ts\) came from the loaders before trapdoor changed and without a source map.*sourceMap: true/));
      // It still builds a program that runs as the plain one does.
      expect(runToEnd({ file: join(out, 'main.cjs'), runtime: 'node' }).stdout).toContain('longest below 3000: 2919 (216 steps)');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('is refused by name where there are no loaders', async () => {
    await expect(build('esbuild', true, { afterLoaders: true })).rejects.toThrow(/option 'afterLoaders': is for webpack and Rspack/);
    await expect(build('webpack', true, { afterLoaders: 'yes' })).rejects.toThrow(/option 'afterLoaders': expected true or false/);
  });
});

describe('a bundle with one instrumented module (include names it alone)', () => {
  // The bundle is then the one file that module says it was loaded from, yet most of its lines
  // are other modules': frames outside the module are placed through the bundle's own map, so
  // the caller in src/main.ts (not instrumented) is at its own line, and the top frame (from the
  // site table) is where it always is.
  it.each(['esbuild', 'rolldown', 'webpack'] as const)('%s: the caller in a module left alone is shown at its original line', async (tool) => {
    const all = checks((await build(tool, true)).file);
    // The same output folder: built last, so that it is what runs.
    const built = await build(tool, true, { include: ['src/spin.ts'] });
    // spin.ts's checks only: collatz.ts's and main.ts's are left out.
    expect(checks(built.file)).toBeGreaterThan(0);
    expect(checks(built.file)).toBeLessThan(all);
    await attachAndFinish(built, process.env, true);
  });
});

describe('the adapter loads the transform only for a module its cache does not have', () => {
  // A warm test run (trapdoor-js/vitest sets the adapter's cache option) takes every module from
  // the cache: the transform and its parsers (100–240 ms to load) are never imported. Each process
  // of a real `vitest run` logs the modules it resolves (test/adapters/module-log.mjs).
  it('plain vitest run with trapdoor-js/vitest: the cold run loads the transform, the warm run does not, and fails the stuck test the same way', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'trapdoor-warm-'));
    try {
      cpSync(join(repoRoot, 'test', 'test-runners', 'vitest', 'plugin'), dir, { recursive: true });
      symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
      const log = join(dir, 'modules.log');
      const env = {
        ...Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(VITEST|TRAPDOOR_|NODE_OPTIONS$|NODE_ENV$)/.test(name))),
        NO_COLOR: '1',
        TRAPDOOR_CACHE_DIR: join(dir, 'cache'),
        TRAPDOOR_TEST_MODULE_LOG: log,
        NODE_OPTIONS: `--import=${join(repoRoot, 'test', 'adapters', 'module-log.mjs')}`,
      };
      /** Per process that ran the adapter: whether it loaded the transform, bundler-instrument.js, a parser. */
      const vitest = () => {
        rmSync(log, { force: true });
        const result = spawnSync(join(repoRoot, 'node_modules', '.bin', 'vitest'), ['run'], { cwd: dir, env, encoding: 'utf8', timeout: 120_000 });
        const byPid = new Map<string, string[]>();
        for (const line of readFileSync(log, 'utf8').split('\n')) {
          const [pid, url] = line.split(' ');
          if (url !== undefined) byPid.set(pid!, [...(byPid.get(pid!) ?? []), url]);
        }
        const adapters = [...byPid.values()].filter((urls) => urls.some((url) => url.endsWith('/packages/trapdoor/dist/adapters/plugin.js')));
        const loaded = adapters.map((urls) => ({
          transform: urls.some((url) => url.includes('/packages/transform/dist/')),
          instrumenter: urls.some((url) => url.endsWith('/adapters/bundler-instrument.js')),
          // The transform's parsers: oxc-parser, and @babel/parser for what only it parses.
          parser: urls.some((url) => /[\\/](?:@babel[\\/]parser|oxc-parser)[\\/]/.test(url)),
        }));
        return { status: result.status, output: result.stdout + result.stderr, loaded };
      };
      const cold = vitest();
      expect(cold.status, cold.output).toBe(1);
      expect(cold.output).toMatch(/stuck in a synchronous loop at test\/spin\.test\.js:\d+:3/);
      expect(cold.loaded).toEqual([{ transform: true, instrumenter: true, parser: true }]);
      const warm = vitest();
      expect(warm.status, warm.output).toBe(1);
      expect(warm.output).toMatch(/stuck in a synchronous loop at test\/spin\.test\.js:\d+:3/);
      expect(warm.loaded).toEqual([{ transform: false, instrumenter: false, parser: false }]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('production debug builds (production: true)', () => {
  /** What a process has armed: signals it catches, and its threads. */
  const armed = (pid: number) => {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return { caught: /^SigCgt:\s*(\w+)$/m.exec(status)![1], threads: Number(/^Threads:\s*(\d+)$/m.exec(status)![1]) };
  };
  const stateFile = (pid: number) => join(`/tmp/trapdoor-${process.getuid!()}`, `${pid}.json`);

  it('arm nothing at load: no signal handler, thread or state file; attach says the process does not run trapdoor', async () => {
    const plain = await build('esbuild', false);
    const production = await build('esbuild', true, { production: true });
    expect(readFileSync(production.file, 'utf8')).toContain('@trapdoor-js/runtime/production');
    expect(runToEnd(production)).toEqual(runToEnd(plain));
    const started = [plain, production].map((built) => {
      const proc = spawn(process.execPath, [built.file, 'busy'], { cwd: repoRoot, stdio: ['ignore', 'pipe', 'ignore'] });
      tracked.track(proc);
      return proc;
    });
    await new Promise((resolve) => setTimeout(resolve, 1500)); // both spinning, past start-up
    const [plainPid, productionPid] = started.map((p) => p.pid!);
    expect(armed(productionPid!)).toEqual(armed(plainPid!));
    expect(existsSync(stateFile(productionPid!))).toBe(false);
    const attach = spawnSync(process.execPath, [BIN, 'attach', String(productionPid)], { encoding: 'utf8', timeout: 60_000 });
    expect(attach.status).toBe(1);
    expect(attach.stderr).toMatch(/does not run trapdoor's runtime/);
  });

  // 120 s: a build, a start, an attach and a pause; it ran past 60 s once on a host at load 12 (5 s alone).
  it('TRAPDOOR_ARM=1 at start makes the same build attachable', async () => {
    const production = await build('esbuild', true, { production: true });
    await attachAndFinish(production, { ...process.env, TRAPDOOR_ARM: '1' });
  }, 120_000);
});

describe('trapdoor-js/vite environments', () => {
  it('leaves a client (browser) build exactly as it is, unless client: true', async () => {
    const { build: viteBuild } = await import('vite');
    const plugin = (await import('trapdoor-js/vite')).default;
    const outputs: string[] = [];
    for (const plugins of [[], [plugin()], [plugin({ client: true })]]) {
      const result: any = await viteBuild({
        root: projectDir,
        configFile: false,
        logLevel: 'silent',
        plugins,
        build: { write: false, minify: false, lib: { entry: join(projectDir, 'src', 'collatz.ts'), formats: ['es'], fileName: 'collatz' } },
      });
      outputs.push((Array.isArray(result) ? result[0] : result).output[0].code);
    }
    expect(outputs[1]).toBe(outputs[0]);
    expect(outputs[2]).not.toBe(outputs[0]);
    expect(outputs[2]).toContain('@trapdoor-js/runtime');
  });

  it('instruments what the dev server runs in Node (SSR), not what it serves to the browser', async () => {
    const { createServer } = await import('vite');
    const plugin = (await import('trapdoor-js/vite')).default;
    const server = await createServer({ root: projectDir, configFile: false, logLevel: 'silent', plugins: [plugin()], server: { middlewareMode: true, ws: false } });
    try {
      const ssr = await server.environments.ssr.transformRequest('/src/spin.ts');
      const client = await server.environments.client.transformRequest('/src/spin.ts');
      expect(checksIn(ssr!.code)).toBeGreaterThan(0);
      expect(checksIn(client!.code)).toBe(0);
      expect(client!.code).not.toMatch(/trapdoor/);
      // And the SSR module runs: its function still computes what it did.
      const collatz = await server.ssrLoadModule('/src/collatz.ts');
      expect(collatz.findLongest(3000)).toEqual({ start: 2919, steps: 216 });
    } finally {
      await server.close();
    }
  });
});

describe('examples/build-tools: the documented one-line configs', () => {
  const dist = (tool: string) => join(projectDir, 'dist', tool);
  const cli = (name: string, ...args: string[]) => {
    const result = spawnSync(join(repoRoot, 'node_modules', '.bin', name), args, { cwd: projectDir, encoding: 'utf8', timeout: 120_000 });
    expect(result.status, `${name} ${args.join(' ')}\n${result.stdout}${result.stderr}`).toBe(0);
  };
  const configs: Record<string, () => Promise<Built>> = {
    vite: async () => (cli('vite', 'build', '--logLevel', 'silent'), { file: join(dist('vite'), 'main.js'), runtime: 'node' }),
    rollup: async () => (cli('rollup', '-c', '--silent'), { file: join(dist('rollup'), 'main.mjs'), runtime: 'node' }),
    rolldown: async () => (cli('rolldown', '-c', '--silent'), { file: join(dist('rolldown'), 'main.mjs'), runtime: 'node' }),
    esbuild: async () => {
      const result = spawnSync(process.execPath, ['esbuild.build.mjs'], { cwd: projectDir, encoding: 'utf8' });
      expect(result.status, result.stderr).toBe(0);
      return { file: join(dist('esbuild'), 'main.mjs'), runtime: 'node' };
    },
    // webpack and Rspack: the config object as their CLIs load it.
    webpack: async () => {
      const webpack = (await import('webpack')).default;
      const config = createRequire(import.meta.url)(join(projectDir, 'webpack.config.cjs'));
      await runCompiler(webpack({ ...config, context: projectDir }));
      return { file: join(dist('webpack'), 'main.cjs'), runtime: 'node' };
    },
    rspack: async () => {
      const { rspack } = await import('@rspack/core');
      const config = createRequire(import.meta.url)(join(projectDir, 'rspack.config.cjs'));
      await runCompiler(rspack({ ...config, context: projectDir }));
      return { file: join(dist('rspack'), 'main.cjs'), runtime: 'node' };
    },
    bun: async () => (cli('bun', 'bun.build.ts'), { file: join(dist('bun'), 'main.js'), runtime: 'bun' }),
    babel: async () => {
      const babel = await import('@babel/core');
      const out = dist('babel');
      mkdirSync(out, { recursive: true });
      for (const name of readdirSync(join(projectDir, 'src'))) {
        const result = await babel.transformFileAsync(join(projectDir, 'src', name), { cwd: projectDir, root: projectDir });
        writeFileSync(join(out, name.replace(/\.ts$/, '.js')), result!.code!);
      }
      writeFileSync(join(out, 'package.json'), '{ "type": "commonjs" }\n');
      return { file: join(out, 'main.js'), runtime: 'node' };
    },
  };

  it.each(Object.keys(configs))('%s: builds an instrumented program that runs like the plain build', async (tool) => {
    rmSync(dist(tool), { recursive: true, force: true });
    const built = await configs[tool]!();
    expect(checks(built.file)).toBeGreaterThanOrEqual(6);
    expect(runToEnd(built)).toEqual(runToEnd(await build(tool as Tool, false)));
  });
});

describe('a runtime bundled into the output (bundleRuntime: true)', () => {
  it('runs from the bundle and starts its agent from the installed package: attached, paused at the .ts line', async () => {
    const built = await build('esbuild', true, { bundleRuntime: true });
    const text = readFileSync(built.file, 'utf8');
    expect(text).not.toMatch(/from ["']@trapdoor-js\/runtime["']/);
    expect(text).toContain('function listenForActivation');
    // The runtime's frames share the program's file: told apart through the bundle's map, so the
    // caller is shown at its .ts line as with an external runtime.
    await attachAndFinish(built, process.env, true);
  });

  it.each(['esbuild', 'rolldown', 'webpack', 'rspack', 'vite', 'bun'] as const)(
    '%s: self-contained: with the trapdoor-runtime/ folder written beside it, it is attached to where no runtime is installed, paused at its .ts line',
    async (tool) => {
      const built = await build(tool, true, { bundleRuntime: true });
      const out = dirname(built.file);
      expect(existsSync(join(out, 'trapdoor-runtime', 'dist', 'esm', 'inspector', 'agent', 'agent-worker.js'))).toBe(true);
      // Copied where no node_modules is anywhere above (the bundle, its map and the folder, as deployed).
      const away = mkdtempSync(join(tmpdir(), 'trapdoor-self-contained-'));
      try {
        for (let dir = away; dir !== dirname(dir); dir = dirname(dir)) expect(existsSync(join(dir, 'node_modules')), dir).toBe(false);
        cpSync(out, away, { recursive: true });
        const file = join(away, basename(built.file));
        expect(runToEnd({ ...built, file })).toEqual(runToEnd(await build(tool, false)));
        // Its caller frame too: the runtime's frames in the bundle are told apart through the
        // bundle's map although the inspector runs from trapdoor-runtime/. (Bun's map ignores
        // the plugin's, so its frames below the top are the bundle's; see above.)
        await attachAndFinish({ ...built, file }, process.env, tool !== 'bun' && tool !== 'rspack', away);
      } finally {
        rmSync(away, { recursive: true, force: true });
      }
    },
  );

  it('self-contained: the signal watcher comes from trapdoor-runtime/ too; without its native addon, the control socket is the trigger', async () => {
    const built = await build('esbuild', true, { bundleRuntime: true });
    const away = mkdtempSync(join(tmpdir(), 'trapdoor-self-contained-'));
    try {
      cpSync(dirname(built.file), away, { recursive: true });
      const file = join(away, 'main.mjs');
      const triggerOf = async (): Promise<any> => {
        const proc = spawn(process.execPath, [file, 'busy'], { cwd: away, stdio: ['ignore', 'pipe', 'ignore'] });
        tracked.track(proc);
        let stdout = '';
        proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
        await within(new Promise<void>((resolve) => { const check = () => (stdout.includes('spinning') ? resolve() : setTimeout(check, 20)); check(); }), 'the program to spin');
        const state = JSON.parse(readFileSync(join(`/tmp/trapdoor-${process.getuid!()}`, `${proc.pid}.json`), 'utf8'));
        proc.kill('SIGKILL');
        return state.trigger;
      };
      expect(await triggerOf()).toEqual({ signal: 'SIGUSR2' });
      rmSync(join(away, 'trapdoor-runtime', 'node_modules', '@trapdoor-js', 'native'), { recursive: true });
      const trigger = await triggerOf();
      expect(trigger.socket).toMatch(/\.sock$/);
      expect(trigger.signalProblem).toMatch(/@trapdoor-js\/native is not installed/);
      await attachAndFinish({ file, runtime: 'node' }, process.env, true, away);
    } finally {
      rmSync(away, { recursive: true, force: true });
    }
  });

  it('without an installed runtime, it runs as it would, and trapdoor attach says why it cannot be activated', async () => {
    const built = await build('esbuild', true, { bundleRuntime: true });
    const away = mkdtempSync(join(tmpdir(), 'trapdoor-bundled-'));
    const file = join(away, 'main.mjs');
    copyFileSync(built.file, file);
    try {
      expect(runToEnd({ file, runtime: 'node' })).toEqual(runToEnd(await build('esbuild', false)));
      const proc = spawn(process.execPath, [file, 'busy'], { cwd: away, stdio: ['ignore', 'pipe', 'pipe'] });
      tracked.track(proc);
      let stdout = '';
      proc.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
      await within(new Promise<void>((resolve) => { const check = () => (stdout.includes('spinning') ? resolve() : setTimeout(check, 20)); check(); }), 'the program to spin');
      const state = JSON.parse(readFileSync(join(`/tmp/trapdoor-${process.getuid!()}`, `${proc.pid}.json`), 'utf8'));
      expect(state.trigger.none).toMatch(/the runtime was bundled into .*main\.mjs/);
      const attach = spawnSync(process.execPath, [BIN, 'attach', String(proc.pid)], { encoding: 'utf8', timeout: 60_000 });
      expect(attach.status).toBe(1);
      expect(attach.stderr).toMatch(new RegExp(`process ${proc.pid} runs trapdoor's runtime, but nothing can activate it from outside: .*keep @trapdoor-js/runtime external`));
      expect(attach.stderr.trim().split('\n')).toHaveLength(1);
    } finally {
      rmSync(away, { recursive: true, force: true });
    }
  });
});

describe('bundleRuntime as a user installs it (packed tarballs, npm, a fresh project outside the repository)', () => {
  it('esbuild: trapdoor-runtime/ is made from the installed packages; the output, moved where nothing is installed, is attached to', async () => {
    const work = realpathSync(mkdtempSync(join(tmpdir(), 'trapdoor-bundle-install-')));
    try {
      const packs = join(work, 'tarballs');
      mkdirSync(packs);
      const tarballs = ['native', 'runtime', 'transform', 'trapdoor'].map((name) => {
        // dist/ is built (the TypeScript packages' prepack is their build, which would rewrite it under other tests).
        const packed = spawnSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', packs], { cwd: join(repoRoot, 'packages', name), encoding: 'utf8' });
        expect(packed.status, packed.stderr).toBe(0);
        return join(packs, (JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as Array<{ filename: string }>)[0]!.filename);
      });
      const app = join(work, 'app');
      cpSync(join(projectDir, 'src'), join(app, 'src'), { recursive: true });
      writeFileSync(join(app, 'package.json'), `${JSON.stringify({ name: 'app', private: true, version: '1.0.0', type: 'module' }, null, 2)}\n`);
      // The user's build script; esbuild is the repository's (the project would install its own).
      writeFileSync(
        join(app, 'build.mjs'),
        [
          `import * as esbuild from ${JSON.stringify(createRequire(import.meta.url).resolve('esbuild'))};`,
          "import trapdoor from 'trapdoor-js/esbuild';",
          "await esbuild.build({ entryPoints: ['src/main.ts'], bundle: true, platform: 'node', format: 'esm', outfile: 'dist/main.mjs', sourcemap: true,",
          "  banner: { js: \"import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);\" },",
          '  plugins: [trapdoor({ bundleRuntime: true })] });',
          '',
        ].join('\n'),
      );
      const install = spawnSync('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', ...tarballs], { cwd: app, encoding: 'utf8', timeout: 240_000 });
      expect(install.status, install.stdout + install.stderr).toBe(0);
      const built = spawnSync(process.execPath, ['build.mjs'], { cwd: app, encoding: 'utf8', timeout: 120_000 });
      expect(built.status, built.stdout + built.stderr).toBe(0);
      // Made from the installed packages (npm hoists the runtime's dependencies beside it).
      const installedWs = JSON.parse(readFileSync(join(app, 'node_modules', 'ws', 'package.json'), 'utf8')).version;
      expect(JSON.parse(readFileSync(join(app, 'dist', 'trapdoor-runtime', 'node_modules', 'ws', 'package.json'), 'utf8')).version).toBe(installedWs);
      const away = join(work, 'deployed');
      cpSync(join(app, 'dist'), away, { recursive: true });
      rmSync(app, { recursive: true, force: true }); // nothing installed anywhere now (the sources are gone too)
      for (let dir = away; dir !== dirname(dir); dir = dirname(dir)) expect(existsSync(join(dir, 'node_modules')), dir).toBe(false);
      // The sources are named by where they were built (gone now): the top frame from the site table, the caller from the bundle's map.
      await attachAndFinish({ file: join(away, 'main.mjs'), runtime: 'node', sourceDir: join(app, 'src') }, process.env, true, away);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }, 400_000);
});

