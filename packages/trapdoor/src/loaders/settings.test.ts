import { describe, expect, it } from 'vitest';
import { makePolicy, parseGlobs } from './settings.js';

describe('parseGlobs', () => {
  it('reads a JSON array or one glob per line', () => {
    expect(parseGlobs(undefined)).toEqual([]);
    expect(parseGlobs('  ')).toEqual([]);
    expect(parseGlobs('["src/**", "lib/{a,b}.js"]')).toEqual(['src/**', 'lib/{a,b}.js']);
    expect(parseGlobs('src/**\n  lib/**  \n\n')).toEqual(['src/**', 'lib/**']);
    expect(() => parseGlobs('[1]')).toThrow('expected a JSON array of globs');
    expect(() => parseGlobs('[nope')).toThrow('cannot parse');
  });
});

describe('makePolicy', () => {
  const base = { cwd: '/app', include: [], exclude: [], ownDirs: ['/opt/trapdoor/packages/runtime/'] };

  it("by default: the program's JavaScript and TypeScript, not node_modules, not trapdoor, not .d.ts", () => {
    const policy = makePolicy(base);
    for (const yes of ['/app/main.js', '/app/src/a.mjs', '/app/b.cjs', '/app/c.ts', '/app/d.tsx', '/app/e.jsx', '/app/f.mts', '/app/g.cts', '/elsewhere/h.js']) {
      expect(policy(yes), yes).toBe(true);
    }
    for (const no of ['/app/node_modules/x/index.js', '/app/data.json', '/app/types.d.ts', '/app/t.d.mts', '/opt/trapdoor/packages/runtime/dist/esm/index.js', '/app/addon.node']) {
      expect(policy(no), no).toBe(false);
    }
  });

  it('--include narrows to its matches and reaches into node_modules; --exclude wins', () => {
    const policy = makePolicy({ ...base, include: ['src/**', 'node_modules/acorn/**', '/abs/**'], exclude: ['src/vendor/**'] });
    expect(policy('/app/src/a.js')).toBe(true);
    expect(policy('/app/main.js')).toBe(false);
    expect(policy('/app/node_modules/acorn/dist/acorn.mjs')).toBe(true);
    expect(policy('/app/node_modules/marked/lib/marked.js')).toBe(false);
    expect(policy('/app/src/vendor/x.js')).toBe(false);
    expect(policy('/abs/y.js')).toBe(true);
  });

  it('never instruments trapdoor itself, even when a glob matches it', () => {
    const policy = makePolicy({ ...base, cwd: '/opt/trapdoor', include: ['**'] });
    expect(policy('/opt/trapdoor/packages/runtime/dist/esm/index.js')).toBe(false);
    expect(policy('/opt/trapdoor/packages/runtime2/x.js')).toBe(true);
  });
});
