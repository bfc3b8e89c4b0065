/**
 * Builds test/adapters/project with each bundler, as its users configure it, with and without
 * trapdoor's plugin (`trapdoor-js/<tool>`, imported by its public name). Output goes to
 * test/.tmp/adapters/<pid>-<thread>/<tool>-<plain|trapdoor>/ (buildDir); the entry it returns runs with `runtime`.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { threadId } from 'node:worker_threads';

export const projectDir = fileURLToPath(new URL('../../examples/build-tools/', import.meta.url));
const repoRoot = fileURLToPath(new URL('../../', import.meta.url));
const defaultEntry = join(projectDir, 'src', 'main.ts');
const bin = (name: string): string => join(repoRoot, 'node_modules', '.bin', name);

export type Tool = 'vite' | 'rollup' | 'rolldown' | 'esbuild' | 'webpack' | 'rspack' | 'bun' | 'babel';
export const TOOLS: Tool[] = ['vite', 'rollup', 'rolldown', 'esbuild', 'webpack', 'rspack', 'bun', 'babel'];

export interface Built {
  /** The file to run. */
  file: string;
  /** What runs it. */
  runtime: 'node' | 'bun';
  /** The folder of the program's sources (spin.ts, main.ts) when not examples/build-tools/src. */
  sourceDir?: string;
}

/**
 * Where `build` writes: a folder of this process (and thread) of its own, swept by a later run once the process is gone. A
 * running bundle's file is read again while it runs (the debugger reads a stuck module's table
 * from it), and two runs of this suite in one checkout (a developer's beside a helper's) wrote one
 * shared folder: the other run's build replaced the bundle, and the frames were placed by another
 * bundle's tables.
 */
