/**
 * Builds test/adapters/project with each bundler, as its users configure it, with and without
 * trapdoor's plugin (`trapdoor-js/<tool>`, imported by its public name). Output goes to
 * test/.tmp/adapters/<tool>-<plain|trapdoor>/; the entry it returns runs with `runtime`.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

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

function outDir(tool: Tool, instrumented: boolean): string {
  const dir = join(repoRoot, 'test', '.tmp', 'adapters', `${tool}-${instrumented ? 'trapdoor' : 'plain'}`);
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
