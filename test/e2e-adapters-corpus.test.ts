/**
 * The semantic corpus (test/corpus) and one real package (marked) through each bundler, plain and
 * with trapdoor's plugin: every program the plain build can build must run the same way from the
 * instrumented build — output, errors and exit status (stack traces through the bundle's source
 * map, `--enable-source-maps`, as a bundle is debugged). One build per tool and variant, with
 * every corpus program as an entry point.
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CORPUS_DIR, ROOT, runNode } from './helpers/corpus.js';
import { runCompiler } from './adapters/build.js';
import { unrunnableOnThisNode } from './helpers/corpus-node.js';

const OUT = join(ROOT, 'test', '.tmp', 'adapters-corpus');
const BUN = join(ROOT, 'node_modules', '.bin', 'bun');
/** Entry programs: the corpus minus its helper modules (`_*`), which programs import. */
const PROGRAMS = readdirSync(CORPUS_DIR).filter((f) => !f.startsWith('_') && /\.(c|m)?[jt]sx?$/.test(f) && !unrunnableOnThisNode.includes(f));
const entryName = (file: string) => file.replace(/\.[^.]+$/, '').replace(/[^\w-]/g, '_');
const entries = Object.fromEntries(PROGRAMS.map((f) => [entryName(f), join(CORPUS_DIR, f)]));
/** marked, as a real package: its ES module entry bundled like the program's own code. */
const MARKED = join(ROOT, 'test', 'adapters', 'marked-entry.mjs');

type Bundler = 'esbuild' | 'rolldown' | 'vite' | 'webpack' | 'bun' | 'rollup' | 'rspack' | 'babel';
/** What each build writes per entry (the first of these names that exists), and what runs it. */
const OUTPUT: Record<Bundler, { ext: string[]; runtime: 'node' | 'bun' }> = {
  // esbuild too: its ES module output of a CommonJS program is strict and has no `module`.
  esbuild: { ext: ['.mjs', '.cjs'], runtime: 'node' },
  rolldown: { ext: ['.mjs'], runtime: 'node' },
  vite: { ext: ['.mjs'], runtime: 'node' },
  webpack: { ext: ['.cjs'], runtime: 'node' },
  bun: { ext: ['.js'], runtime: 'bun' },
  // Rollup keeps a CommonJS entry's `require` and `module` for Node: CommonJS output for those.
  rollup: { ext: ['.mjs', '.cjs'], runtime: 'node' },
  rspack: { ext: ['.cjs'], runtime: 'node' },
  // Babel writes a file per module, as babel-cli does: ES modules as .mjs, CommonJS as .cjs.
  babel: { ext: ['.mjs', '.cjs'], runtime: 'node' },
};
const TYPESCRIPT = /\.[cm]?tsx?$/;
const COMMONJS_ENTRY = /\.c[jt]s$/;

/** Rollup resolves no package by itself (that is @rollup/plugin-node-resolve's job): marked, as that plugin would find it. */
const resolveMarked = { name: 'resolve-marked', resolveId: (id: string) => (id === 'marked' ? join(ROOT, 'node_modules', 'marked', 'lib', 'marked.esm.js') : null) };

/** The config webpack and Rspack share: a Node app, TypeScript compiled by each one's usual loader. */
function webpackConfig(tool: 'webpack' | 'rspack', dir: string, name: string, file: string, plugins: unknown[]): object {
  const typescript =
    tool === 'webpack'
      ? [{ test: /\.[cm]?tsx?$/, loader: 'ts-loader', options: { transpileOnly: true, compilerOptions: { module: 'esnext', target: 'es2022', jsx: 'react-jsx' } } }]
      : [
          { test: /\.[cm]?ts$/, loader: 'builtin:swc-loader', options: { jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true } } } },
          { test: /\.tsx$/, loader: 'builtin:swc-loader', options: { jsc: { parser: { syntax: 'typescript', tsx: true }, transform: { react: { runtime: 'automatic' } } } } },
          { test: /\.jsx$/, loader: 'builtin:swc-loader', options: { jsc: { parser: { syntax: 'ecmascript', jsx: true }, transform: { react: { runtime: 'automatic' } } } } },
        ];
  return {
    mode: 'production', target: 'node', entry: file, devtool: 'source-map', context: ROOT,
    output: { path: dir, filename: `${name}.cjs`, library: { type: 'commonjs2' } },
    resolve: { extensions: ['.ts', '.tsx', '.mts', '.cts', '.js', '.mjs', '.cjs', '.jsx'], extensionAlias: { '.js': ['.ts', '.js'], '.mjs': ['.mts', '.mjs'] } },
    module: { rules: typescript },
    plugins,
  };
}

