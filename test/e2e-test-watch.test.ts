/**
 * Watch mode under `trapdoor test`, each runner with its own watch flag, on real projects
 * (test/test-runners/watch/<runner>/: src/sum.js, test/edit.test.js importing it, test/other.test.js)
 * copied outside the repository with node_modules linked to the repository's:
 * `vitest --watch` (Vitest's watch without a TTY), `jest --watchAll` (Jest's --watch needs git),
 * `node --test --watch`, `bun test --watch`.
 *
 * Each runner is started twice at once, plain and under trapdoor test, in copies of the fixture.
 * After the first run's summary:
 *  1. src/sum.js is edited (a comment), then other.test.js: both rerun the same test files (Vitest
 *     and node:test only the files that import the edited one, through trapdoor's instrumented
 *     modules: other.test.js alone the second time; Jest and Bun all);
 *  2. under trapdoor only (the plain run would spin for ever): the test in edit.test.js is made
 *     stuck (`spin = true` before `while (spin) {}`): the rerun fails it in the runner's own format,
 *     with trapdoor's StuckError at edit.test.js's `while (spin)` line and column, and the process
 *     stays alive, watching;
 *     (the plain watcher gets a test that throws instead, so that both sessions had a failure);
 *  3. the edit is undone: the rerun passes it (the new code runs, not a cached copy);
 *  4. SIGINT (Ctrl-C): both exit with the same status, and nothing they started is left running.
 * `jest --watch` (only the files changed since the last commit) runs in the fixture made a git
 * repository: an edit reruns that file alone, as in the plain watcher, and a stuck one fails.
 * Jest's project has a watch plugin of its own (it prints a line after every run: under trapdoor
 * test too). Vitest runs with its threads pool as well. Vitest's default watch (no `run`, stdin a TTY) runs too, in a pseudo-terminal (util-linux's
 * `script`), and quits with `q`.
 * Every step waits on output, never on time; a process still running after RUN_LIMIT_MS is killed
 * with its descendants, and a step that waits longer than STEP_LIMIT_MS fails the test.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { constants, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { descendants, repoRoot } from './e2e/harness.js';
import { userEnv } from './helpers/test-run.js';

const FIXTURES = fileURLToPath(new URL('./test-runners/watch/', import.meta.url));
const TRAPDOOR = join(repoRoot, 'packages', 'trapdoor', 'bin', 'trapdoor.js');
const BIN = join(repoRoot, 'node_modules', '.bin');
/** A watcher still running after this is killed (with its descendants): the test fails instead of hanging. */
const RUN_LIMIT_MS = 55_000;
/** The longest one step (a run, a rerun, an exit) may take before the test fails saying which. */
const STEP_LIMIT_MS = 40_000;

let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'trapdoor-e2e-watch-'));
});

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

function project(fixture: string): string {
  const dir = mkdtempSync(join(work, `${fixture}-`));
  cpSync(join(FIXTURES, fixture), dir, { recursive: true });
  symlinkSync(join(repoRoot, 'node_modules'), join(dir, 'node_modules'), 'dir');
  return dir;
}

/** `file:line:column` (1-based) of `text` in a fixture file. */
function at(fixture: string, file: string, text: string): string {
  const lines = readFileSync(join(FIXTURES, fixture, file), 'utf8').split('\n');
  const index = lines.findIndex((line) => line.includes(text));
  if (index < 0) throw new Error(`${text} is not in ${fixture}/${file}`);
  return `${file}:${index + 1}:${lines[index]!.indexOf(text) + 1}`;
}

/** Edits a file in place (same inode, as an editor that writes the file does). */
function edit(dir: string, file: string, from: string, to: string): void {
  const path = join(dir, file);
  const text = readFileSync(path, 'utf8');
  if (!text.includes(from)) throw new Error(`${from} is not in ${path}`);
  writeFileSync(path, text.replace(from, to));
}

