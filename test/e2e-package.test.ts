/**
 * The packages as a user gets them. `npm pack` of each workspace package into a temporary folder
 * outside the repository (the native package's prepack builds its prebuild there and then), the
 * tarballs' contents checked, and the tarballs installed into fresh projects whose PATH has node
 * and npm only: no cc, c++, make or python3. With the prebuild, @trapdoor-js/native loads
 * (scripts allowed, or --ignore-scripts) and a real signal sets the flag on Node, Bun and Deno;
 * without it the install still succeeds, loading says why, and `trapdoor attach` reaches the
 * process through its control socket and says why no signal is used. And with pnpm, code built by
 * `trapdoor instrument` runs only once @trapdoor-js/runtime is a declared dependency.
 *
 * Needs the packages built (`npm test` builds first) and the npm cache of the root install
 * (the runtime's and the transform's dependencies come from it, or from the registry).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { descendants, killTree, programPid, repoRoot, runtimes, within } from './e2e/harness.js';

const PACKAGES = { native: '@trapdoor-js/native', runtime: '@trapdoor-js/runtime', transform: '@trapdoor-js/transform', trapdoor: 'trapdoor-js' } as const;
type Dir = keyof typeof PACKAGES;
const DIRS = Object.keys(PACKAGES) as Dir[];
const PLATFORM = `${process.platform}-${process.arch}`;
// What this machine builds (issue 7: linux-x64, glibc); elsewhere the test says so and skips.
const PREBUILD = `prebuilds/${PLATFORM}/node.napi.glibc.node`;
const canPrebuild = PLATFORM === 'linux-x64';

let work: string;
let bin: string;
const tarball = {} as Record<Dir, string>;
const files = {} as Record<Dir, string[]>;
const unpacked = {} as Record<Dir, string>;
const children = new Set<ChildProcess>();

function run(command: string, args: string[], options: { cwd: string; env?: NodeJS.ProcessEnv }) {
  const result = spawnSync(command, args, { cwd: options.cwd, env: options.env ?? process.env, encoding: 'utf8', timeout: 120_000 });
  const output = `${result.stdout}${result.stderr}`;
  if (result.error) throw new Error(`${command} ${args.join(' ')}: ${result.error.message}\n${output}`);
  return { status: result.status, output, stdout: result.stdout };
}

/**
 * A user's environment without a compiler: PATH is a folder with `node` and `npm` only, and
 * nothing of the npm that runs this test leaks in (npm_config_*, npm_lifecycle_*). npm runs
 * scripts through `sh`, which it looks up on PATH: it is given as /bin/sh (a shell is not a
 * compiler, and with no coreutils on PATH a build fails all the sooner).
 */
function userEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: bin, HOME: process.env.HOME, TMPDIR: work, NO_COLOR: '1', npm_config_script_shell: '/bin/sh' };
  if (process.env.npm_config_cache) env.npm_config_cache = process.env.npm_config_cache;
  return { ...env, ...extra };
}

function npm(args: string[], cwd: string, extra: NodeJS.ProcessEnv = {}) {
  return run(join(bin, 'npm'), [...args, '--no-audit', '--no-fund', '--prefer-offline'], { cwd, env: userEnv(extra) });
}

/** A fresh project outside the repository; `allowScripts` as given. */
function project(name: string, allowScripts?: Record<string, boolean>): string {
  const dir = join(work, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name, private: true, version: '1.0.0', ...(allowScripts ? { allowScripts } : {}) }, null, 2));
  return dir;
}

