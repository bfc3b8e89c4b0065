/**
 * Uncaught errors under `trapdoor run` as the plain run prints them. Each program in
 * test/error-output/ runs plain and through `trapdoor run --runtime <r>` on Node, Bun and Deno: the
 * exit status, stdout and stderr must be the same, and trapdoor's own files must not appear.
 *
 * Where a runtime gives trapdoor no way to be exact, the test names the difference and allows
 * that one only (every other line must still be the plain run's); `KNOWN` below says why for
 * each. Removing a difference from the code makes its case fail here until its entry goes.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

type Runtime = 'node' | 'bun' | 'deno';

const ROOT = fileURLToPath(new URL('../', import.meta.url));
const DIR = fileURLToPath(new URL('./error-output/', import.meta.url));
const BIN = join(ROOT, 'packages/trapdoor/bin/trapdoor.js');
const EXECUTABLES: Record<Runtime, string> = { node: process.execPath, bun: join(ROOT, 'node_modules/.bin/bun'), deno: join(ROOT, 'node_modules/.bin/deno') };
// Deno needs read permission to require() CommonJS; the same flags go to both runs.
const FLAGS: Record<Runtime, string[]> = { node: [], bun: [], deno: ['--allow-read'] };
const TRAPDOOR_PATHS = [join(ROOT, 'packages/'), join(ROOT, 'node_modules/trapdoor-js'), join(ROOT, 'node_modules/@trapdoor-js')];
const dumps = mkdtempSync(join(tmpdir(), 'trapdoor-error-output-'));
afterAll(() => rmSync(dumps, { recursive: true, force: true }));

interface Output {
  status: number | null;
  stdout: string;
  stderr: string;
}

function spawn(command: string, args: string[], env: NodeJS.ProcessEnv = {}): Output {
  const r = spawnSync(command, args, { cwd: DIR, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env }, timeout: 60_000 });
  if (r.error) throw r.error;
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function plain(runtime: Runtime, program: string): Output {
  const args = runtime === 'deno' ? ['run', ...FLAGS.deno, program] : [program];
  return spawn(EXECUTABLES[runtime], args);
}

let dumpCount = 0;
function underTrapdoor(runtime: Runtime, program: string): Output & { instrumented: Array<{ file: string; sites: number }> } {
  const dump = join(dumps, `${++dumpCount}.json`);
  const out = spawn(process.execPath, [BIN, 'run', '--runtime', runtime, ...FLAGS[runtime], program], { TRAPDOOR_DEBUG_DUMP_MODULES: dump });
  return { ...out, instrumented: existsSync(dump) ? JSON.parse(readFileSync(dump, 'utf8')) : [] };
}

/** Whether line `n` (1-based) of `program` holds a check, with the text the plain run shows for it. */
const lineOf = (program: string, n: number): string => readFileSync(join(DIR, program), 'utf8').split('\n')[n - 1]!;

/**
 * A difference the test allows: it rewrites both outputs the same way (`both`) or drops what only
 * the plain run has (`plain`), so that everything else can be compared exactly.
 */
