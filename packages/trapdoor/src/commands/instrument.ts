/**
 * `trapdoor instrument <file|dir> -o <out>`: writes instrumented copies and their source maps,
 * for debug builds of programs that run without a loader hook (Deno, production images).
 *
 * Everything is instrumented in memory before anything is written, so a syntax error anywhere
 * leaves the output exactly as it was.
 */
import { statSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { parseOrUsage } from '../args.js';
import { CliError } from '../errors.js';
import { discover, DEFAULT_EXCLUDES, relativeOrAbsolute } from '../instrument/discover.js';
import { ModuleTypes, type ModuleType } from '../instrument/module-type.js';
import { transformFile } from '../instrument/transform-file.js';
import type { Target } from '@trapdoor-js/transform';

const TARGETS = ['any', 'node', 'deno', 'bun'] as const;
import { writeAll, type Output } from '../instrument/write.js';

export const INSTRUMENT_USAGE = `Usage: trapdoor instrument <file|dir> -o <out> [options]

Writes instrumented copies of JavaScript and TypeScript files, each with a source map back to
its original source, for programs run without a loader hook (Deno, production debug builds).

A file: writes <out> (or <out>/<name> when <out> is a directory or ends with '/') and <out>.map.
A directory: mirrors it under <out>. Files ending .js .mjs .cjs .jsx .ts .tsx .mts .cts that
match --include and no --exclude are instrumented; every other file is copied as it is, so <out>
is a working copy of the tree. Files the transform leaves alone (no loops or functions,
/* trapdoor-ignore-file */, already instrumented) are copied too. If any file fails to parse,
nothing is written.

Options:
  -o, --out <path>        where to write (required; not the input directory or inside it)
  --include <glob>        instrument only files matching <glob>, relative to the input directory
                          (repeatable; default: every file with one of the extensions above)
  --exclude <glob>        do not instrument files matching <glob> (repeatable); always excluded:
                          ${DEFAULT_EXCLUDES.join(', ')}
  --runtime <specifier>   the module instrumented code imports (default: @trapdoor-js/runtime)
  --module-type esm|cjs   import the runtime with import (esm) or require (cjs) in every file
                          (default: per file, from .mjs .mts .cjs .cts, else the nearest
                          package.json "type", else the file's own import/export syntax)
  --inline-map            put the source map in the file as a data URL, not in <out>.map
  --target any|node|deno|bun
                          the runtime the output will run on (default: any). node and deno
                          get a cheaper check (one load, no store) that never fires on Bun
  -h, --help              show this help

An input file's own source map (inline, or a file named by its //# sourceMappingURL comment) is
chained: the new map leads back to the original source, e.g. the TypeScript a .js was built from.

Exit status: 0 written, 1 a file failed (nothing written), 2 bad command line or input.
`;

const OPTIONS = {
  out: { type: 'string', short: 'o' },
  include: { type: 'string', multiple: true },
  exclude: { type: 'string', multiple: true },
  runtime: { type: 'string' },
  'module-type': { type: 'string' },
  'inline-map': { type: 'boolean', default: false },
  target: { type: 'string' },
  help: { type: 'boolean', short: 'h', default: false },
} as const;

interface InstrumentArgs {
  input: string;
  out: string;
  include: string[];
  exclude: string[];
  runtime?: string;
  moduleType?: ModuleType;
  inlineMap: boolean;
  target?: Target;
}

export async function instrumentCommand(argv: string[]): Promise<number> {
  const { values, positionals } = parseOrUsage(INSTRUMENT_USAGE, () =>
    parseArgs({ args: argv, options: OPTIONS, strict: true, allowPositionals: true }),
  );
  if (values.help) {
    process.stdout.write(INSTRUMENT_USAGE);
    return 0;
  }
  runInstrument(checkArgs(values, positionals));
  return 0;
}

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];