/** What `npm install-scripts approve` writes for a package installed from a tarball. */
const approve = (file: string) => ({ [`file:${file}`]: true });

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'trapdoor-package-'));
  expect(relative(repoRoot, work).startsWith('..')).toBe(true);
  bin = join(work, 'bin');
  mkdirSync(bin);
  symlinkSync(process.execPath, join(bin, 'node'));
  const npmPath = run('/bin/sh', ['-c', 'command -v npm'], { cwd: work }).stdout.trim();
  symlinkSync(npmPath, join(bin, 'npm'));
  for (const tool of ['cc', 'gcc', 'c++', 'make', 'python3', 'python']) {
    expect(run('/bin/sh', ['-c', `command -v ${tool} || echo none`], { cwd: work, env: { PATH: bin } }).stdout.trim(), tool).toBe('none');
  }

  const packs = join(work, 'tarballs');
  mkdirSync(packs);
  for (const dir of DIRS) {
    const cwd = join(repoRoot, 'packages', dir);
    if (dir !== 'native') {
      expect(existsSync(join(cwd, 'dist')), `packages/${dir}/dist: build first (npm test does)`).toBe(true);
    }
    // The repository's npm (npm_config_* kept: its nodedir, for the prebuild's compile). The
    // native package's prepack builds the prebuild; the others' would only rebuild dist/, which
    // `npm test` has just built (and other tests are reading).
    const packed = run('npm', ['pack', '--json', '--pack-destination', packs, ...(dir === 'native' ? [] : ['--ignore-scripts'])], { cwd });
    expect(packed.status, packed.output).toBe(0);
    const json = JSON.parse(packed.stdout.slice(packed.stdout.indexOf('['))) as { filename: string; files: { path: string }[] }[];
    tarball[dir] = join(packs, json[0].filename);
    files[dir] = json[0].files.map((f) => f.path).sort();
    unpacked[dir] = join(work, 'unpacked', dir);
    mkdirSync(unpacked[dir], { recursive: true });
    expect(run('tar', ['-xzf', tarball[dir], '-C', unpacked[dir]], { cwd: work }).status).toBe(0);
  }
}, 240_000);

afterAll(() => {
  for (const child of children) if (child.pid !== undefined) killTree(child.pid);
  if (work) rmSync(work, { recursive: true, force: true });
});

describe('the tarballs', () => {
  it.each(DIRS)('%s has README.md, LICENSE (MIT, trapdoor contributors) and its metadata', (dir) => {
    const pkg = join(unpacked[dir], 'package');
    expect(files[dir]).toEqual(expect.arrayContaining(['README.md', 'LICENSE', 'package.json']));
    expect(readFileSync(join(pkg, 'README.md'), 'utf8')).toMatch(new RegExp(`^# ${PACKAGES[dir].replace('/', '\\/')}\\b`));
    const license = readFileSync(join(pkg, 'LICENSE'), 'utf8');
    expect(license).toMatch(/^MIT License/);
    expect(license).toMatch(/Copyright \(c\) \d{4} trapdoor contributors/);
    const meta = JSON.parse(readFileSync(join(pkg, 'package.json'), 'utf8'));
    expect(meta).toMatchObject({
      name: PACKAGES[dir],
      license: 'MIT',
      repository: { type: 'git', url: 'git+https://github.com/trapdoor-js/trapdoor.git', directory: `packages/${dir}` },
      homepage: 'https://www.npmjs.com/package/trapdoor-js',
      bugs: { url: 'https://github.com/trapdoor-js/trapdoor/issues' },
    });
    expect(meta.keywords.length).toBeGreaterThan(2);
  });

  it.each(DIRS)('%s: npm publish has nothing to correct in its package.json', (dir) => {
    // npm rewrites what it finds invalid at publish (a "./bin/…" path, a bad field) and says so.
    const publish = run('npm', ['publish', '--dry-run', '--ignore-scripts'], { cwd: join(repoRoot, 'packages', dir) });
    expect(publish.status, publish.output).toBe(0);
    expect(publish.output).not.toMatch(/auto-corrected|errors corrected/);
  });

  it.each(DIRS)('%s ships nothing test-only', (dir) => {
    const testOnly = files[dir].filter((f) => /(^|\/)(fixtures|__tests__|test|tests|\.turbo)\/|\.test\.|\.spec\.|\.tsbuildinfo$/.test(f));
    expect(testOnly).toEqual([]);
  });

  it.each(DIRS)('%s has no source map naming a file it does not ship, and no map comment without its map', (dir) => {
    const pkg = join(unpacked[dir], 'package');
    const shipped = new Set(files[dir]);
    const dangling: string[] = [];
    for (const file of files[dir]) {
      if (file.endsWith('.map')) {
        const map = JSON.parse(readFileSync(join(pkg, file), 'utf8')) as { sources: string[]; sourceRoot?: string };
        for (const source of map.sources) {
          const target = relative(pkg, resolve(pkg, dirname(file), map.sourceRoot ?? '', source));
          if (!shipped.has(target)) dangling.push(`${file} → ${source}`);
        }
      } else if (/\.(c|m)?js$|\.d\.(c|m)?ts$/.test(file)) {
        const comment = /\/\/# sourceMappingURL=(?!data:)(\S+)\s*$/.exec(readFileSync(join(pkg, file), 'utf8'));
        if (comment && !shipped.has(relative(pkg, resolve(pkg, dirname(file), comment[1])))) dangling.push(`${file} → ${comment[1]}`);
      }
    }
    expect(dangling).toEqual([]);
  });

  it.runIf(canPrebuild)('@trapdoor-js/native ships a Node-API prebuild for this platform, its C source, and no build folder', () => {
    expect(files.native).toContain(PREBUILD);
    expect(files.native).toEqual(expect.arrayContaining(['binding.cjs', 'binding.gyp', 'src/trapdoor_native.c', 'scripts/install.cjs', 'index.cjs', 'index.js', 'index.d.ts']));
    expect(files.native.filter((f) => f.startsWith('build/'))).toEqual([]);
    const meta = JSON.parse(readFileSync(join(unpacked.native, 'package', 'package.json'), 'utf8'));
    expect(meta.scripts.install).toBe('node scripts/install.cjs');
    expect(meta.dependencies ?? {}).toEqual({});
  });
});