interface Difference {
  why: string;
  both?: (text: string) => string;
  plain?: (text: string) => string;
  /** A line of trapdoor's that this difference shows (the instrumented line as an excerpt). */
  shows?: (line: string) => boolean;
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');

/**
 * The excerpt and the columns of line `n` of `program`: inserted text sits in front of the
 * error's position on that line (a function entry check, a loop body check). Node prints the
 * compiled line and a caret; Bun the lines from disk with a caret at the compiled column; Deno
 * reads the line from disk and cannot place the column ("Couldn't format source line").
 */
function checkLine(program: string, n: number, why: string): Difference {
  const file = escape(join(DIR, program));
  const source = lineOf(program, n);
  return {
    why,
    shows: (line) => line.includes('__td_F['),
    both: (text) =>
      text
        .split('\n')
        .filter((line) => line !== source && !line.includes('__td_F[') && !/^\s*\^+\s*$/.test(line) && !line.includes("Couldn't format source line"))
        .map((line) => line.replace(new RegExp(`^${n} \\| .*$`), `${n} | <line ${n}>`))
        .join('\n')
        .replace(new RegExp(`((?:file://)?${file}):${n}:\\d+`, 'g'), `$1:${n}:<column>`),
  };
}

/**
 * Node's excerpt is the compiled line. A check in front of a body that starts its own line (an
 * arrow's expression body, a loop body without braces) goes at the end of the line before
 * (packages/transform/src/index.ts, endOfLineBefore), so the body's line keeps its columns and
 * text but for the `)` or `}` that closes the body after it, after the error's position: the
 * plain line is expected as `compiled` there. Bun and Deno print the line from disk.
 */
function closerOnLine(program: string, n: number, compiled: string): Difference {
  const source = lineOf(program, n);
  return {
    why: `Node: the excerpt of line ${n} shows the ')' or '}' that closes a checked body, after the error's position`,
    plain: (text) => text.split('\n').map((line) => (line === source ? compiled : line)).join('\n'),
  };
}

/**
 * Node's excerpt is the compiled line: an error before a body's `{` on its line (a loop's head: a
 * value that is not iterable, a condition that throws) shows the check that follows the `{`, at
 * the end of the line. The column is the plain run's (nothing is inserted before it); Bun and Deno
 * print the line from disk. A check's place is the end of the `{` line because any other line the
 * check could take is one an error may show too, and there the columns would move as well.
 */
function checkAfterError(program: string, n: number): Difference {
  const source = lineOf(program, n);
  const inserted = (line: string) => line.startsWith(source) && line.length > source.length && line.slice(source.length).includes('__td_F[');
  return {
    why: `Node: the excerpt of line ${n} shows the check after the body's '{', after the error's position`,
    shows: inserted,
    both: (text) => text.split('\n').map((line) => (inserted(line) ? source : line)).join('\n'),
  };
}

/**
 * Deno 2.9's `Module.prototype.load`, once any `module.registerHooks` load hook is registered (the
 * loader's, loaders/deno/loader.ts, which ES modules need), runs the hook chain and calls
 * `this._compile(source, filename, 'commonjs')` itself instead of `Module._extensions[ext]`: no
 * `Object.loadCjs [as .cjs]` frame, and the `Module.load` frame is at that call. A hook cannot
 * send a module down Deno's own path: Deno 2.9.5 refuses a result without a source ("Expected a
 * string, an ArrayBuffer, or a TypedArray to be returned for the "source" from the "load" hook",
 * measured), and the hook is registered for every module once it is registered at all.
 */
const DENO_COMMONJS: Difference = {
  why: "Deno: CommonJS goes through the loader's registerHooks load hook, so Deno's own node:module frames differ",
  plain: (text) => text.replace(/^\s+at Object\.loadCjs \[as \.cjs\] \(node:module:\d+:\d+\)\n/m, ''),
  both: (text) => text.replace(/\(node:module:(\d+):\d+\)/g, '(node:module:$1:<column>)'),
};

/**
 * Bun runs CommonJS from a plugin only through `Module.prototype._compile` (bun/commonjs.ts: a
 * plugin's CommonJS text is evaluated as an ES module, oven-sh/bun#39786), which evaluates the text
 * as it is: without Bun's transpiler and its map, with its wrapper in front of line 1. So Bun's
 * excerpt shows the compiled text, one line off and without the lines before the error, and
 * JavaScriptCore's own call positions (the `(` of a call, the `new` of a construction) where Bun's
 * map gives the callee's name. Only the frames' files, lines and functions, the message and the
 * exit status are compared. Near the top, that excerpt includes the transform's runtime bindings
 * (its header on an early line, with the runtime's path: the Bun loader uses the transform's
 * default, as `trapdoor instrument --target bun` does, because binding after the last line
 * costs more, see loaders/bun/register.ts).
 */
const BUN_COMMONJS: Difference = {
  why: 'Bun: CommonJS is compiled by _compile, not by Bun (excerpt and columns)',
  shows: (line) => /^\d+ \| /.test(line),
  both: (text) =>
    text
      .split('\n')
      .filter((line) => !/^\d+ \| /.test(line) && !/^\s*\^\s*$/.test(line))
      .join('\n')
      .replace(/(\.cjs:\d+):\d+\)/g, '$1:<column>)'),
};

interface Case {
  program: string;
  runtimes: Runtime[];
  /** False: the module throws before it registers (see the test). */
  registers?: false;
  /** The module that must have registered, when not the program itself. */
  module?: string;
  /** What of the output is compared, where the plain run itself varies from run to run. */
  compared?: (text: string) => string;
  /** Why a case cannot be exact, per runtime; absent: identical. */
  known?: Partial<Record<Runtime, Difference[]>>;
}

const ALL: Runtime[] = ['node', 'bun', 'deno'];