function checkArgs(values: Values, positionals: string[]): InstrumentArgs {
  const usage = (message: string) => new CliError('ERR_TRAPDOOR_USAGE', message, { usage: INSTRUMENT_USAGE });
  if (positionals.length === 0) throw usage('missing the input: a file or directory');
  if (positionals.length > 1) throw usage(`expected one input, got ${positionals.length}: ${positionals.join(' ')}`);
  if (values.out === undefined || values.out === '') throw usage("missing option '-o, --out <path>'");
  const moduleType = values['module-type'];
  if (moduleType !== undefined && moduleType !== 'esm' && moduleType !== 'cjs') {
    throw usage(`option '--module-type' must be esm or cjs, not '${moduleType}'`);
  }
  if (values.runtime === '') throw usage("option '--runtime' needs a module specifier");
  const target = values.target;
  if (target !== undefined && !(TARGETS as readonly string[]).includes(target)) throw usage(`option '--target' must be ${TARGETS.join(', ')}, not '${target}'`);
  return {
    input: positionals[0]!,
    out: values.out,
    include: values.include ?? [],
    exclude: values.exclude ?? [],
    runtime: values.runtime,
    moduleType,
    inlineMap: values['inline-map'],
    target: target as Target | undefined,
  };
}

function runInstrument(args: InstrumentArgs): void {
  const started = performance.now();
  const warn = (message: string) => process.stderr.write(`trapdoor instrument: warning: ${message}\n`);
  const plan = discover(args.input, args.out, args);
  const moduleTypes = new ModuleTypes();

  const outputs: Output[] = [];
  const failures: string[] = [];
  let instrumented = 0;
  let sites = 0;
  for (const entry of plan.entries) {
    if (entry.kind !== 'instrument') {
      outputs.push(entry);
      continue;
    }
    let result;
    try {
      const moduleType = args.moduleType ?? moduleTypes.of(entry.source);
      result = transformFile(entry.source, entry.dest, { ...args, moduleType, display: relativeOrAbsolute, warn });
    } catch (error) {
      failures.push(describeFailure(error, entry.source)); // and carry on, to report every failing file at once
      continue;
    }
    if (!result.changed) {
      if (!plan.directory) process.stderr.write(`trapdoor instrument: ${args.input} is copied unchanged: ${result.reason}\n`);
      outputs.push({ kind: 'copy', dest: entry.dest, source: entry.source });
      continue;
    }
    instrumented++;
    sites += result.sites;
    outputs.push({ kind: 'text', dest: entry.dest, text: result.code, mode: statSync(entry.source).mode });
    if (result.map) outputs.push({ kind: 'text', dest: result.map.dest, text: result.map.text });
  }

  if (failures.length > 0) {
    const files = plan.entries.filter((e) => e.kind === 'instrument').length;
    throw new CliError('ERR_TRAPDOOR_INPUT', `${failures.length} of ${count(files, 'file')} could not be instrumented; nothing was written`, { details: failures });
  }

  // A new map wins over a file of the same name from the input (usually the old map it replaces).
  const generated = new Set(outputs.filter((o) => o.kind === 'text').map((o) => o.dest));
  const final = outputs.filter((o) => o.kind === 'text' || !generated.has(o.dest));
  writeAll(final, relativeOrAbsolute);

  const copied = final.filter((o) => o.kind === 'copy').length;
  const seconds = ((performance.now() - started) / 1000).toFixed(2);
  process.stderr.write(
    `trapdoor instrument: ${count(instrumented, 'file')} instrumented, ${count(copied, 'file')} copied, ${count(sites, 'site')} inserted, in ${seconds}s\n`,
  );
}

/** A syntax error as `path:line:column: message` and its code frame; anything else with the file named. */
function describeFailure(error: unknown, source: string): string {
  const e = error as { code?: string; message?: string; stack?: string };
  const name = relativeOrAbsolute(source);
  if (e?.code === 'ERR_TRAPDOOR_SYNTAX' && typeof e.message === 'string') {
    // The transform names the file as we passed it (absolute); show it as the user would type it.
    return e.message.startsWith(`${source}:`) ? name + e.message.slice(source.length) : e.message;
  }
  if (typeof e?.code === 'string' && e.code.startsWith('ERR_TRAPDOOR_')) return `${name}: ${e.message}`;
  if (typeof (error as { syscall?: unknown })?.syscall === 'string') return `${name}: cannot read it: ${e.message}`;
  // Not a known failure of the input: a bug in trapdoor, so keep the stack.
  return `${name}: internal error: ${e?.stack ?? String(error)}`;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
