/**
 * The esbuild plugin's inline map (esbuild-load.ts), with real esbuild: the output map names the
 * module's file as written, with its text, in a folder whose name a URL would read otherwise
 * (a `%`, a space, a non-ASCII letter), and a place after an inserted check maps where it does
 * in the plain build.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { TraceMap, originalPositionFor, generatedPositionFor } from '@jridgewell/trace-mapping';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { instrumentForBundler, TransformError } from './bundler-instrument.js';
import { setupEsbuildLoad, type EsbuildLike, type EsbuildLoadResult } from './esbuild-load.js';
import { trapdoor } from './factory.js';

let root: string;
beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'trapdoor-esbuild-map-'));
});
afterEach(() => {
  rmSync(root, { recursive: true, force: true });
});

const SOURCE = 'export function spin(n: number): number {\n  let i = 0;\n  while (i < n) i++;\n  return i;\n}\nconsole.log(spin(3));\n';

/** The build of `dir`'s main.ts these tests make, in memory, with an external map; with the plugin when `instrumented`. */
function buildOptions(dir: string, instrumented: boolean): esbuild.BuildOptions & { write: false } {
  return {
    entryPoints: [join(dir, 'main.ts')],
    bundle: true,
    write: false,
    outdir: join(root, 'out'),
    format: 'esm',
    platform: 'node',
    sourcemap: 'external',
    logLevel: 'silent',
    plugins: instrumented ? [trapdoor.esbuild({ root })] : [],
  };
}

async function bundle(dir: string, instrumented: boolean): Promise<{ code: string; map: TraceMap & { sources: (string | null)[]; sourcesContent?: (string | null)[] } }> {
  const result = await esbuild.build(buildOptions(dir, instrumented));
  const text = (suffix: string) => result.outputFiles.find((file) => file.path.endsWith(suffix))!.text;
  return { code: text('.js'), map: new TraceMap(text('.js.map')) as never };
}

it.each(['plain', 'with %25, a space and é'])('a module in a folder %s: the output map names it, with its text, as the plain build does', async (folder) => {
  const dir = join(root, folder);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'main.ts'), SOURCE);
  const plain = await bundle(dir, false);
  const ours = await bundle(dir, true);
  expect(ours.code).toContain('__td_');
  expect(ours.map.sources).toEqual(plain.map.sources);
  expect(ours.map.sourcesContent).toEqual([SOURCE]);
  // `i++` on line 3, after the loop's inserted check: the same original place as in the plain build.
  for (const built of [plain, ours]) {
    const lines = built.code.split('\n');
    const line = lines.findIndex((text) => text.includes('i++')) + 1;
    const column = lines[line - 1]!.indexOf('i++');
    expect(originalPositionFor(built.map, { line, column })).toMatchObject({ line: 3, column: 16 });
  }
  expect(generatedPositionFor(ours.map, { source: ours.map.sources[0]!, line: 4, column: 2 }).line).toBeGreaterThan(0);
});

it('a syntax error is reported at the place and with the line that esbuild reports for the plain build', async () => {
  // esbuild draws its frame from the location's `lineText`: without it, an empty line and the caret at column 0.
  writeFileSync(join(root, 'main.ts'), 'export function spin(n: number): number {\n  let i = 0;\n  while (i === ) i++;\n  return i;\n}\n');
  const failure = async (instrumented: boolean) => {
    const error = (await bundle(root, instrumented).then(() => undefined, (e: unknown) => e)) as { errors?: { text: string; location: unknown }[] };
    expect(error?.errors).toHaveLength(1);
    return error.errors![0]!;
  };
  const plain = await failure(false);
  const ours = await failure(true);
  expect(ours.text).toMatch(/Unexpected token/);
  expect(ours.location).toMatchObject({ file: expect.stringMatching(/main\.ts$/), line: 3, column: 15, lineText: '  while (i === ) i++;' });
  expect(plain.location).toMatchObject({ line: 3, column: 15, lineText: '  while (i === ) i++;' });
});