/**
 * Node prints where the main thread emitted a worker's error; whether that was the worker's
 * message or its exit depends on timing (plain runs differ from each other under load), so those
 * frames of Node's own are left out. The worker's own stack above them is compared.
 */
function withoutWorkerDispatch(text: string): string {
  return text.replace(/(Emitted 'error' event on Worker instance at:\n)(?:\s+at .*\n)+/, '$1');
}
/**
 * A check inserted on the error's line in front of its position moves its column; the runtime maps
 * it back only where it applies a map:
 * - Node applies maps only with source maps enabled. Enabled by trapdoor when the program did not
 *   enable them, it would map every other file that has a `sourceMappingURL` (node_modules' dist
 *   files would show their src/*.ts), and print each frame of a mapped file in its own format:
 *   `at <anonymous> (file:line:col)` for an anonymous function (V8: `at file:line:col`), no
 *   `[as alias]`, names from the map, paths instead of file: URLs for ES modules, and a blank line
 *   more after the excerpt. Measured on Node 20.20 with a program of those: more lines change than
 *   the one column. So columns on a check line stay the instrumented ones (with the program's own
 *   `--enable-source-maps`, CommonJS modules carry the map and print as Node prints mapped frames).
 * - Bun 1.4.5 applies no map of a plugin's output (oven-sh/bun#6173, fixes open in #20865, #30539),
 *   neither an inline `sourceMappingURL` in onLoad contents nor in text given to `_compile`
 *   (measured: the column stays the compiled one).
 * - Deno applies an ES module's inline map (check-line.mjs is exact there), not a CommonJS one's.
 */
const CHECK_LINE = 'the function entry check sits on the error\'s line, in front of it';
const LINE1_BINDINGS = `${CHECK_LINE}, after the runtime bindings the transform puts in front of line 1 when line 1 holds a check`;

const CASES: Case[] = [
  // Nothing is inserted at the top of a file: line 1 is the plain line.
  { program: 'line1.mjs', runtimes: ALL, registers: false },
  { program: 'line1.cjs', runtimes: ALL, registers: false, known: { bun: [BUN_COMMONJS], deno: [DENO_COMMONJS] } },
  { program: 'loop.mjs', runtimes: ALL, registers: false },
  // The header on the blank line 3: the import runs first, then the header, then the loop.
  { program: 'gap.mjs', runtimes: ALL },
  { program: 'async.mjs', runtimes: ALL },
  { program: 'callback.cjs', runtimes: ALL, known: { bun: [BUN_COMMONJS], deno: [DENO_COMMONJS] } },
  { program: 'commonjs.cjs', runtimes: ALL, known: { bun: [BUN_COMMONJS], deno: [DENO_COMMONJS] } },
  // Line 1 holds a check (the function starts there): in CommonJS the transform puts the runtime
  // bindings in front of line 1 (packages/transform/src/index.ts, topWhereLineOneHasChecks: the
  // stand-ins after the last line cost acorn's UMD build 1.10x for 1.07x on Node, 1.22x for 1.08x
  // on Deno, 1.15x for 1.07x on Bun), so an error on line 1 shows the instrumented line and its
  // column moves by the bindings' length too; the check itself is in front of the error anyway.
  {
    program: 'line1-check.cjs',
    runtimes: ALL,
    known: {
      node: [checkLine('line1-check.cjs', 1, `Node: ${LINE1_BINDINGS}`)],
      bun: [BUN_COMMONJS, checkLine('line1-check.cjs', 1, `Bun: ${CHECK_LINE}`)],
      deno: [DENO_COMMONJS, checkLine('line1-check.cjs', 1, `Deno: ${LINE1_BINDINGS} (no map for CommonJS)`)],
    },
  },
  // The same as an ES module: its bindings follow the last line (the import hoists), so line 1 has
  // only the check in front of the error (Deno applies the module's map: exact). It throws before
  // its body has run to the end, where it registers.
  {
    program: 'line1-check.mjs',
    runtimes: ALL,
    registers: false,
    known: {
      node: [checkLine('line1-check.mjs', 1, `Node: ${CHECK_LINE} (no map applied without source maps enabled)`)],
      bun: [checkLine('line1-check.mjs', 1, `Bun: ${CHECK_LINE} (Bun applies no map of a plugin's output)`)],
    },
  },
  // Bodies that start their own line: the arrow's check and the loop's follow the line before, so
  // the error's line (3) and the caller's (5) keep their columns.
  { program: 'next-line.mjs', runtimes: ALL, registers: false, known: { node: [closerOnLine('next-line.mjs', 3, '  `${value.toFixed(1)} units`);')] } },
  {
    program: 'next-line.cjs',
    runtimes: ALL,
    known: { node: [closerOnLine('next-line.cjs', 3, '  `${value.toFixed(1)} units`);')], bun: [BUN_COMMONJS], deno: [DENO_COMMONJS] },
  },
  // An error in a loop's head, on the line whose `{` the check follows.
  { program: 'loop-header.mjs', runtimes: ALL, registers: false, known: { node: [checkAfterError('loop-header.mjs', 2)] } },
  { program: 'loop-header.cjs', runtimes: ALL, registers: false, known: { node: [checkAfterError('loop-header.cjs', 2)], bun: [BUN_COMMONJS], deno: [DENO_COMMONJS] } },
  // A worker thread's uncaught error: V8 names the frames of Node's loader there by the property
  // that holds the function (`Module._compile`, `Object..js`), so those must be data properties
  // holding Node's own functions when the stack is printed. (Deno exits 0 after a worker's error.)
  { program: 'worker.cjs', runtimes: ['node', 'bun'], compared: withoutWorkerDispatch },
  // An ES module importing CommonJS: Node's ES module loader creates the CommonJS module with its text.
  { program: 'imports-cjs.mjs', module: 'imported.cjs', runtimes: ALL, known: { bun: [BUN_COMMONJS], deno: [DENO_COMMONJS] } },
  // Deno applies the inline map of an ES module: exact even on a line with a check.
  { program: 'check-line.mjs', runtimes: ALL, registers: false, known: { node: [checkLine('check-line.mjs', 2, `Node: ${CHECK_LINE} (no map applied without source maps enabled)`)], bun: [checkLine('check-line.mjs', 2, `Bun: ${CHECK_LINE} (Bun applies no map of a plugin's output)`)] } },
  {
    program: 'check-line.cjs',
    runtimes: ALL,
    known: {
      node: [checkLine('check-line.cjs', 2, `Node: ${CHECK_LINE} (no map applied without source maps enabled)`)],
      bun: [BUN_COMMONJS, checkLine('check-line.cjs', 2, `Bun: ${CHECK_LINE}`)],
      deno: [DENO_COMMONJS, checkLine('check-line.cjs', 2, `Deno: ${CHECK_LINE} (no map for CommonJS)`)],
    },
  },
  // TypeScript as Bun and Deno run it: compiled by the runtime, its own map applied.
  { program: 'app.ts', runtimes: ['bun', 'deno'] },
];

