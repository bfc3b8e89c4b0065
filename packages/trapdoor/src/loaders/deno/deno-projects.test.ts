// `trapdoor run --runtime deno` in Deno projects as users set them up, outside the repository (whose
// package.json would otherwise be the project's): a deno.json `{}`, an import map the program
// uses, "nodeModulesDir": "none", a package.json above the working directory that does not list
// trapdoor; each run from the project and from another working directory. trapdoor's own modules
// must load whatever the project says, and the program's imports must resolve as in the plain run.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../../../../', import.meta.url));
const BIN = join(ROOT, 'packages/trapdoor/bin/trapdoor.js');
const DENO = join(ROOT, 'node_modules/.bin/deno');

let root: string;
beforeAll(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'trapdoor-deno-projects-')));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const PROGRAM = {
  'lib/greet.js': 'export function greet(name) {\n  let text = "";\n  for (let i = 0; i < 2; i++) text += `hello ${name} `;\n  return text.trim();\n}\n',
  'app.js': 'import { greet } from "greet";\nconst file = () => new URL(import.meta.url).pathname.split("/").pop();\nconsole.log(greet("deno"), file());\n',
};

/** Writes `files` under the test's folder; returns the folder of the first one's project. */
function write(files: Record<string, string>): void {
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), text);
  }
}

interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

function run(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}): Run {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 60_000 });
  return { status: result.status, stdout: result.stdout, stderr: result.stderr };
}

const projects: Array<[string, Record<string, string>, string]> = [
  // [what, files, the project folder (relative to the test's folder)]
  ['a deno.json {}', { 'empty/deno.json': '{}\n', ...prefix('empty', PROGRAM), 'empty/app.js': PROGRAM['app.js'].replace('"greet"', '"./lib/greet.js"') }, 'empty'],
  ['an import map file', { 'file-map/deno.json': '{ "importMap": "./imports.json" }\n', 'file-map/imports.json': '{ "imports": { "greet": "./lib/greet.js" } }\n', ...prefix('file-map', PROGRAM) }, 'file-map'],
  ['an import map in deno.json', { 'mapped/deno.json': '{ "imports": { "greet": "./lib/greet.js" } }\n', ...prefix('mapped', PROGRAM) }, 'mapped'],
  ['"nodeModulesDir": "none"', { 'none/deno.json': '{ "nodeModulesDir": "none", "imports": { "greet": "./lib/greet.js" } }\n', ...prefix('none', PROGRAM) }, 'none'],
  [
    'a package.json above that does not list trapdoor',
    { 'above/package.json': '{ "name": "above", "private": true }\n', 'above/inner/deno.json': '{ "imports": { "greet": "./lib/greet.js" } }\n', ...prefix('above/inner', PROGRAM) },
    'above/inner',
  ],
];

function prefix(dir: string, files: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(files).map(([path, text]) => [`${dir}/${path}`, text]));
}

describe('trapdoor run --runtime deno in Deno projects', () => {
  it.each(projects)('with %s: runs as the plain run does, from the project and from another folder, instrumented', (_what, files, dir) => {
    write({ ...files, 'elsewhere/.keep': '' });
    const project = join(root, dir);
    for (const [cwd, script] of [
      [project, 'app.js'],
      [join(root, 'elsewhere'), join(project, 'app.js')],
    ] as const) {
      const plain = run(DENO, ['run', script], cwd);
      expect(plain.stdout, plain.stderr).toBe('hello deno hello deno app.js\n');
      const dump = join(root, `dump-${Math.random().toString(36).slice(2)}.json`);
      const traced = run(process.execPath, [BIN, 'run', '--runtime', 'deno', script], cwd, { TRAPDOOR_DEBUG_DUMP_MODULES: dump });
      expect({ status: traced.status, stdout: traced.stdout, stderr: traced.stderr }).toEqual(plain);
      const instrumented = (JSON.parse(readFileSync(dump, 'utf8')) as Array<{ file: string; sites: number }>).map((m) => m.file.slice(project.length + 1)).sort();
      expect(instrumented).toEqual(['app.js', 'lib/greet.js']);
    }
  });

  it("leaves the program's own resolution errors as they were: a bare import its configuration does not map", () => {
    write({ 'unmapped/deno.json': '{}\n', ...prefix('unmapped', PROGRAM) });
    const cwd = join(root, 'unmapped');
    const plain = run(DENO, ['run', 'app.js'], cwd);
    expect(plain.status).toBe(1);
    expect(plain.stderr).toContain('Import "greet" not a dependency');
    const traced = run(process.execPath, [BIN, 'run', '--runtime', 'deno', 'app.js'], cwd);
    expect(traced.status).toBe(1);
    expect(traced.stderr).toContain('Import "greet" not a dependency');
    expect(traced.stderr).toContain(`at file://${cwd}/app.js:1:23`);
  });

  it('deno run --preload by hand without --allow-read: one line says why, and the program runs as it does without trapdoor', () => {
    write({ 'by-hand/deno.json': '{}\n', ...prefix('by-hand', PROGRAM), 'by-hand/app.js': PROGRAM['app.js'].replace('"greet"', '"./lib/greet.js"') });
    const cwd = join(root, 'by-hand');
    const plain = run(DENO, ['run', 'app.js'], cwd);
    const register = join(ROOT, 'packages/trapdoor/dist/loaders/deno/register.js');
    const traced = run(DENO, ['run', '--preload', register, 'app.js'], cwd);
    expect({ status: traced.status, stdout: traced.stdout }).toEqual({ status: plain.status, stdout: plain.stdout });
    expect(traced.stderr).toBe(
      `trapdoor: the program runs without trapdoor: its Deno loader needs read access to its packages (${join(ROOT, 'packages/trapdoor')} and their dependencies); ` +
        "run it with 'trapdoor run --runtime deno', which grants what it needs, or give --allow-read\n",
    );
  });

  it('a busy program in a "nodeModulesDir": "none" project, started from another folder, is attached to and paused at its line', async () => {
    write({
      'busy/deno.json': '{ "nodeModulesDir": "none" }\n',
      'busy/busy.js': 'let count = 0;\nfunction step(n) {\n  return n % 7;\n}\nconsole.log("started");\nwhile (true) {\n  count += step(count) + 1;\n}\n',
      'elsewhere/.keep': '',
    });
    const child = spawn(process.execPath, [BIN, 'run', '--runtime', 'deno', join(root, 'busy/busy.js')], {
      cwd: join(root, 'elsewhere'),
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, NO_COLOR: '1' },
    });
    try {
      await started(child);
      const stack = run(process.execPath, [BIN, 'stack', '--json', String(child.pid)], join(root, 'elsewhere'));
      expect(stack.status, stack.stderr).toBe(0);
      const report = JSON.parse(stack.stdout) as { state: string; frames: Array<{ file: string; line: number }>; locals: Array<{ name: string }> };
      expect(report.state).toBe('paused');
      expect(report.frames[0]!.file).toBe(join(root, 'busy/busy.js'));
      // The loop's check (line 6) or step's entry (lines 2-3), whichever the pause met first.
      const line = report.frames[0]!.line;
      expect([2, 3, 6]).toContain(line);
      expect(report.locals.map((l) => l.name)).toContain(line === 6 ? 'count' : 'n');
    } finally {
      child.kill('SIGTERM');
    }
  });
});

function started(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
      out += chunk;
      if (out.includes('started')) resolve();
    });
    child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (err += chunk));
    child.once('exit', (code) => reject(new Error(`exited with ${code} before starting:\n${out}\n${err}`)));
  });
}