it("a context's rebuild: an unchanged module gets the answer it got, without instrumenting it again; a changed one is instrumented", async () => {
  const file = join(root, 'main.ts');
  writeFileSync(file, SOURCE);
  let load: ((args: { path: string; namespace: string }) => unknown) | undefined;
  const build: EsbuildLike = { initialOptions: {}, onLoad: (_options, callback) => void (load = callback as never) };
  const instrumented: string[] = [];
  setupEsbuildLoad(build, {
    filter: /\.ts$/,
    wanted: () => true,
    instrument: (code, path) => (instrumented.push(code), instrumentForBundler(code, path, '@trapdoor-js/runtime', undefined, false, true)),
    isSyntaxError: (error): error is TransformError => error instanceof TransformError,
    reason: (error) => error.message,
  });
  const first = (await load!({ path: file, namespace: 'file' })) as EsbuildLoadResult;
  expect(first.contents).toContain('__td_');
  const again = (await load!({ path: file, namespace: 'file' })) as EsbuildLoadResult;
  expect(again).toEqual(first);
  expect(instrumented).toEqual([SOURCE]);
  const changed = SOURCE.replace('i++', 'i += 1');
  writeFileSync(file, changed);
  const third = (await load!({ path: file, namespace: 'file' })) as EsbuildLoadResult;
  expect(third.contents).toContain('i += 1');
  expect(instrumented).toEqual([SOURCE, changed]);
});

it("a context's rebuilds with the plugin: the same bundle and map as its first build, and a changed module's new code", async () => {
  writeFileSync(join(root, 'main.ts'), SOURCE);
  const context = await esbuild.context(buildOptions(root, true));
  try {
    const texts = async () => {
      const files = (await context.rebuild()).outputFiles!;
      const text = (suffix: string) => files.find((file) => file.path.endsWith(suffix))!.text;
      return { code: text('.js'), map: text('.js.map') };
    };
    const first = await texts();
    expect(first.code).toContain('__td_');
    expect(await texts()).toEqual(first);
    writeFileSync(join(root, 'main.ts'), SOURCE.replace('spin(3)', 'spin(4)'));
    const changed = await texts();
    expect(changed.code).toContain('spin(4)');
    expect(changed.code).toContain('__td_');
  } finally {
    await context.dispose();
  }
});

it.each([false, undefined])('a build without source maps (sourcemap: %s): the module is answered without its map, which is never made, and the bundle is byte for byte the one with the map work', async (sourcemap) => {
  writeFileSync(join(root, 'main.ts'), SOURCE);
  // A module with its own inline map (a compiled file), which instrument() consumes.
  writeFileSync(join(root, 'lib.js'), 'export function count(n) {\n  for (let i = 0; i < n; i++) {}\n  return n;\n}\n//# sourceMappingURL=data:application/json,{"version":3,"sources":["lib.ts"],"names":[],"mappings":"AAAA"}\n');
  writeFileSync(join(root, 'main.ts'), SOURCE + "import { count } from './lib.js';\nconsole.log(count(2));\n");
  // The same plugin, made to think the build writes a map (the map work done, as before).
  const plugin = trapdoor.esbuild({ root });
  const withMapWork: esbuild.Plugin = {
    name: 'trapdoor-map-work',
    setup: (build) => plugin.setup(new Proxy(build, { get: (target, key) => (key === 'initialOptions' ? new Proxy(target.initialOptions, { get: (options, name) => (name === 'sourcemap' ? true : options[name as keyof typeof options]) }) : target[key as keyof typeof target]) })),
  };
  const code = async (plugins: esbuild.Plugin[]) => (await esbuild.build({ ...buildOptions(root, false), sourcemap, plugins })).outputFiles[0]!.text;
  const without = await code([trapdoor.esbuild({ root })]);
  expect(without).toContain('__td_');
  expect(await code([withMapWork])).toBe(without);
  // The hook's answer: no inline map, and the result's insertMap never read.
  let load: ((args: { path: string; namespace: string }) => unknown) | undefined;
  setupEsbuildLoad({ initialOptions: { sourcemap }, onLoad: (_options, callback) => void (load = callback as never) }, {
    filter: /\.ts$/,
    wanted: () => true,
    instrument: (text, path) => {
      const result = instrumentForBundler(text, path, '@trapdoor-js/runtime', undefined, false, true);
      return Object.defineProperty({ ...result, insertMap: undefined as never }, 'insertMap', { get: () => { throw new Error('insertMap read'); } });
    },
    isSyntaxError: (error): error is TransformError => error instanceof TransformError,
    reason: (error) => error.message,
  });
  const answer = (await load!({ path: join(root, 'main.ts'), namespace: 'file' })) as EsbuildLoadResult;
  expect(answer.contents).toContain('__td_');
  expect(answer.contents).not.toContain('sourceMappingURL');
});
