/**
 * binding.cjs: where the addon is looked for, in which order, and what is said when nothing
 * loads. Real files in a temporary package folder: the compiled addon of this repository
 * (build/Release) copied under prebuild names, and files that are not addons at all.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const require = createRequire(import.meta.url);
const { loadBinding, prebuildCandidates } = require('../binding.cjs') as {
  loadBinding: (dir: string) => { binding: { start: unknown }; file: string };
  prebuildCandidates: (dir: string) => string[];
};
const built = fileURLToPath(new URL('../build/Release/trapdoor_native.node', import.meta.url));
const platform = `${process.platform}-${process.arch}`;

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A package folder with these files (relative path → 'addon' for the real one, else the text). */
function pkg(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'trapdoor-binding-'));
  dirs.push(dir);
  for (const [file, content] of Object.entries(files)) {
    mkdirSync(join(dir, file, '..'), { recursive: true });
    if (content === 'addon') copyFileSync(built, join(dir, file));
    else writeFileSync(join(dir, file), content);
  }
  return dir;
}

describe('prebuildCandidates', () => {
  it("lists this platform's Node-API prebuilds, glibc or untagged before musl, and nothing else", () => {
    const dir = pkg({
      [`prebuilds/${platform}/node.napi.musl.node`]: 'x',
      [`prebuilds/${platform}/node.napi.glibc.node`]: 'x',
      [`prebuilds/${platform}/node.napi.node`]: 'x',
      [`prebuilds/${platform}/node.abi115.node`]: 'x', // not Node-API: one Node version only
      [`prebuilds/${platform}/README.md`]: 'x',
      ['prebuilds/other-arch/node.napi.node']: 'x',
    });
    expect(prebuildCandidates(dir).map((f) => f.slice(dir.length + 1))).toEqual([
      `prebuilds/${platform}/node.napi.glibc.node`,
      `prebuilds/${platform}/node.napi.node`,
      `prebuilds/${platform}/node.napi.musl.node`,
    ]);
  });

  it('is empty without a prebuilds folder', () => {
    expect(prebuildCandidates(pkg({}))).toEqual([]);
  });
});

describe('loadBinding', () => {
  it('loads build/Release first, when it is there', () => {
    const dir = pkg({ 'build/Release/trapdoor_native.node': 'addon', [`prebuilds/${platform}/node.napi.glibc.node`]: 'addon' });
    const { binding, file } = loadBinding(dir);
    expect(file).toBe(join(dir, 'build/Release/trapdoor_native.node'));
    expect(typeof binding.start).toBe('function');
  });

  it('goes on to the prebuild, and past one that does not load (the other C library) to the next', () => {
    const dir = pkg({
      'build/Release/trapdoor_native.node': 'not an ELF file',
      [`prebuilds/${platform}/node.napi.glibc.node`]: 'not an ELF file either',
      [`prebuilds/${platform}/node.napi.musl.node`]: 'addon',
    });
    const { binding, file } = loadBinding(dir);
    expect(file).toBe(join(dir, `prebuilds/${platform}/node.napi.musl.node`));
    expect(typeof binding.start).toBe('function');
  });

  it('says where it looked when there is nothing to load', () => {
    const dir = pkg({});
    expect(() => loadBinding(dir)).toThrow(
      `no compiled addon (${join(dir, 'build/Release/trapdoor_native.node')}) and no prebuild for ${platform} (${join(dir, 'prebuilds')})`,
    );
  });

  it('names each file that did not load, and why', () => {
    const dir = pkg({ [`prebuilds/${platform}/node.napi.glibc.node`]: 'not an ELF file' });
    let error: (Error & { causes?: unknown[] }) | undefined;
    try {
      loadBinding(dir);
    } catch (e) {
      error = e as Error & { causes?: unknown[] };
    }
    expect(error?.message).toMatch(new RegExp(`^prebuilds/${platform}/node\\.napi\\.glibc\\.node did not load: .+`));
    expect(error?.causes).toHaveLength(1);
  });
});

describe('index.cjs', () => {
  // index.cjs tries the one file loadBinding would load first in the usual cases (build/Release,
  // else the shipped glibc prebuild) and needs binding.cjs only when that fails.
  const indexFile = fileURLToPath(new URL('../index.cjs', import.meta.url));
  const bindingFile = fileURLToPath(new URL('../binding.cjs', import.meta.url));
  const coreFile = fileURLToPath(new URL('../core.cjs', import.meta.url));
  /** Loads a copy of index.cjs in `dir` in a fresh node; says which .node it loaded and whether binding.cjs was needed. */
  function load(dir: string): { available: boolean; error?: string; addons: string[]; searched: boolean } {
    copyFileSync(indexFile, join(dir, 'index.cjs'));
    copyFileSync(bindingFile, join(dir, 'binding.cjs'));
    copyFileSync(coreFile, join(dir, 'core.cjs'));
    const script = `const n = require(${JSON.stringify(join(dir, 'index.cjs'))});
const keys = Object.keys(require.cache);
console.log(JSON.stringify({ available: n.isAvailable(), error: n.loadError()?.message, addons: keys.filter((k) => k.endsWith('.node')), searched: keys.some((k) => k.endsWith('binding.cjs')) }));`;
    const result = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    return JSON.parse(result.stdout);
  }
  const glibc = `prebuilds/${platform}/node.napi.glibc.node`;

  it('loads build/Release alone when it is there, without the search', () => {
    const dir = pkg({ 'build/Release/trapdoor_native.node': 'addon', [glibc]: 'addon' });
    expect(load(dir)).toEqual({ available: true, addons: [join(dir, 'build/Release/trapdoor_native.node')], searched: false });
  });

  it('loads the glibc prebuild without the search when there is no build/Release (an install from the tarball)', () => {
    const dir = pkg({ [glibc]: 'addon' });
    expect(load(dir)).toEqual({ available: true, addons: [join(dir, glibc)], searched: false });
  });

  it('searches when that file does not load, and loads what loadBinding loads', () => {
    const dir = pkg({ 'build/Release/trapdoor_native.node': 'not an ELF file', [glibc]: 'not an ELF file either', [`prebuilds/${platform}/node.napi.musl.node`]: 'addon' });
    expect(load(dir)).toEqual({ available: true, addons: [join(dir, `prebuilds/${platform}/node.napi.musl.node`)], searched: true });
  });

  it("says loadBinding's reason when nothing loads", () => {
    const dir = pkg({});
    const loaded = load(dir);
    expect(loaded).toMatchObject({ available: false, addons: [], searched: true });
    expect(loaded.error).toContain(`no compiled addon (${join(dir, 'build/Release/trapdoor_native.node')}) and no prebuild for ${platform} (${join(dir, 'prebuilds')})`);
  });
});
