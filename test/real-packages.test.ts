/**
 * Real code no one here wrote: acorn, marked, terser, prettier and typescript are copied from
 * node_modules to test/.tmp/pkgs/<name>/ with every .js/.mjs/.cjs file instrumented (module type
 * as Node decides it), then real workloads run on the original and on the instrumented copy in
 * child processes and must produce byte-identical output — also with every check trapping (the
 * trap handler writes every captured local back unchanged).
 *
 * Sizes and times are reported (console + test/.tmp/pkgs-report.json), never asserted.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { HELPERS_DIR, ROOT, TMP_DIR, ensureDir, freshDir, readStats, runNode, writeFile, type TrapStats } from './helpers/corpus.js';

const PKGS_DIR = path.join(TMP_DIR, 'pkgs');
const OUT_DIR = path.join(TMP_DIR, 'pkgs-out');
const WORKLOAD = path.join(HELPERS_DIR, 'workload.mjs');
const INSTRUMENT = path.join(HELPERS_DIR, 'instrument-packages.mjs');
const TRAP_ALL = pathToFileURL(path.join(HELPERS_DIR, 'trap-all.mjs')).href;
const OBSERVE = pathToFileURL(path.join(HELPERS_DIR, 'observe.mjs')).href;

const PACKAGES = ['acorn', 'marked', 'terser', 'prettier', 'typescript'] as const;
type Pkg = (typeof PACKAGES)[number];

/** workload → package it exercises. Every workload also runs with every check trapping. */
const WORKLOADS: Record<string, Pkg> = {
  'acorn-parse': 'acorn', // prettier/index.mjs (680 KB) → full AST JSON with locations
  'acorn-parse-big': 'acorn', // typescript/lib/typescript.js (9 MB) → hash of a full AST walk
  'marked-render': 'marked', // ~830 KB of real markdown → HTML, custom renderer, lexer
  'terser-minify': 'terser', // acorn.js + marked.esm.js, compress (2 passes) + mangle
  'prettier-format': 'prettier', // a JS, a markdown and a TypeScript file
  'typescript-emit': 'typescript', // type-check + emit JS/.d.ts of @jridgewell/{gen,trace}-mapping/src, transpileModule
};

interface PackageReport {
  files: number;
  bytesIn: number;
  bytesOut: number;
  sites: number;
  ms: number;
  totalBytes: number;
  largest: { file: string; bytesIn: number; bytesOut: number; sites: number; ms: number } | null;
  errors: string[];
}
interface WorkloadLine {
  workload: string;
  bytes: number;
  sha256: string;
  ms: number;
}
type Mode = 'original' | 'instrumented' | 'trap-all';

let instrumentation: Record<Pkg, PackageReport> | undefined;
let instrumentationError: string | undefined;
let instrumentWallMs = 0;
const timings: Record<string, Partial<Record<Mode, { workloadMs: number; processMs: number; bytes: number; traps?: number }>>> = {};

beforeAll(() => {
  ensureDir(TMP_DIR);
  freshDir(OUT_DIR);
  const start = Date.now();
  const r = runNode([INSTRUMENT, PKGS_DIR, ...PACKAGES], { timeout: 300_000 });
  instrumentWallMs = Date.now() - start;
  if (r.code !== 0) instrumentationError = `instrument-packages.mjs exited ${r.code} ${r.signal ?? ''}\n${r.stderr}`;
  else instrumentation = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<Pkg, PackageReport>;
}, 300_000);

afterAll(() => {
  const report = { instrumentWallMs, instrumentation, workloads: timings };
  writeFile(path.join(TMP_DIR, 'pkgs-report.json'), JSON.stringify(report, null, 2));
  const lines: string[] = ['', `real packages: instrumenting all five packages took ${instrumentWallMs} ms (one child process)`];
  for (const [name, p] of Object.entries(instrumentation ?? {})) {
    lines.push(
      `  ${name.padEnd(10)} ${String(p.files).padStart(3)} files  ${(p.bytesIn / 1e6).toFixed(2)} MB -> ${(p.bytesOut / 1e6).toFixed(2)} MB  ${p.sites} sites  ${p.ms} ms` +
        (p.largest ? `  (largest ${p.largest.file}: ${(p.largest.bytesIn / 1e6).toFixed(2)} MB, ${p.largest.ms} ms)` : ''),
    );
  }
  for (const [w, modes] of Object.entries(timings)) {
    lines.push(`  ${w.padEnd(16)} ` + Object.entries(modes).map(([m, t]) => `${m} ${t!.workloadMs} ms (process ${t!.processMs} ms${t!.traps !== undefined ? `, ${t!.traps} traps` : ''})`).join(' | '));
  }
  console.log(lines.join('\n'));
});