const buildsDir = join(repoRoot, 'test', '.tmp', 'adapters');
const ownDir = join(buildsDir, `${process.pid}-${threadId}`);
let swept = false;
export function buildDir(tool: Tool, instrumented: boolean): string {
  // Vitest ends its workers without an 'exit' event: the folders of processes that are gone go here.
  if (!swept) {
    swept = true;
    for (const name of existsSync(buildsDir) ? readdirSync(buildsDir) : []) {
      const pid = /^(\d+)-\d+$/.exec(name)?.[1];
      if (pid !== undefined && !alive(Number(pid))) rmSync(join(buildsDir, name), { recursive: true, force: true });
    }
  }
  return join(ownDir, `${tool}-${instrumented ? 'trapdoor' : 'plain'}`);
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function outDir(tool: Tool, instrumented: boolean): string {
  const dir = buildDir(tool, instrumented);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** webpack and Rspack report through a callback; errors in the stats are failures too. */
export function runCompiler(compiler: any): Promise<void> {
  return new Promise((resolve, reject) => {
    compiler.run((error: Error | null, stats: any) => {
      compiler.close(() => {
        if (error) return reject(error);
        if (stats?.hasErrors()) return reject(new Error(stats.toString({ all: false, errors: true })));
        resolve();
      });
    });
  });
}

export async function build(tool: Tool, instrumented: boolean, pluginOptions: object = {}, entry = defaultEntry): Promise<Built> {
  const dir = outDir(tool, instrumented);
  switch (tool) {
    case 'vite': {
      const { build: viteBuild } = await import('vite');
      const plugin = (await import('trapdoor-js/vite')).default;
      await viteBuild({
        root: projectDir,
        configFile: false,
        logLevel: 'silent',
        plugins: instrumented ? [plugin(pluginOptions)] : [],
        build: { ssr: entry, outDir: dir, sourcemap: true, minify: false, emptyOutDir: true },
      });
      return { file: join(dir, 'main.js'), runtime: 'node' };
    }
    case 'rollup': {
      const { rollup } = await import('rollup');
      const typescript = (await import('@rollup/plugin-typescript')).default as unknown as (o: object) => any;
      const plugin = (await import('trapdoor-js/rollup')).default;
      const bundle = await rollup({
        input: entry,
        // @rollup/plugin-typescript compiles from the files on disk, so it must come first; trapdoor
        // then maps its sites back to the .ts lines through the combined map.
        plugins: [typescript({ tsconfig: join(projectDir, 'tsconfig.json'), noEmitOnError: true, outDir: dir }), ...(instrumented ? [plugin(pluginOptions)] : [])],
        onwarn: () => {},
      });
      await bundle.write({ dir, format: 'es', sourcemap: true, entryFileNames: '[name].mjs' });
      await bundle.close();
      return { file: join(dir, 'main.mjs'), runtime: 'node' };
    }
    case 'rolldown': {
      const { rolldown } = await import('rolldown');
      const plugin = (await import('trapdoor-js/rolldown')).default;
      const bundle = await rolldown({ input: entry, platform: 'node', cwd: projectDir, plugins: instrumented ? [plugin(pluginOptions)] : [], logLevel: 'silent' });
      await bundle.write({ dir, format: 'es', sourcemap: true, entryFileNames: '[name].mjs' });
      await bundle.close();
      return { file: join(dir, 'main.mjs'), runtime: 'node' };
    }
    case 'esbuild': {
      const esbuild = await import('esbuild');
      const plugin = (await import('trapdoor-js/esbuild')).default;
      await esbuild.build({
        entryPoints: [entry],
        bundle: true,
        platform: 'node',
        format: 'esm',
        outfile: join(dir, 'main.mjs'),
        sourcemap: true,
        // What every ES module bundle for Node needs for the CommonJS it bundles (ws, a bundled runtime's).
        banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
        logLevel: 'silent',
        absWorkingDir: projectDir,
        plugins: instrumented ? [plugin(pluginOptions)] : [],
      });
      return { file: join(dir, 'main.mjs'), runtime: 'node' };
    }
    case 'webpack':
    case 'rspack': {
      // The same Node app config for both; each compiles TypeScript with its usual loader.
      const compile = tool === 'webpack' ? (await import('webpack')).default : (await import('@rspack/core')).rspack;
      const plugin = (await import(tool === 'webpack' ? 'trapdoor-js/webpack' : 'trapdoor-js/rspack')).default;
      const typescript =
        tool === 'webpack'
          ? { loader: 'ts-loader', options: { transpileOnly: true, configFile: join(projectDir, 'tsconfig.json') } }
          : { loader: 'builtin:swc-loader', options: { jsc: { parser: { syntax: 'typescript' } } } };
      await runCompiler(
        (compile as (config: object) => unknown)({
          mode: 'production',
          target: 'node',
          context: projectDir,
          entry,
          devtool: 'source-map',
          output: { path: dir, filename: 'main.cjs', library: { type: 'commonjs2' } },
          resolve: { extensions: ['.ts', '.js'] },
          module: { rules: [{ test: /\.ts$/, ...typescript }] },
          plugins: instrumented ? [plugin(pluginOptions)] : [],
        }),
      );
      return { file: join(dir, 'main.cjs'), runtime: 'node' };
    }
    case 'babel': {
      // File by file, as babel-jest or babel-cli does: the TypeScript preset, then CommonJS.
      const babel = await import('@babel/core');
      const plugin = (await import('trapdoor-js/babel')).default;
      const sourceDir = dirname(entry);
      for (const name of readdirSync(sourceDir).filter((f) => f.endsWith('.ts'))) {
        const file = join(sourceDir, name);
        const result = await babel.transformFileAsync(file, {
          configFile: false,
          babelrc: false,
          cwd: projectDir,
          sourceMaps: true,
          presets: [['@babel/preset-typescript', {}]],
          plugins: [...(instrumented ? [[plugin, pluginOptions]] : []), '@babel/plugin-transform-modules-commonjs'],
        });
        const out = join(dir, name.replace(/\.ts$/, '.js'));
        writeFileSync(out, `${result!.code}\n//# sourceMappingURL=${basename(out)}.map\n`);
        writeFileSync(`${out}.map`, JSON.stringify({ ...result!.map, sources: result!.map!.sources.map((s) => resolve(projectDir, s)) }));
      }
      writeFileSync(join(dir, 'package.json'), '{ "type": "commonjs" }\n');
      return { file: join(dir, basename(entry).replace(/\.ts$/, '.js')), runtime: 'node' };
    }
    case 'bun': {
      // Bun.build exists only inside Bun: build in a Bun process, as a Bun user does.
      const script = fileURLToPath(new URL('./bun-build.ts', import.meta.url));
      const result = spawnSync(bin('bun'), [script, entry, dir, instrumented ? 'trapdoor' : 'plain', JSON.stringify(pluginOptions)], {
        cwd: projectDir,
        encoding: 'utf8',
      });
      if (result.status !== 0) throw new Error(`Bun.build failed (${result.status}):\n${result.stdout}${result.stderr}`);
      return { file: join(dir, 'main.js'), runtime: 'bun' };
    }
  }
}
