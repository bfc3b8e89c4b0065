/**
 * Rollup with the plugin on a file the parser rejects: the build fails at the place Rollup itself
 * reports for the plain build, with a code frame (Rollup's CLI and Vite print `frame` in place of
 * the error's stack; Rollup makes one itself only for a `pos`, not for the `loc` the plugin gives).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { rollup, type RollupError } from 'rollup';
import { afterAll, expect, it } from 'vitest';
import { trapdoor } from './factory.js';

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