function report(): Record<Pkg, PackageReport> {
  if (instrumentationError) throw new Error(instrumentationError);
  return instrumentation!;
}

function runWorkload(workload: string, mode: Mode): { line: WorkloadLine; output: string; stats: TrapStats | null } {
  const pkg = WORKLOADS[workload]!;
  const pkgDir = mode === 'original' ? path.join(ROOT, 'node_modules', pkg) : path.join(PKGS_DIR, pkg);
  const outFile = path.join(OUT_DIR, `${workload}.${mode}.out`);
  const statsFile = path.join(OUT_DIR, `${workload}.${mode}.stats.json`);
  const preload = mode === 'trap-all' ? ['--import', TRAP_ALL] : mode === 'instrumented' ? ['--import', OBSERVE] : [];
  const start = Date.now();
  const r = runNode(['--max-old-space-size=2048', ...preload, WORKLOAD, workload, pkgDir, outFile], {
    timeout: 170_000,
    env: { TRAPDOOR_TEST_STATS: mode === 'original' ? undefined : statsFile },
  });
  const processMs = Date.now() - start;
  if (r.code !== 0) throw new Error(`${workload} (${mode}) exited ${r.code} ${r.signal ?? ''}\n${r.stderr.slice(0, 4000)}`);
  const line = JSON.parse(r.stdout.trim().split('\n').pop()!) as WorkloadLine;
  const stats = mode === 'original' ? null : readStats(statsFile);
  (timings[workload] ??= {})[mode] = { workloadMs: line.ms, processMs, bytes: line.bytes, traps: stats?.traps };
  return { line, output: readFileSync(outFile, 'utf8'), stats };
}

describe.each(PACKAGES)('instrumenting %s', (pkg) => {
  test('every .js/.mjs/.cjs file instruments without error', () => {
    const p = report()[pkg];
    expect(p.errors).toEqual([]);
    expect(p.files).toBeGreaterThan(0);
    expect(p.sites).toBeGreaterThan(0);
    expect(p.bytesOut).toBeGreaterThan(p.bytesIn);
  });
});

const originals = new Map<string, { line: WorkloadLine; output: string }>();
function original(workload: string) {
  let o = originals.get(workload);
  if (!o) {
    o = runWorkload(workload, 'original');
    originals.set(workload, o);
  }
  return o;
}

/** The run really used the instrumented copy of the package (its modules registered / trapped). */
function expectInstrumentedCopyLoaded(stats: TrapStats | null, pkg: Pkg, mode: Mode): void {
  expect(stats, 'the preload wrote its statistics').not.toBeNull();
  expect(stats!.problems).toEqual([]);
  const prefix = path.join(PKGS_DIR, pkg) + path.sep;
  const fromCopy = stats!.modules.filter((m) => m.file.startsWith(prefix));
  expect(fromCopy.length, `instrumented modules of ${pkg} that registered`).toBeGreaterThan(0);
  if (mode === 'trap-all') {
    expect(stats!.traps).toBeGreaterThan(0);
    expect(fromCopy.some((m) => m.hit > 0)).toBe(true);
  }
}

describe.each(Object.keys(WORKLOADS))('workload %s', (workload) => {
  const pkg = WORKLOADS[workload]!;

  test.each([
    ['instrumented', 'original and instrumented copy produce byte-identical output'],
    ['trap-all', 'with every check trapping (locals written back) the output is still byte-identical'],
  ] as const)('%s: %s', (mode, _title) => {
    report();
    const plain = original(workload);
    const run = runWorkload(workload, mode);
    expectInstrumentedCopyLoaded(run.stats, pkg, mode);
    expect(run.line.bytes).toBe(plain.line.bytes);
    expect(run.line.sha256).toBe(plain.line.sha256);
    expect(run.output === plain.output, 'outputs identical').toBe(true);
  }, 400_000);
});