/** Where Babel writes a module: ES modules as .mjs, CommonJS as .cjs (TypeScript's module kinds alike). */
const babelOut = (file: string) => basename(file).replace(/\.(?:[cm]?[jt]sx?)$/, (ext) => (COMMONJS_ENTRY.test(ext) ? '.cjs' : '.mjs'));

/** One module through @babel/core (the TypeScript preset for TypeScript), with trapdoor's plugin first; its map beside it. */
async function babelFile(file: string, out: string, instrumented: boolean, options: object): Promise<void> {
  if (/x$/.test(file)) return; // JSX: no React preset here, so Babel leaves it as it is and Node cannot run it
  const babel = await import('@babel/core');
  const plugin = (await import('trapdoor-js/babel')).default;
  let result;
  try {
    result = await babel.transformFileAsync(file, {
      configFile: false, babelrc: false, cwd: ROOT, sourceMaps: true,
      // CommonJS as a script (sloppy mode, a top-level return), as Node runs it.
      ...(/\.cjs$/.test(file) ? { sourceType: 'script' as const, parserOpts: { allowReturnOutsideFunction: true } } : {}),
      presets: TYPESCRIPT.test(file) ? [['@babel/preset-typescript', {}]] : [],
      plugins: instrumented ? [[plugin, options]] : [],
    });
  } catch {
    return; // Babel cannot compile it (JSX, decorators: no preset here): not built
  }
  mkdirSync(join(out, '..'), { recursive: true });
  writeFileSync(out, `${result!.code}\n//# sourceMappingURL=${basename(out)}.map\n`);
  writeFileSync(`${out}.map`, JSON.stringify(result!.map));
}

/**
 * Known: what differs, and why it is not trapdoor's to fix here. Each entry still asserts what the
 * instrumented build does, so a change in it is noticed.
 */
const KNOWN: Partial<Record<Bundler, Record<string, { why: string; ours: RegExp }>>> = {};

