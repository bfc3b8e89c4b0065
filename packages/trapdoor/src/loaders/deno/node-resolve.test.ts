import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportsTarget, IMPORT_CONDITIONS, REQUIRE_CONDITIONS, resolveBare } from './node-resolve.js';

let root: string;

function write(path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

beforeAll(() => {
  root = realpathSync(mkdtempSync(join(tmpdir(), 'trapdoor-resolve-')));
  write('app/src/main.js', '');
  write('app/node_modules/dual/package.json', JSON.stringify({ name: 'dual', exports: { '.': { import: './esm/index.js', require: './cjs/index.js' }, './utils/*': { default: './lib/*.js' }, './package.json': './package.json' } }));
  write('app/node_modules/dual/esm/index.js', '');
  write('app/node_modules/dual/cjs/index.js', '');
  write('app/node_modules/dual/lib/a/b.js', '');
  write('app/node_modules/@scope/legacy/package.json', JSON.stringify({ name: '@scope/legacy', main: 'lib/main' }));
  write('app/node_modules/@scope/legacy/lib/main.js', '');
  write('app/node_modules/@scope/legacy/extra/index.js', '');
  write('app/node_modules/plain/package.json', JSON.stringify({ name: 'plain' }));
  write('app/node_modules/plain/index.js', '');
  write('app/node_modules/deno-first/package.json', JSON.stringify({ name: 'deno-first', exports: { deno: './deno.js', node: './node.js' } }));
  write('app/node_modules/deno-first/deno.js', '');
  write('app/node_modules/deno-first/node.js', '');
  // pnpm: node_modules/x is a link into the store, where x's own dependencies sit next to it.
  write('app/node_modules/.pnpm/x@1/node_modules/x/package.json', JSON.stringify({ name: 'x', exports: './x.js' }));
  write('app/node_modules/.pnpm/x@1/node_modules/x/x.js', '');
  write('app/node_modules/.pnpm/y@1/node_modules/y/package.json', JSON.stringify({ name: 'y', exports: { '.': './y.js' } }));
  write('app/node_modules/.pnpm/y@1/node_modules/y/y.js', '');
  symlinkSync(join(root, 'app/node_modules/.pnpm/y@1/node_modules/y'), join(root, 'app/node_modules/.pnpm/x@1/node_modules/y'));
  symlinkSync(join(root, 'app/node_modules/.pnpm/x@1/node_modules/x'), join(root, 'app/node_modules/x'));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('resolveBare', () => {
  const from = () => join(root, 'app/src/main.js');

  it('picks the "exports" target for the conditions, in the order the package lists them', () => {
    expect(resolveBare('dual', from())?.target).toBe(join(root, 'app/node_modules/dual/esm/index.js'));
    expect(resolveBare('dual', from(), REQUIRE_CONDITIONS)?.target).toBe(join(root, 'app/node_modules/dual/cjs/index.js'));
    expect(resolveBare('deno-first', from())?.target).toBe(join(root, 'app/node_modules/deno-first/deno.js'));
    expect(resolveBare('dual/package.json', from())?.target).toBe(join(root, 'app/node_modules/dual/package.json'));
  });

  it('expands "exports" patterns and refuses what is not exported', () => {
    expect(resolveBare('dual/utils/a/b', from())?.target).toBe(join(root, 'app/node_modules/dual/lib/a/b.js'));
    expect(resolveBare('dual/cjs/index.js', from())).toBeUndefined();
  });

  it('falls back to "main" and index.js, with extensions, for packages without "exports"', () => {
    expect(resolveBare('@scope/legacy', from())).toEqual({ target: join(root, 'app/node_modules/@scope/legacy/lib/main.js'), packageDir: join(root, 'app/node_modules/@scope/legacy') });
    expect(resolveBare('@scope/legacy/extra', from())?.target).toBe(join(root, 'app/node_modules/@scope/legacy/extra/index.js'));
    expect(resolveBare('plain', from())?.target).toBe(join(root, 'app/node_modules/plain/index.js'));
  });

  it('gives real paths, so a pnpm-linked package finds its own dependencies next to it', () => {
    const x = resolveBare('x', from());
    expect(x).toEqual({ target: join(root, 'app/node_modules/.pnpm/x@1/node_modules/x/x.js'), packageDir: join(root, 'app/node_modules/.pnpm/x@1/node_modules/x') });
    expect(resolveBare('y', x!.target)?.target).toBe(join(root, 'app/node_modules/.pnpm/y@1/node_modules/y/y.js'));
    // Not from the app: y is not its dependency.
    expect(resolveBare('y', from())).toBeUndefined();
  });

  it('names builtins with node: and leaves what is not installed unresolved', () => {
    expect(resolveBare('fs', from())).toEqual({ target: 'node:fs' });
    expect(resolveBare('node:path', from())).toEqual({ target: 'node:path' });
    expect(resolveBare('not-installed', from())).toBeUndefined();
  });
});

describe('exportsTarget', () => {
  it('takes a string, an array and nested conditions as the "." export', () => {
    expect(exportsTarget('./a.js', '.', IMPORT_CONDITIONS)).toBe('./a.js');
    expect(exportsTarget([{ worker: './w.js' }, './b.js'], '.', IMPORT_CONDITIONS)).toBe('./b.js');
    expect(exportsTarget({ node: { import: './n.mjs', require: './n.cjs' }, default: './d.js' }, '.', IMPORT_CONDITIONS)).toBe('./n.mjs');
    expect(exportsTarget({ browser: './b.js' }, '.', IMPORT_CONDITIONS)).toBeUndefined();
  });

  it('prefers the longest matching pattern, and a null target hides a subpath', () => {
    const map = { './*': './all/*.js', './deep/*': './deep/*.js', './private/*': null };
    expect(exportsTarget(map, './deep/x', IMPORT_CONDITIONS)).toBe('./deep/x.js');
    expect(exportsTarget(map, './other', IMPORT_CONDITIONS)).toBe('./all/other.js');
    expect(exportsTarget(map, './private/x', IMPORT_CONDITIONS)).toBeUndefined();
  });
});
