// The Jest runner's command matching and environment, the config it wraps, and the wrapping
// transformer itself: the built hooks/jest-transformer.cjs around the real babel-jest, on real
// files (needs the package built).
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { TraceMap, originalPositionFor } from '@jridgewell/trace-mapping';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jest } from './jest.js';
import { ORIGINAL_RUNNER_KEY, ORIGINAL_RUNTIME_KEY, RUNNER_PATH, RUNTIME_CLASS_PATH, RUNTIME_MAPPING, TRANSFORMER_PATH, UNTRANSFORMED_PATTERN, withTrapdoor, type JestProjectConfig } from './hooks/jest-config.js';

const DIST = fileURLToPath(new URL('../../dist/test-runners/hooks/', import.meta.url));
/** Inside the repository (git-ignored), so babel-jest and Babel's presets resolve from its node_modules. */
const TMP = fileURLToPath(new URL('../../../../test/.tmp/', import.meta.url));

describe('jest.matches', () => {
  it.each([
    [['jest']],
    [['npx', 'jest', '--ci']],
    [['node_modules/.bin/jest']],
    [['node', 'node_modules/jest/bin/jest.js', 'src']],
    [['pnpm', 'exec', 'jest']],
  ])('runs Jest: %j', (command) => {
    expect(jest.matches(command)).toBe(true);
  });

  it.each([[['npx', 'vitest', 'run']], [['node', '--test']], [['node', 'jest.config.js']], [['bun', 'test']]])('does not: %j', (command) => {
    expect(jest.matches(command)).toBe(false);
  });

  it('finds Jest in a package script', () => {
    const dir = mkdtempSync(join(tmpdir(), 'trapdoor-jest-match-'));
    const cwd = process.cwd();
    try {
      writeFileSync(join(dir, 'package.json'), JSON.stringify({ scripts: { test: 'jest --ci', lint: 'eslint .' } }));
      process.chdir(dir);
      expect(jest.matches(['npm', 'test'])).toBe(true);
      expect(jest.matches(['npm', 'run', 'lint'])).toBe(false);
    } finally {
      process.chdir(cwd);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('jest.prepare', () => {
  it('keeps the command, adds the preload to NODE_OPTIONS after what is there, and passes --timeout and the globs', async () => {
    const saved = process.env.NODE_OPTIONS;
    process.env.NODE_OPTIONS = '--max-old-space-size=4096';
    try {
      const prepared = await jest.prepare(['npx', 'jest', '--ci'], { timeout: 300, include: ['src/**'], exclude: [], cwd: process.cwd() });
      expect(prepared.command).toEqual(['npx', 'jest', '--ci']);
      expect(prepared.env.NODE_OPTIONS).toMatch(/^--max-old-space-size=4096 --require ".*[\\/]hooks[\\/]jest-preload\.cjs"$/);
      expect(prepared.env.TRAPDOOR_TEST_TIMEOUT).toBe('300');
      expect(prepared.env.TRAPDOOR_INCLUDE).toBe('["src/**"]');
      expect(prepared.env.TRAPDOOR_EXCLUDE).toBeUndefined();
    } finally {
      if (saved === undefined) delete process.env.NODE_OPTIONS;
      else process.env.NODE_OPTIONS = saved;
    }
  });
});

describe('withTrapdoor', () => {
  const config: JestProjectConfig = {
    transform: [
      ['\\.[jt]sx?$', '/p/node_modules/babel-jest/build/index.js', { rootMode: 'upward' }],
      ['\\.svg$', '/p/svg-transform.js', {}],
    ],
    testRunner: '/p/node_modules/jest-circus/runner.js',
    moduleNameMapper: [['^@/(.*)$', '/p/src/$1']],
    testEnvironment: '/p/node_modules/jest-environment-jsdom/build/index.js',
  };

  it('wraps every transformer with its options and the runner, and keeps every other setting', () => {
    const wrapped = withTrapdoor(config);
    expect(wrapped.transform).toEqual([
      ['\\.[jt]sx?$', TRANSFORMER_PATH, { transformer: '/p/node_modules/babel-jest/build/index.js', options: { rootMode: 'upward' } }],
      ['\\.svg$', TRANSFORMER_PATH, { transformer: '/p/svg-transform.js', options: {} }],
      // What no pattern of the project's matches: instrumented as Jest loads it.
      [UNTRANSFORMED_PATTERN, TRANSFORMER_PATH, { transformer: null, options: {} }],
    ]);
    expect(wrapped.testRunner).toBe(RUNNER_PATH);
    expect(wrapped[ORIGINAL_RUNNER_KEY]).toBe('/p/node_modules/jest-circus/runner.js');
    // The project's mappings, after trapdoor's one for the runtime (code the project's Babel config instrumented binds the worker's runtime).
    expect(wrapped.moduleNameMapper).toEqual([RUNTIME_MAPPING, ['^@/(.*)$', '/p/src/$1']]);
    expect(withTrapdoor(wrapped).moduleNameMapper).toEqual(wrapped.moduleNameMapper);
    expect(wrapped.testEnvironment).toBe(config.testEnvironment);
    // Jest's module runtime class: trapdoor's around jest-runtime (none named), or around the project's.
    expect(wrapped.runtime).toBe(RUNTIME_CLASS_PATH);
    expect(wrapped[ORIGINAL_RUNTIME_KEY]).toBeUndefined();
    const own = withTrapdoor<JestProjectConfig>({ ...config, runtime: '/p/custom-runtime.js' });
    expect([own.runtime, own[ORIGINAL_RUNTIME_KEY]]).toEqual([RUNTIME_CLASS_PATH, '/p/custom-runtime.js']);
    expect(withTrapdoor(own)[ORIGINAL_RUNTIME_KEY]).toBe('/p/custom-runtime.js');
  });

  it('wraps once', () => {
    expect(withTrapdoor(withTrapdoor(config))).toEqual(withTrapdoor(config));
  });
});

describe('the wrapping transformer around babel-jest', () => {
  let dir: string;
  const require = createRequire(import.meta.url);
  type Transformer = {
    canInstrument?: boolean;
    getCacheKey(source: string, path: string, options: object): string;
    process(source: string, path: string, options: object): { code: string; map?: unknown };
  };
  const make = (options: object) => (require(join(DIST, 'jest-transformer.cjs')) as { createTransformer(o: object): Promise<Transformer> }).createTransformer(options);
  const transformOptions = (root: string) => ({ config: { rootDir: root, cwd: root }, configString: '{}', instrument: false, cacheFS: new Map(), transformerConfig: {} });

  beforeAll(() => {
    mkdirSync(TMP, { recursive: true });
    dir = mkdtempSync(join(TMP, 'jest-transformer-'));
    mkdirSync(join(dir, 'src'));
    writeFileSync(join(dir, 'babel.config.cjs'), "module.exports = { presets: ['@babel/preset-typescript'], plugins: ['@babel/plugin-transform-modules-commonjs'] };\n");
  });

  afterAll(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  it('runs babel-jest with the project’s Babel config, then instruments its output; the map leads to the .ts line', async () => {
    const source = 'export function spin(limit: number): number {\n  let i: number = 0;\n  while (i < limit) {\n    i++;\n  }\n  return i;\n}\n';
    const file = join(dir, 'src', 'spin.ts');
    writeFileSync(file, source);
    const cwd = process.cwd();
    process.chdir(dir);
    try {
      const transformer = await make({ transformer: 'babel-jest' });
      expect(transformer.canInstrument).toBe(true); // babel-jest's, passed on
      const out = transformer.process(source, file, transformOptions(dir));
      expect(out.code).not.toContain(': number'); // compiled by Babel's TypeScript preset
      expect(out.code).toContain('exports.spin'); // and to CommonJS, as the project's config says
      expect(out.code).toContain(join(DIST, 'jest-runtime.cjs')); // bound to the shared runtime
      const lines = out.code.split('\n');
      const loop = lines.findIndex((l) => l.includes('while (i < limit)'));
      expect(loop).toBeGreaterThanOrEqual(0);
      const position = originalPositionFor(new TraceMap(out.map as never), { line: loop + 1, column: lines[loop]!.indexOf('while') });
      expect({ line: position.line, column: position.column }).toEqual({ line: 3, column: 2 });
    } finally {
      process.chdir(cwd);
    }
  });

  it('leaves files outside the policy as babel-jest made them', async () => {
    const file = join(dir, 'src', 'excluded.js');
    const source = 'export const f = () => { for (;;) break; };\n';
    writeFileSync(file, source);
    const cwd = process.cwd();
    process.chdir(dir);
    const saved = process.env.TRAPDOOR_EXCLUDE;
    process.env.TRAPDOOR_EXCLUDE = '["src/excluded.js"]';
    try {
      const transformer = await make({ transformer: 'babel-jest' });
      const babelJest = (require('babel-jest') as { default: { createTransformer(o: object): Transformer } }).default.createTransformer({});
      expect(transformer.process(source, file, transformOptions(dir)).code).toBe(babelJest.process(source, file, transformOptions(dir)).code);
    } finally {
      process.chdir(cwd);
      if (saved === undefined) delete process.env.TRAPDOOR_EXCLUDE;
      else process.env.TRAPDOOR_EXCLUDE = saved;
    }
  });

  it('caches under a key of its own: not babel-jest’s, and another for other globs', async () => {
    const file = join(dir, 'src', 'spin.ts');
    const source = 'export const x = 1;\n';
    const cwd = process.cwd();
    process.chdir(dir);
    const saved = process.env.TRAPDOOR_INCLUDE;
    try {
      const babelJest = (require('babel-jest') as { default: { createTransformer(o: object): Transformer } }).default.createTransformer({});
      const ours = (await make({ transformer: 'babel-jest' })).getCacheKey(source, file, transformOptions(dir));
      process.env.TRAPDOOR_INCLUDE = '["src/**"]';
      const included = (await make({ transformer: 'babel-jest' })).getCacheKey(source, file, transformOptions(dir));
      expect(ours).not.toBe(babelJest.getCacheKey(source, file, transformOptions(dir)));
      expect(included).not.toBe(ours);
    } finally {
      process.chdir(cwd);
      if (saved === undefined) delete process.env.TRAPDOOR_INCLUDE;
      else process.env.TRAPDOOR_INCLUDE = saved;
    }
  });

  it('says which option is missing', async () => {
    await expect(make({})).rejects.toThrow("trapdoor-js/jest: option 'transformer' must name the transformer to run");
  });

  it('names a misspelt option, in one line (Jest prints the stack)', async () => {
    const error = (await make({ transfomer: 'ts-jest' } as never).catch((caught: unknown) => caught)) as Error;
    expect(error.message).toMatch(/^trapdoor-js\/jest: unknown option 'transfomer' \(its options are 'transformer'/);
    expect(error.stack).toBe(`TypeError: ${error.message}`);
  });
});
