/**
 * scripts/prune-dist.mjs on a copy of trapdoor-js as built (package.json, scripts/, src/, dist/):
 * it removes what tsc left from a deleted source and keeps what the build's bundle scripts write
 * after it. It deleted dist/loaders/deno/transform.cjs (no source of its own) on every build, for
 * bundle-deno.mjs to write it back: a tarball packed meanwhile, by a build running beside it,
 * lacked it.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { repoRoot } from './e2e/harness.js';

const PACKAGE = join(repoRoot, 'packages', 'trapdoor');
const PRUNE = join(repoRoot, 'scripts', 'prune-dist.mjs');
const copy = mkdtempSync(join(tmpdir(), 'trapdoor-prune-'));

beforeAll(() => {
  if (!existsSync(join(PACKAGE, 'dist', 'loaders', 'deno', 'transform.cjs'))) throw new Error('build first: npx turbo run build');
  for (const part of ['package.json', 'scripts', 'src', 'dist']) cpSync(join(PACKAGE, part), join(copy, part), { recursive: true });
});
afterAll(() => rmSync(copy, { recursive: true, force: true }));

it("keeps the bundle scripts' outputs (transform.cjs, the bundles and their maps), removes a deleted source's files", () => {
  writeFileSync(join(copy, 'dist', 'gone.js'), '');
  writeFileSync(join(copy, 'dist', 'gone.js.map'), '{}');
  const transform = readFileSync(join(copy, 'dist', 'loaders', 'deno', 'transform.cjs'), 'utf8');
  const r = spawnSync(process.execPath, [PRUNE, 'dist'], { cwd: copy, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  expect(existsSync(join(copy, 'dist', 'gone.js'))).toBe(false);
  expect(existsSync(join(copy, 'dist', 'gone.js.map'))).toBe(false);
  expect(readFileSync(join(copy, 'dist', 'loaders', 'deno', 'transform.cjs'), 'utf8')).toBe(transform);
  for (const bundle of ['loaders/deno/register.js', 'loaders/node/start.cjs', 'loaders/bun/register.js', 'cli-entry.cjs']) {
    expect(existsSync(join(copy, 'dist', bundle)), bundle).toBe(true);
    expect(existsSync(join(copy, 'dist', `${bundle}.map`)), `${bundle}.map`).toBe(true);
  }
});

it('a file no build script names and no source has is still removed, beside the kept ones', () => {
  writeFileSync(join(copy, 'dist', 'loaders', 'deno', 'other.cjs'), '');
  const r = spawnSync(process.execPath, [PRUNE, 'dist'], { cwd: copy, encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  expect(r.stdout).toBe('prune-dist: removed 1 stale file from dist\n');
  expect(existsSync(join(copy, 'dist', 'loaders', 'deno', 'other.cjs'))).toBe(false);
  expect(existsSync(join(copy, 'dist', 'loaders', 'deno', 'transform.cjs'))).toBe(true);
});