/** A child that starts a watcher on SIGUSR2, spins until the flag is set, and says so. */
const PROBE = `import * as native from '@trapdoor-js/native';
if (!native.isAvailable()) {
  console.log('unavailable ' + native.loadError().code + ' ' + native.loadError().message);
  process.exit(3);
}
const control = new Int32Array(new SharedArrayBuffer(8));
native.startWatcher({ signal: 'SIGUSR2', control, index: 0, bits: 4, onSignal() {} });
console.log('ready');
while (Atomics.load(control, 0) === 0) {}
console.log('flag ' + control[0]);
`;

function spawnProbe(command: string, args: string[], cwd: string): { child: ChildProcess; output: () => string; line: (re: RegExp) => Promise<string>; exited: Promise<number | null> } {
  const child = spawn(command, args, { cwd, env: userEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let out = '';
  const waiters: { re: RegExp; resolve: (line: string) => void }[] = [];
  const check = () => {
    for (const waiter of [...waiters]) {
      const line = out.split('\n').find((l) => waiter.re.test(l));
      if (line !== undefined) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  };
  child.stdout!.on('data', (chunk) => ((out += chunk), check()));
  child.stderr!.on('data', (chunk) => (out += chunk));
  const exited = new Promise<number | null>((done) => child.on('close', (code) => done(code)));
  const output = () => out;
  return {
    child,
    output,
    line: (re) => within(new Promise<string>((resolve) => (waiters.push({ re, resolve }), check())), `a line matching ${re}`, output),
    exited,
  };
}

async function signalSetsTheFlag(runtime: (typeof runtimes)[number], cwd: string): Promise<void> {
  // Deno without --allow-env: loading reads no environment variable (node-gyp-build would).
  const args = runtime.name === 'deno' ? ['run', '--allow-read', '--allow-ffi', 'probe.mjs'] : ['probe.mjs'];
  const probe = spawnProbe(runtime.command, args, cwd);
  await probe.line(/^(ready|unavailable)/);
  expect(probe.output()).toMatch(/^ready$/m);
  process.kill(programPid(probe.child.pid!), 'SIGUSR2');
  expect(await probe.line(/^flag/)).toBe('flag 4');
  expect(await within(probe.exited, 'the probe to exit', probe.output)).toBe(0);
}

const node = runtimes.find((r) => r.name === 'node')!;
const bun = runtimes.find((r) => r.name === 'bun')!;
const installed = (dir: string) => join(dir, 'node_modules', '@trapdoor-js', 'native');

describe.runIf(canPrebuild)('@trapdoor-js/native installed from its tarball, with no compiler on PATH', () => {
  it('scripts allowed (strict-allow-scripts): the install compiles nothing, the prebuild loads, and a real signal sets the flag on Node, Bun and Deno', async () => {
    const dir = project('with-scripts', approve(tarball.native));
    const install = npm(['install', '--strict-allow-scripts', '--foreground-scripts', tarball.native], dir);
    expect(install.status, install.output).toBe(0);
    // The install script ran (strict mode would have failed without the approval) and said
    // nothing: the prebuild loads, so there was nothing to compile.
    expect(install.output).not.toMatch(/trapdoor-js\/native:|not yet covered/);
    expect(install.output).toMatch(/> node scripts\/install\.cjs/);
    expect(existsSync(join(installed(dir), PREBUILD))).toBe(true);
    expect(existsSync(join(installed(dir), 'build'))).toBe(false);
    writeFileSync(join(dir, 'probe.mjs'), PROBE);
    for (const runtime of runtimes) await signalSetsTheFlag(runtime, dir);
  });

  it('--ignore-scripts: the prebuild loads all the same', async () => {
    const dir = project('ignore-scripts');
    const install = npm(['install', '--ignore-scripts', tarball.native], dir);
    expect(install.status, install.output).toBe(0);
    expect(existsSync(join(installed(dir), 'build'))).toBe(false);
    writeFileSync(join(dir, 'probe.mjs'), PROBE);
    await signalSetsTheFlag(node, dir);
  });

  it('pnpm, the build script denied in allowBuilds (pnpm stops on unreviewed builds): the prebuild loads', async () => {
    const dir = project('pnpm');
    writeFileSync(join(dir, 'pnpm-workspace.yaml'), "allowBuilds:\n  '@trapdoor-js/native': false\n");
    const install = run(join(repoRoot, 'node_modules', '.bin', 'pnpm'), ['add', tarball.native], { cwd: dir, env: userEnv() });
    expect(install.status, install.output).toBe(0);
    writeFileSync(join(dir, 'probe.mjs'), PROBE);
    await signalSetsTheFlag(node, dir);
  });

  it.runIf(existsSync(bun.command))('bun add, its install script blocked (not in trustedDependencies): the prebuild loads on Bun', async () => {
    const dir = project('bun');
    const install = run(bun.command, ['add', tarball.native], { cwd: dir, env: userEnv() });
    expect(install.status, install.output).toBe(0);
    expect(install.output).toMatch(/Blocked 1 postinstall/);
    writeFileSync(join(dir, 'probe.mjs'), PROBE);
    await signalSetsTheFlag(bun, dir);
  });

  describe('without a prebuild for the platform', () => {
    let stripped: string;
    beforeAll(() => {
      // The same tarball minus prebuilds/: what a platform without a prebuild gets.
      const copy = join(work, 'stripped');
      mkdirSync(copy);
      expect(run('tar', ['-xzf', tarball.native, '-C', copy], { cwd: work }).status).toBe(0);
      rmSync(join(copy, 'package', 'prebuilds'), { recursive: true });
      stripped = join(work, 'tarballs', 'native-without-prebuilds.tgz');
      expect(run('tar', ['-czf', stripped, '-C', copy, 'package'], { cwd: work }).status).toBe(0);
    });

    it('the install tries to compile, fails, still succeeds, and says what that means; loading reports unavailable with the reason', () => {
      const dir = project('no-prebuild', approve(stripped));
      const install = npm(['install', '--strict-allow-scripts', '--foreground-scripts', stripped], dir);
      expect(install.status, install.output).toBe(0);
      expect(install.output).toMatch(/@trapdoor-js\/native: no prebuilt addon for linux-x64 and it could not be compiled \(node-gyp rebuild failed \(exit 1\): Could not find any Python installation to use\)/);
      expect(install.output).toMatch(/`trapdoor attach` reaches the process through its control socket instead of a signal/);
      expect(install.output).toMatch(/install a C compiler, make and python3, then run `npm rebuild @trapdoor-js\/native`/);
      expect(existsSync(join(installed(dir), 'index.cjs'))).toBe(true);
      writeFileSync(join(dir, 'probe.mjs'), PROBE);
      const probe = run(process.execPath, ['probe.mjs'], { cwd: dir, env: userEnv() });
      expect(probe.status, probe.output).toBe(3);
      expect(probe.output.trim()).toBe(
        `unavailable ERR_TRAPDOOR_NATIVE_UNAVAILABLE @trapdoor-js/native: the addon could not be loaded: ` +
          `no compiled addon (${join(installed(dir), 'build', 'Release', 'trapdoor_native.node')}) and no prebuild for linux-x64 (${join(installed(dir), 'prebuilds')}); ` +
          `it is built at install when there is no prebuild for the platform, which needs a C compiler, make and python3 (then: npm rebuild @trapdoor-js/native)`,
      );
    });

    it('trapdoor run works, and trapdoor attach reaches the program through its control socket and says why no signal is used', async () => {
      const dir = project('no-prebuild-app', approve(stripped));
      const install = npm(['install', '--foreground-scripts', stripped, tarball.runtime, tarball.transform, tarball.trapdoor], dir);
      expect(install.status, install.output).toBe(0);
      writeFileSync(join(dir, 'app.js'), 'let n = 0;\nfunction step() { n++; }\nconsole.log("started");\nfor (;;) step();\n');
      const stateDir = join(work, 'state');
      mkdirSync(stateDir, { mode: 0o700 });
      const cli = join(dir, 'node_modules', 'trapdoor-js', 'bin', 'trapdoor.js');
      const app = spawn(process.execPath, [cli, 'run', 'app.js'], { cwd: dir, env: userEnv({ TRAPDOOR_STATE_DIR: stateDir }), stdio: ['ignore', 'pipe', 'pipe'] });
      children.add(app);
      let out = '';
      app.stdout!.on('data', (c) => (out += c));
      app.stderr!.on('data', (c) => (out += c));
      // The program's own state file, once its runtime is set up.
      await within(
        (async () => {
          while (!(out.includes('started') && descendants(app.pid!).some((pid) => existsSync(join(stateDir, `${pid}.json`))))) await new Promise((r) => setTimeout(r, 50));
        })(),
        'the program to start and write its state file',
        () => out,
      );
      const attach = run(process.execPath, [cli, 'attach', String(app.pid)], { cwd: dir, env: userEnv({ TRAPDOOR_STATE_DIR: stateDir }) });
      expect(attach.status, attach.output).toBe(0);
      expect(attach.output).toMatch(/^Debugger listening in process \d+ /);
      expect(attach.output).toMatch(/^ {2}Trigger: {4}its control socket \(no signal: @trapdoor-js\/native: the addon could not be loaded: no compiled addon .* and no prebuild for linux-x64 .*\)$/m);
      killTree(app.pid!);
    });
  });
});

// Guards against a stale layout: every shipped file is a regular file (npm pack follows nothing).
it.runIf(canPrebuild)('the prebuild in the tarball is a real ELF shared object', () => {
  const file = join(unpacked.native, 'package', PREBUILD);
  expect(statSync(file).size).toBeGreaterThan(1000);
  expect(readFileSync(file).subarray(0, 4).toString('latin1')).toBe('\x7fELF');
  expect(readdirSync(join(unpacked.native, 'package', 'prebuilds'))).toEqual([PLATFORM]);
});

describe('which packages a project must declare (pnpm: a package imports only what it declares)', () => {
  it('code built by `trapdoor instrument` needs @trapdoor-js/runtime in "dependencies"; trapdoor-js alone, as a devDependency, is not enough', () => {
    const dir = project('pnpm-instrument');
    // The tarballs stand in for the registry: trapdoor-js depends on the runtime by version.
    const overrides = (['runtime', 'transform', 'native'] as const).map((d) => `  '${PACKAGES[d]}': file:${tarball[d]}\n`).join('');
    writeFileSync(join(dir, 'pnpm-workspace.yaml'), `allowBuilds:\n  '@trapdoor-js/native': false\noverrides:\n${overrides}`);
    const pnpm = (args: string[]) => run(join(repoRoot, 'node_modules', '.bin', 'pnpm'), args, { cwd: dir, env: userEnv() });
    const dev = pnpm(['add', '--save-dev', tarball.trapdoor]);
    expect(dev.status, dev.output).toBe(0);
    writeFileSync(join(dir, 'app.js'), 'let n = 0;\nfunction step() { n++; }\nfor (let i = 0; i < 3; i++) step();\nconsole.log("n =", n);\n');
    const built = run(join(dir, 'node_modules', '.bin', 'trapdoor'), ['instrument', 'app.js', '-o', 'build/app.js'], { cwd: dir, env: userEnv() });
    expect(built.status, built.output).toBe(0);
    const plain = run(process.execPath, ['app.js'], { cwd: dir, env: userEnv() });
    expect(plain).toMatchObject({ status: 0, output: 'n = 3\n' });

    const undeclared = run(process.execPath, ['build/app.js'], { cwd: dir, env: userEnv() });
    expect(undeclared.status).not.toBe(0);
    expect(undeclared.output).toContain("Cannot find module '@trapdoor-js/runtime'");

    const declared = pnpm(['add', tarball.runtime]);
    expect(declared.status, declared.output).toBe(0);
    expect(JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')).dependencies).toHaveProperty(['@trapdoor-js/runtime']);
    expect(run(process.execPath, ['build/app.js'], { cwd: dir, env: userEnv() })).toMatchObject({ status: 0, output: plain.output });
  });
});
