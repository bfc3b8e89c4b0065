/**
 * An `include` that takes no file of the build: real Rollup, Vite, esbuild and webpack builds of a
 * small JavaScript project, each with `include` naming a folder the project does not have, say so
 * once at the build's end, in the bundler's own warning channel, naming the option and its value;
 * the same builds with the default `include` (every file outside node_modules) or one that names
 * the project's files do not. A build whose files are all in node_modules warns about the default.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { repoRoot } from './e2e/harness.js';

const root = mkdtempSync(join(tmpdir(), 'trapdoor-include-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

const src = join(root, 'src');
mkdirSync(join(src, 'util'), { recursive: true });
writeFileSync(join(src, 'main.js'), "import { spin } from './util/spin.js';\nconsole.log(spin(3));\n");
writeFileSync(join(src, 'util', 'spin.js'), 'export function spin(n) {\n  let i = 0;\n  while (i < n) i++;\n  return i;\n}\n');
// A project whose only code is a dependency's: the default `include` leaves node_modules alone.
const dep = join(root, 'node_modules', 'dep');
mkdirSync(dep, { recursive: true });
writeFileSync(join(dep, 'package.json'), '{ "name": "dep", "type": "module", "main": "index.js" }\n');
writeFileSync(join(dep, 'index.js'), 'export function spin(n) {\n  let i = 0;\n  while (i < n) i++;\n  return i;\n}\nconsole.log(spin(3));\n');
const depEntry = join(dep, 'index.js');
// The runtime the output imports, installed as in a user's project (Vite resolves its SSR externals).
mkdirSync(join(root, 'node_modules', '@trapdoor-js'), { recursive: true });
symlinkSync(realpathSync(join(repoRoot, 'node_modules', '@trapdoor-js', 'runtime')), join(root, 'node_modules', '@trapdoor-js', 'runtime'), 'dir');

type Tool = 'rollup' | 'vite' | 'esbuild' | 'webpack';
interface Outcome {
  warnings: string[];
  code: string;
}

/** Builds `entry` with trapdoor's plugin for `tool` and returns the warnings the bundler got and the output. */
async function buildWith(tool: Tool, options: Record<string, unknown>, entry = join(src, 'main.js')): Promise<Outcome> {
  const out = mkdtempSync(join(root, `${tool}-`));
  switch (tool) {
    case 'rollup': {
      const { rollup } = await import('rollup');
      const plugin = (await import('trapdoor-js/rollup')).default;
      const warnings: string[] = [];
      const bundle = await rollup({ input: entry, plugins: [plugin({ root, ...options })], onwarn: (warning) => void warnings.push(`${warning.plugin ?? ''}: ${warning.message}`) });
      const { output } = await bundle.generate({ format: 'es' });
      await bundle.close();
      return { warnings, code: output[0].code };
    }
    case 'vite': {
      const { build } = await import('vite');
      const plugin = (await import('trapdoor-js/vite')).default;
      const warnings: string[] = [];
      const logger = {
        hasWarned: false,
        info: () => {},
        warn: (message: string) => void warnings.push(message),
        warnOnce: (message: string) => void warnings.push(message),
        error: () => {},
        clearScreen: () => {},
        hasErrorLogged: () => false,
      };
      const result = (await build({
        root,
        configFile: false,
        customLogger: logger,
        plugins: [plugin(options)],
        build: { ssr: entry, write: false, minify: false, outDir: out },
      })) as { output: { code?: string }[] } | { output: { code?: string }[] }[];
      const first = Array.isArray(result) ? result[0]! : result;
      return { warnings, code: first.output[0]!.code ?? '' };
    }
    case 'esbuild': {
      const esbuild = await import('esbuild');
      const plugin = (await import('trapdoor-js/esbuild')).default;
      const result = await esbuild.build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', write: false, logLevel: 'silent', absWorkingDir: root, plugins: [plugin(options)] });
      return { warnings: result.warnings.map((w) => `${w.pluginName}: ${w.text}`), code: result.outputFiles[0]!.text };
    }
    case 'webpack': {
      const webpack = (await import('webpack')).default;
      const plugin = (await import('trapdoor-js/webpack')).default;
      const compiler = webpack({ mode: 'development', devtool: false, target: 'node', context: root, entry, output: { path: out, filename: 'main.cjs' }, plugins: [plugin(options)] });
      const stats = await new Promise<any>((resolve, reject) => compiler.run((error, result) => compiler.close(() => (error ? reject(error) : resolve(result)))));
      if (stats.hasErrors()) throw new Error(stats.toString('errors-only'));
      const { readFileSync } = await import('node:fs');
      return { warnings: stats.compilation.warnings.map((w: Error) => w.message), code: readFileSync(join(out, 'main.cjs'), 'utf8') };
    }
  }
}

const ours = (warnings: string[]) => warnings.filter((w) => w.includes("option 'include'"));
/** The output holds a module's site table (its text survives every bundler, whatever they rename; Vite quotes it again). */
const instrumented = (code: string) => /\{\\?"v\\?":2,\\?"file\\?":/.test(code);

describe.each(['rollup', 'vite', 'esbuild', 'webpack'] as const)('%s', (tool) => {
  it("include that takes no file of the build: one warning at the end naming 'include' and its value; nothing instrumented", async () => {
    const { warnings, code } = await buildWith(tool, { include: ['lib/**'] });
    expect(instrumented(code)).toBe(false);
    const found = ours(warnings);
    expect(found, warnings.join('\n')).toHaveLength(1);
    expect(found[0]).toContain(`option 'include' (["lib/**"], relative to ${root})`);
    expect(found[0]).toMatch(/took none of the 2 JavaScript and TypeScript files of this build/);
  });

  it('include that takes a file, or the default: no such warning, and the file is instrumented', async () => {
    for (const options of [{}, { include: ['src/util/**'] }]) {
      const { warnings, code } = await buildWith(tool, options);
      expect(instrumented(code)).toBe(true);
      expect(ours(warnings), warnings.join('\n')).toEqual([]);
    }
  });
});

it.each(['rollup', 'esbuild'] as const)('%s: a build of node_modules alone warns about the default include, and the exclude that left a file out', async (tool) => {
  const byDefault = ours((await buildWith(tool, {}, depEntry)).warnings);
  expect(byDefault).toHaveLength(1);
  expect(byDefault[0]).toContain("option 'include' (not set: every file outside node_modules) took none of the 1 JavaScript and TypeScript file of this build");
  const excluded = ours((await buildWith(tool, { exclude: ['src/util/**'], include: ['src/util/**'] })).warnings);
  expect(excluded).toHaveLength(1);
  expect(excluded[0]).toContain(`once 'exclude' (["src/util/**"]) left its files out`);
});