async function bundle(tool: Bundler, instrumented: boolean, input: Record<string, string>): Promise<string> {
  const dir = join(OUT, `${tool}-${instrumented ? 'trapdoor' : 'plain'}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  // The corpus and marked live where the default policy would not look (marked is in node_modules).
  const options = { include: [join(CORPUS_DIR, '**'), join(ROOT, 'node_modules', 'marked', '**'), MARKED] };
  const loud = (results: { name: string; error?: unknown }[]) => results; // errors are per entry, below
  switch (tool) {
    case 'esbuild': {
      const esbuild = await import('esbuild');
      const plugin = (await import('trapdoor-js/esbuild')).default;
      // One build per entry: a program that does not build leaves the others alone.
      loud(await Promise.all(Object.entries(input).map(async ([name, file]) => {
        try {
          const cjs = COMMONJS_ENTRY.test(file);
          await esbuild.build({
            entryPoints: [file], bundle: true, platform: 'node', format: cjs ? 'cjs' : 'esm', outfile: join(dir, `${name}${cjs ? '.cjs' : '.mjs'}`), sourcemap: true, logLevel: 'silent',
            banner: cjs ? undefined : { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
            plugins: instrumented ? [plugin(options)] : [],
          });
          return { name };
        } catch (error) {
          return { name, error };
        }
      })));
      break;
    }
    case 'rolldown':
    case 'vite': {
      for (const [name, file] of Object.entries(input)) {
        try {
          if (tool === 'rolldown') {
            const { rolldown } = await import('rolldown');
            const plugin = (await import('trapdoor-js/rolldown')).default;
            const b = await rolldown({ input: file, platform: 'node', plugins: instrumented ? [plugin(options)] : [], logLevel: 'silent' });
            await b.write({ file: join(dir, `${name}.mjs`), format: 'es', sourcemap: true });
            await b.close();
          } else {
            const { build } = await import('vite');
            const plugin = (await import('trapdoor-js/vite')).default;
            await build({
              root: CORPUS_DIR, configFile: false, logLevel: 'silent', plugins: instrumented ? [plugin(options)] : [],
              build: { ssr: file, outDir: dir, emptyOutDir: false, sourcemap: true, minify: false, rollupOptions: { output: { entryFileNames: `${name}.mjs` } } },
              ssr: { noExternal: true },
            });
          }
        } catch {
          // the plain build fails too, or the comparison below says what differs
        }
      }
      break;
    }
    case 'webpack':
    case 'rspack': {
      const compile = tool === 'webpack' ? (await import('webpack')).default : (await import('@rspack/core')).rspack;
      const plugin = (await import(tool === 'webpack' ? 'trapdoor-js/webpack' : 'trapdoor-js/rspack')).default;
      for (const [name, file] of Object.entries(input)) {
        try {
          await runCompiler((compile as (config: object) => unknown)(webpackConfig(tool, dir, name, file, instrumented ? [plugin(options)] : [])));
        } catch {
          // as above
        }
      }
      break;
    }
    case 'rollup': {
      const { rollup } = await import('rollup');
      const typescript = (await import('@rollup/plugin-typescript')).default as unknown as (o: object) => any;
      const plugin = (await import('trapdoor-js/rollup')).default;
      for (const [name, file] of Object.entries(input)) {
        try {
          // @rollup/plugin-typescript compiles from the files on disk, so it comes first (as in test/adapters/build.ts).
          // Its tsconfig names the entry (the program's other modules follow from it); type errors are no build errors.
          const tsconfig = join(dir, `${name}.tsconfig.json`);
          if (TYPESCRIPT.test(file)) {
            writeFileSync(tsconfig, JSON.stringify({ compilerOptions: { module: 'esnext', target: 'es2022', moduleResolution: 'bundler', jsx: 'react-jsx', skipLibCheck: true, types: [] }, files: [file] }));
          }
          const compiler = TYPESCRIPT.test(file) ? [typescript({ tsconfig, include: [join(CORPUS_DIR, '*')], noEmitOnError: false, outDir: dir })] : [];
          const b = await rollup({ input: file, plugins: [resolveMarked, ...compiler, ...(instrumented ? [plugin(options)] : [])], onwarn: () => {} });
          const cjs = COMMONJS_ENTRY.test(file);
          await b.write({ file: join(dir, `${name}${cjs ? '.cjs' : '.mjs'}`), format: cjs ? 'cjs' : 'es', sourcemap: true });
          await b.close();
        } catch {
          // as above
        }
      }
      break;
    }
    case 'babel': {
      // Every module of the corpus, file by file; marked as a package of the output's own node_modules.
      for (const name of readdirSync(CORPUS_DIR)) {
        const file = join(CORPUS_DIR, name);
        if (/\.(?:[cm]?[jt]sx?)$/.test(name)) await babelFile(file, join(dir, babelOut(file)), instrumented, options);
        else copyFileSync(file, join(dir, name));
      }
      const marked = join(ROOT, 'node_modules', 'marked');
      mkdirSync(join(dir, 'node_modules', 'marked', 'lib'), { recursive: true });
      copyFileSync(join(marked, 'package.json'), join(dir, 'node_modules', 'marked', 'package.json'));
      await babelFile(join(marked, 'lib', 'marked.esm.js'), join(dir, 'node_modules', 'marked', 'lib', 'marked.esm.js'), instrumented, options);
      await babelFile(MARKED, join(dir, 'marked.mjs'), instrumented, options);
      break;
    }
    case 'bun': {
      const script = join(OUT, 'bun-build.ts');
      writeFileSync(script, `import trapdoor from 'trapdoor-js/bun';
for (const [name, file] of Object.entries(${JSON.stringify(input)})) {
  const r = await Bun.build({ entrypoints: [file], outdir: ${JSON.stringify(dir)}, naming: name + '.js', target: 'bun', sourcemap: 'external', plugins: ${instrumented ? `[trapdoor(${JSON.stringify(options)})]` : '[]'} }).catch((e) => ({ success: false }));
}
`);
      spawnSync(BUN, [script], { cwd: ROOT, encoding: 'utf8', timeout: 180_000 });
      break;
    }
  }
  return dir;
}

type Run = { code: number | null; signal: string | null; stdout: string; stderr: string };

/**
 * What may differ between two builds of one program without the program behaving differently:
 * where a frame or an error falls inside the bundle's own glue (its file's line and column, the
 * names it gives its helpers: `__require`, `__require2`). Frames in the program's sources stay
 * exact. On Bun the code excerpt too: Bun.build ignores plugin maps (oven-sh/bun#6173), so its
 * excerpts quote the instrumented text.
 */
function comparable(tool: Bundler, r: Run): Run {
  let stderr = r.stderr.replace(/(<dir>\/[\w.-]+):\d+(?::\d+)?/g, '$1').replace(/\b(__require|__commonJS|__toESM|__esm|__export)\d+\b/g, '$1');
  if (tool === 'bun') stderr = stderr.split('\n').filter((line) => !/^\s*\d+ \| /.test(line)).join('\n');
  return { ...r, stderr };
}

/**
 * The program run from its source, unbundled: what a correct build must do. JavaScript on Node;
 * TypeScript on Bun, which runs it as it is (Node 20 cannot).
 */
function direct(file: string): Pick<Run, 'code' | 'stdout'> | undefined {
  if (/\.(c|m)?js$/.test(file)) {
    const r = runNode([file], { cwd: CORPUS_DIR, normalize: [CORPUS_DIR] });
    return { code: r.code, stdout: r.stdout };
  }
  if (/\.(c|m)?tsx?$/.test(file)) {
    const r = spawnSync(BUN, [file], { cwd: CORPUS_DIR, encoding: 'utf8', timeout: 60_000 });
    return { code: r.status, stdout: r.stdout.split(CORPUS_DIR).join('<dir>') };
  }
  return undefined;
}

function builtFile(tool: Bundler, dir: string, name: string): string | undefined {
  return OUTPUT[tool].ext.map((ext) => join(dir, `${name}${ext}`)).find((file) => existsSync(file));
}

function run(tool: Bundler, dir: string, name: string) {
  const file = builtFile(tool, dir, name);
  if (file === undefined) return undefined;
  const normalize = [dir, CORPUS_DIR];
  if (OUTPUT[tool].runtime === 'bun') {
    const r = spawnSync(BUN, [file], { cwd: CORPUS_DIR, encoding: 'utf8', timeout: 60_000, env: { ...process.env, NO_COLOR: '1', FORCE_COLOR: '0' } });
    const strip = (s: string) => s.split(dir).join('<dir>').split(CORPUS_DIR).join('<dir>');
    return { code: r.status, signal: r.signal, stdout: strip(r.stdout), stderr: strip(r.stderr) };
  }
  return runNode(['--enable-source-maps', file], { cwd: CORPUS_DIR, normalize });
}

describe.each<Bundler>(['esbuild', 'rolldown', 'vite', 'webpack', 'bun', 'rollup', 'rspack', 'babel'])('the semantic corpus and marked through trapdoor-js/%s', (tool) => {
  it('every program the plain build builds runs the same from the instrumented build', async () => {
    const input = { ...entries, marked: MARKED };
    const plainDir = await bundle(tool, false, input);
    const ourDir = await bundle(tool, true, input);
    let compared = 0;
    const misbuilt: string[] = [];
    const unbuilt: string[] = [];
    const differences: string[] = [];
    for (const [name, source] of Object.entries(input)) {
      const plain = run(tool, plainDir, name);
      if (plain === undefined) { unbuilt.push(name); continue; } // the bundler cannot build it at all
      // A program the bundler builds wrong even without trapdoor (its parser's ASI, Annex B) is no
      // measure of trapdoor: the instrumented build may well be right where the plain one is not.
      const expected = direct(source);
      if (expected !== undefined && (expected.code !== plain.code || expected.stdout !== plain.stdout)) {
        misbuilt.push(name);
        continue;
      }
      compared++;
      const ours = run(tool, ourDir, name);
      const known = KNOWN[tool]?.[name];
      if (known !== undefined && ours !== undefined && JSON.stringify(comparable(tool, ours)) !== JSON.stringify(comparable(tool, plain))) {
        expect(ours.stderr, known.why).toMatch(known.ours);
        continue;
      }
      if (ours === undefined) differences.push(`${name}: the plain build built it, the instrumented one did not`);
      else if (JSON.stringify(comparable(tool, ours)) !== JSON.stringify(comparable(tool, plain))) {
        differences.push(`${name}:\n  plain: ${JSON.stringify(comparable(tool, plain)).slice(0, 900)}\n  ours:  ${JSON.stringify(comparable(tool, ours)).slice(0, 900)}`);
      }
    }
    expect(differences).toEqual([]);
    console.log(`${tool}: ${compared} programs compared; the plain build itself gets ${misbuilt.length} wrong: ${misbuilt.join(', ') || 'none'}; it cannot build ${unbuilt.length}: ${unbuilt.join(', ') || 'none'}`);
    // Most of the corpus bundles, and marked always does: the comparison is not vacuous.
    expect(compared).toBeGreaterThan(PROGRAMS.length / 2);
    expect(builtFile(tool, plainDir, 'marked')).toBeDefined();
    // marked was instrumented: its build imports the runtime (kept external), where the plain one does not.
    const markedOf = (dir: string) => tool === 'babel' ? join(dir, 'node_modules', 'marked', 'lib', 'marked.esm.js') : builtFile(tool, dir, 'marked')!;
    expect(readFileSync(markedOf(ourDir), 'utf8')).toContain('@trapdoor-js/runtime');
    expect(readFileSync(markedOf(plainDir), 'utf8')).not.toContain('@trapdoor-js/runtime');
  }, 600_000);
});