describe.each(ALL)('uncaught errors under trapdoor run --runtime %s', (runtime) => {
  const cases = CASES.filter((c) => c.runtimes.includes(runtime));
  it.each(cases.map((c) => [c.program, c] as const))('%s: the plain run\'s stderr and exit status', (program, c) => {
    const expected = plain(runtime, program);
    const actual = underTrapdoor(runtime, program);
    expect(expected.status, expected.stderr).not.toBe(0);
    expect(expected.stderr).toMatch(/Error/);
    // The program was really instrumented: its module registered before the error. Not so for a
    // module that throws at its top level before registering: line 1 throws before anything; an
    // ES module whose first line holds code binds the runtime after its last line and registers
    // when its body has run or it first traps. Deno writes no dump when an uncaught error ends it;
    // its CommonJS cases show the instrumented columns below.
    if (c.registers !== false && runtime !== 'deno') expect(actual.instrumented.map((m) => m.file)).toContain(join(DIR, c.module ?? program));

    for (const path of TRAPDOOR_PATHS) {
      const shown = (line: string) => (c.known?.[runtime] ?? []).some((d) => d.shows?.(line));
      expect(actual.stderr.split('\n').filter((line) => line.includes(path) && !shown(line))).toEqual([]);
    }
    expect(actual.status).toBe(expected.status);
    expect(actual.stdout).toBe(expected.stdout);

    let want = c.compared ? c.compared(expected.stderr) : expected.stderr;
    let got = c.compared ? c.compared(actual.stderr) : actual.stderr;
    for (const d of c.known?.[runtime] ?? []) {
      if (d.plain) want = d.plain(want);
      if (d.both) {
        want = d.both(want);
        got = d.both(got);
      }
    }
    expect(got).toBe(want);
    if (c.known?.[runtime]) expect(actual.stderr, 'a known difference is gone: remove it from CASES').not.toBe(expected.stderr);
  });
});
