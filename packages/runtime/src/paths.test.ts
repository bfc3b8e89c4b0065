// paths.ts against node:path on every shape of POSIX path the runtime builds (and more).
import { posix } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ancestors, dirname, join, sep } from './paths.js';

const samples = ['', '.', '..', '/', '//', '///a', 'a', 'a/', 'a//', '/a', '/a/', '/a//b/', 'a/b/c', '/a/b/c.js', './a', '../a', 'a/./b', 'a/../b', '/../a', 'a/../..', 'a/b/../../..', '/a/b/../../../c', 'x.js', '/dist/esm/..', 'é/ü b/%20'];

describe('paths', () => {
  it('sep is the platform separator', () => expect(sep).toBe(posix.sep));
  it('dirname is node:path.dirname', () => {
    for (const path of samples) expect(dirname(path), JSON.stringify(path)).toBe(posix.dirname(path));
  });
  it('join is node:path.join', () => {
    for (const a of samples) for (const b of samples) expect(join(a, b), JSON.stringify([a, b])).toBe(posix.join(a, b));
    for (const a of samples) expect(join(a, '..', 'esm', 'inspector/agent'), a).toBe(posix.join(a, '..', 'esm', 'inspector/agent'));
    expect(join()).toBe(posix.join());
  });
  it('ancestors walks up to the root', () => {
    expect([...ancestors('/a/b/c')]).toEqual(['/a/b/c', '/a/b', '/a', '/']);
    expect([...ancestors('/')]).toEqual(['/']);
    expect([...ancestors('a/b')]).toEqual(['a/b', 'a', '.']);
  });
});