// Terminal control sequences (Vitest clears the screen before a rerun).
const CONTROL = /\x1b(?:\[[0-9;?]*[A-Za-z]|[A-Za-z])/g;

/** A watcher process: its output so far, and waits on it. */
class Watcher {
  readonly child: ChildProcess;
  private text = '';
  private closed: { status: number | null; signal: NodeJS.Signals | null } | undefined;
  private readonly waiters = new Set<() => void>();
  private readonly limit: NodeJS.Timeout;
  /** Its descendants while it ran (the runner, its workers), to check that they are gone at the end. */
  private seen = new Set<number>();

  constructor(
    readonly name: string,
    argv: readonly string[],
    readonly cwd: string,
    private readonly tty = false,
  ) {
    // In a pseudo-terminal (util-linux's script): the runner sees a TTY, as in a developer's shell,
    // and its keys (q) come through our stdin. Without CI, which turns Vitest's default watch off.
    const env = tty ? { ...userEnv({ NO_COLOR: '1', FORCE_COLOR: '0' }, { plainOutput: false }), CI: undefined } : userEnv();
    const [program, ...args] = tty ? ['script', '-qfec', argv.map(quote).join(' '), '/dev/null'] : argv;
    this.child = spawn(program!, args, { cwd, env, stdio: ['pipe', 'pipe', 'pipe'] });
    const take = (chunk: string) => {
      this.text += chunk.replace(CONTROL, '').replace(/\r\n?/g, '\n');
      for (const pid of descendants(this.child.pid!)) this.seen.add(pid);
      for (const wake of this.waiters) wake();
    };
    this.child.stdout!.setEncoding('utf8').on('data', take);
    this.child.stderr!.setEncoding('utf8').on('data', take);
    this.limit = setTimeout(() => {
      this.text += `\n[killed after ${RUN_LIMIT_MS} ms]`;
      this.kill();
    }, RUN_LIMIT_MS);
    this.child.once('close', (status, signal) => {
      clearTimeout(this.limit);
      this.closed = { status, signal };
      for (const wake of this.waiters) wake();
    });
  }

  get output(): string {
    return this.text;
  }

  /** Where the output is now: waits look at what comes after it. */
  mark(): number {
    return this.text.length;
  }

  /** Resolves with the output after `from` once `pattern` appears in it; rejects when it exits first or after STEP_LIMIT_MS. */
  waitFor(pattern: RegExp, from: number, step: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const after = this.text.slice(from);
        if (pattern.test(after)) return done(() => resolve(after));
        if (this.closed !== undefined) return done(() => reject(new Error(`${this.name}: exited (${JSON.stringify(this.closed)}) before ${step}:\n${this.text}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`${this.name}: no ${step} after ${STEP_LIMIT_MS} ms:\n${this.text}`))), STEP_LIMIT_MS);
      const done = (settle: () => void) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        settle();
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Its end; rejects after STEP_LIMIT_MS. */
  private exited(): Promise<void> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (this.closed !== undefined) done(resolve);
      };
      const timer = setTimeout(() => done(() => reject(new Error(`${this.name}: still running ${STEP_LIMIT_MS} ms after it was stopped:\n${this.text}`))), STEP_LIMIT_MS);
      const done = (settle: () => void) => {
        clearTimeout(timer);
        this.waiters.delete(check);
        settle();
      };
      this.waiters.add(check);
      check();
    });
  }

  get running(): boolean {
    return this.closed === undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  /** SIGINT (as Ctrl-C sends), or the runner's quit key in a terminal; then its end: status and signal, and the descendants still alive after it. */
  async stop(): Promise<{ status: number | null; signal: NodeJS.Signals | null; leftOver: number[] }> {
    for (const pid of descendants(this.child.pid!)) this.seen.add(pid);
    if (this.tty) this.child.stdin!.write('q');
    else this.child.kill('SIGINT');
    await this.exited();
    const leftOver = [...this.seen].filter((pid) => {
      try {
        process.kill(pid, 0);
        return readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2] !== 'Z';
      } catch {
        return false;
      }
    });
    return { ...this.closed!, leftOver };
  }

  kill(): void {
    for (const pid of [...descendants(this.child.pid!), this.child.pid!]) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
}

interface RunnerCase {
  /** How the case is named. */
  name: string;
  fixture: string;
  /** Run in a pseudo-terminal and quit with `q` (instead of SIGINT). */
  tty?: boolean;
  /** The runner's own watch command, run in the project. */
  command: string[];
  /** A run's summary, passed / failed. */
  passed: RegExp;
  failed: RegExp;
  /** The test files (or tests) a run's report names, to compare what reruns. */
  reported(run: string): string[];
  /** The stuck test's failure, in the runner's own format. */
  stuck: RegExp;
}

/** A word for `sh -c` (script runs the command through the shell). */
const quote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;
const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const unique = (items: Iterable<string>) => [...new Set(items)].sort();
const where = (fixture: string) => escape(at(fixture, 'test/edit.test.js', 'while (spin)'));

const CASES: RunnerCase[] = [
  {
    name: 'vitest --watch',
    fixture: 'vitest',
    command: [join(BIN, 'vitest'), '--watch'],
    passed: /PASS\s+Waiting for file changes/,
    failed: /FAIL\s+Tests failed\. Watching for file changes/,
    reported: (run) => unique([...run.matchAll(/^\s*[✓×❯] (test\/[\w.]+\.test\.js)/gm)].map((m) => m[1]!)),
    stuck: new RegExp(`FAIL\\s+test/edit\\.test\\.js > edited\\nStuckError: Test timed out in 1000ms\\.\\n[^\\n]*\\ntrapdoor: stuck in a synchronous loop at ${where('vitest')}\\n`),
  },
  {
    name: 'jest --watchAll',
    fixture: 'jest',
    command: [join(BIN, 'jest'), '--watchAll'],
    // A run's summary, and the line the project's watch plugin prints after each run (in either order).
    passed: /Tests:\s+2 passed, 2 total(?=[\s\S]*?Ran all test suites\.)(?=[\s\S]*?watch plugin: a run of 2 tests)/,
    failed: /Tests:\s+1 failed, 1 passed, 2 total(?=[\s\S]*?Ran all test suites\.)(?=[\s\S]*?watch plugin: a run of 2 tests)/,
    reported: (run) => unique([...run.matchAll(/^(?:PASS|FAIL) (test\/[\w.]+\.test\.js)/gm)].map((m) => m[1]!)),
    stuck: new RegExp(`FAIL test/edit\\.test\\.js\\n\\s*● edited\\n\\s*StuckError: Exceeded timeout of 1000 ms for a test\\.\\n[^\\n]*\\n\\s*trapdoor: stuck in a synchronous loop at ${where('jest')}\\n`),
  },
  {
    name: 'node --test --watch',
    fixture: 'node-test',
    command: [process.execPath, '--test', '--watch', '--test-reporter=tap', 'test/edit.test.js', 'test/other.test.js'],
    passed: /^# fail 0$/m,
    failed: /^# fail 1$/m,
    reported: (run) => unique([...run.matchAll(/^(?:not ok|ok) \d+ - (\w+)$/gm)].map((m) => m[1]!)),
    stuck: new RegExp(`not ok \\d+ - edited\\n[\\s\\S]*?error: \\|-\\n\\s*test timed out after 1000ms\\n\\s*trapdoor: stuck in a synchronous loop at ${where('node-test')}\\n[\\s\\S]*?name: 'StuckError'`),
  },
  {
    name: 'bun test --watch',
    fixture: 'bun-test',
    command: [join(BIN, 'bun'), 'test', '--watch'],
    passed: /^\s*2 pass\n\s*0 fail\n[\s\S]*?Ran 2 tests across 2 files\./m,
    failed: /^\s*1 pass\n\s*1 fail\n[\s\S]*?Ran 2 tests across 2 files\./m,
    reported: (run) => unique([...run.matchAll(/^\((?:pass|fail)\) (\w+)/gm)].map((m) => m[1]!)),
    stuck: new RegExp(`StuckError: this test timed out after 1000ms\\.\\ntrapdoor: stuck in a synchronous loop at ${where('bun-test')}\\n[\\s\\S]*?\\(fail\\) edited`),
  },
];
// The threads pool: each rerun's test runs in a worker thread, with that thread's own deadline.
CASES.push({ ...CASES[0]!, name: 'vitest --watch --pool=threads', command: [join(BIN, 'vitest'), '--watch', '--pool=threads'] });
// In a terminal: Vitest's default (watch without `run` when stdin is a TTY), quit with q.
CASES.push({ ...CASES[0]!, name: 'vitest (a terminal, its default watch)', tty: true, command: [join(BIN, 'vitest')] });

const hasScript = spawnSync('script', ['--version']).status === 0;

describe.each(CASES)('$name', (runner) => {
  it.skipIf(runner.tty === true && !hasScript)(
    `reruns on edits as the plain watcher does, fails a test made stuck at its place, passes it again, and exits on ${runner.tty ? 'q' : 'SIGINT'}`,
    async () => {
      const plain = new Watcher(`plain ${runner.name}`, runner.command, project(runner.fixture), runner.tty);
      const watched = new Watcher(`trapdoor test ${runner.name}`, [process.execPath, TRAPDOOR, 'test', '--', ...runner.command], project(runner.fixture), runner.tty);
      const dir = watched.cwd;
      try {
        const first = await Promise.all([plain, watched].map((w) => w.waitFor(runner.passed, 0, 'first run')));
        expect(runner.reported(first[1]!)).toEqual(runner.reported(first[0]!));
        /** The same edit in both projects (`text` may differ per watcher); each one's output of the run it starts. */
        const afterEdit = (file: string, text: (w: Watcher) => [from: string, to: string], until: RegExp, what: (w: Watcher) => string) =>
          Promise.all(
            [plain, watched].map((w) => {
              const from = w.mark();
              edit(w.cwd, file, ...text(w));
              return w.waitFor(until, from, what(w));
            }),
          );

        // 1. A source file both test files import: the same files rerun as in the plain watcher.
        const sourceEdit = await afterEdit('src/sum.js', () => ['let total = 0;', 'let total = 0; // edited'], runner.passed, () => 'a rerun after src/sum.js changed');
        expect(runner.reported(sourceEdit[1]!).length).toBeGreaterThan(0);
        expect(runner.reported(sourceEdit[1]!)).toEqual(runner.reported(sourceEdit[0]!));

        // 1b. One test file: Vitest and node:test rerun it alone, Jest and Bun all, in both.
        const testEdit = await afterEdit('test/other.test.js', () => ['// edit: 0', '// edit: 1'], runner.passed, () => 'a rerun after other.test.js changed');
        expect(runner.reported(testEdit[1]!).length).toBeGreaterThan(0);
        expect(runner.reported(testEdit[1]!)).toEqual(runner.reported(testEdit[0]!));

        // 2. The test made stuck: it fails at its place, and the watcher goes on. (The plain watcher,
        // which would spin for ever, gets a test that throws instead: it fails too, for step 4.)
        const breakage = (w: Watcher) => (w === plain ? "const spin = false; throw new Error('broken');" : 'const spin = true;');
        const broken = await afterEdit('test/edit.test.js', (w) => ['const spin = false;', breakage(w)], runner.failed, (w) => `a failing rerun after edit.test.js ${w === plain ? 'broke' : 'got stuck'}`);
        expect(broken[1]).toMatch(runner.stuck);
        expect(broken[0]).not.toContain('StuckError');
        expect(watched.running).toBe(true);

        // 3. Undone: the rerun runs the new code and passes.
        const fixed = await afterEdit('test/edit.test.js', (w) => [breakage(w), 'const spin = false;'], runner.passed, () => 'a passing rerun after edit.test.js was fixed');
        expect(fixed[1]).not.toContain('StuckError');
        expect(watched.running).toBe(true);

        // 4. Ctrl-C (or q) ends both, and what they started.
        const [plainEnd, end] = await Promise.all([plain.stop(), watched.stop()]);
        // The exit status a shell reports (128 + N for signal N) is the plain watcher's.
        const shellStatus = (e: { status: number | null; signal: NodeJS.Signals | null }) => e.status ?? 128 + (e.signal === null ? 0 : constants.signals[e.signal]);
        expect(shellStatus(end), watched.output).toBe(shellStatus(plainEnd));
        expect(end.leftOver, watched.output).toEqual([]);
        expect(plainEnd.leftOver, plain.output).toEqual([]);
        expect(watched.output).not.toContain('[killed after');
      } finally {
        plain.kill();
        watched.kill();
      }
    },
    RUN_LIMIT_MS + 5_000,
  );
});

describe('jest --watch (files changed since the last commit, told by git)', () => {
  const hasGit = spawnSync('git', ['--version']).status === 0;

  /** The fixture as a git repository with everything committed, as `jest --watch` needs. */
  function repository(): string {
    const dir = project('jest');
    writeFileSync(join(dir, '.gitignore'), 'node_modules\n');
    const git = (...args: string[]) => {
      const result = spawnSync('git', ['-c', 'user.name=trapdoor', '-c', 'user.email=trapdoor@example.invalid', ...args], { cwd: dir, encoding: 'utf8' });
      if (result.status !== 0) throw new Error(`git ${args.join(' ')}: ${result.stderr}`);
    };
    git('init', '-q');
    git('add', '.');
    git('commit', '-q', '-m', 'fixture');
    return dir;
  }

  it.skipIf(!hasGit)(
    'reruns only the changed test file as the plain watcher does, fails it at its place when stuck, and exits on SIGINT',
    async () => {
      const command = [join(BIN, 'jest'), '--watch'];
      const plain = new Watcher('plain jest --watch', command, repository());
      const watched = new Watcher('trapdoor test jest --watch', [process.execPath, TRAPDOOR, 'test', '--', ...command], repository());
      try {
        // Nothing changed yet: no test runs.
        await Promise.all([plain, watched].map((w) => w.waitFor(/No tests found related to files changed since last commit\.[\s\S]*?watch plugin: a run of 0 tests/, 0, 'the first (empty) run')));

        const reruns = await Promise.all(
          [plain, watched].map((w) => {
            const from = w.mark();
            edit(w.cwd, 'test/other.test.js', '// edit: 0', '// edit: 1');
            return w.waitFor(/Tests:\s+1 passed, 1 total[\s\S]*?watch plugin: a run of 1 tests/, from, 'a rerun after other.test.js changed');
          }),
        );
        const files = (run: string) => unique([...run.matchAll(/^(?:PASS|FAIL) (test\/[\w.]+\.test\.js)/gm)].map((m) => m[1]!));
        expect(files(reruns[1]!)).toEqual(['test/other.test.js']);
        expect(files(reruns[1]!)).toEqual(files(reruns[0]!));

        const from = watched.mark();
        edit(watched.cwd, 'test/edit.test.js', 'const spin = false;', 'const spin = true;');
        const stuck = await watched.waitFor(/Tests:\s+1 failed, 1 passed, 2 total[\s\S]*?watch plugin: a run of 2 tests/, from, 'a failing rerun after edit.test.js got stuck');
        expect(stuck).toMatch(CASES.find((c) => c.fixture === 'jest')!.stuck);
        expect(watched.running).toBe(true);

        const [plainEnd, end] = await Promise.all([plain.stop(), watched.stop()]);
        expect(end.leftOver, watched.output).toEqual([]);
        expect(plainEnd.leftOver, plain.output).toEqual([]);
      } finally {
        plain.kill();
        watched.kill();
      }
    },
    RUN_LIMIT_MS + 5_000,
  );
});
