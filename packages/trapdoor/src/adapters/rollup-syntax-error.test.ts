/**
 * Rollup with the plugin on a file the parser rejects: the build fails at the place Rollup itself
 * reports for the plain build, with a code frame (Rollup's CLI and Vite print `frame` in place of
 * the error's stack; Rollup makes one itself only for a `pos`, not for the `loc` the plugin gives).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import typescriptModule from '@rollup/plugin-typescript';
import { rollup, type RollupError } from 'rollup';
import ts from 'typescript';
import { afterAll, expect, it } from 'vitest';
import { trapdoor } from './factory.js';

// The package's types describe its CommonJS build's namespace under NodeNext; at run time the default import is the plugin function.
const typescript = typescriptModule as unknown as (options: Record<string, unknown>) => import('rollup').Plugin;

const dir = mkdtempSync(join(tmpdir(), 'trapdoor-rollup-error-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

it('a syntax error: the plain build\'s line and column, and a frame at that line', async () => {
  const input = join(dir, 'broken.js');
  writeFileSync(input, 'export function spin() {\n  let x = 1;\n  while (x === ) {}\n  return x;\n}\n');
  const failure = async (instrumented: boolean) =>
    (await rollup({ input, plugins: instrumented ? [trapdoor.rollup({ root: dir })] : [], onwarn: () => {} }).then(
      () => undefined,
      (error: RollupError) => error,
    ))!;
  const plain = await failure(false);
  const ours = await failure(true);
  expect(ours.plugin).toBe('trapdoor');
  expect(ours.message).toMatch(/Unexpected token/);
  expect(ours.loc).toMatchObject({ line: plain.loc!.line, column: plain.loc!.column });
  expect(ours.frame).toMatch(/^> 3 \|   while \(x === \) \{\}\n {4}\| {16}\^$/m);
});

it('after @rollup/plugin-typescript: the place in the .ts file as written (where TypeScript reports it), with a frame of that file', async () => {
  const input = join(dir, 'broken.ts');
  writeFileSync(input, 'export function spin(n: number): number {\n  let x: number = 1;\n  while (x === ) { x++; }\n  return x + n;\n}\n');
  writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { target: 'es2022', module: 'esnext', strict: true }, include: ['broken.ts'] }));
  const ours = (await rollup({
    input,
    // filterRoot: the plugin takes only files under the working directory otherwise.
    plugins: [typescript({ tsconfig: join(dir, 'tsconfig.json'), filterRoot: dir, noEmitOnError: false, outDir: join(dir, 'out') }), trapdoor.rollup({ root: dir })],
    onLog: () => {},
  }).then(
    () => undefined,
    (error: RollupError) => error,
  ))!;
  // TypeScript's own place for it (TS1109, which tsc prints as 3,16: its columns count from 1, Rollup's from 0).
  const [diagnostic] = ts.transpileModule(readFileSync(input, 'utf8'), { reportDiagnostics: true }).diagnostics!;
  const place = diagnostic!.file!.getLineAndCharacterOfPosition(diagnostic!.start!);
  expect([diagnostic!.code, place.line + 1, place.character]).toEqual([1109, 3, 15]);
  expect(ours.plugin).toBe('trapdoor');
  expect(ours.loc).toEqual({ file: input, line: place.line + 1, column: place.character });
  expect(ours.frame).toContain('> 3 |   while (x === ) { x++; }\n    |                ^');
  expect(ours.frame).not.toContain('    while'); // the compiled JavaScript's indent
});
