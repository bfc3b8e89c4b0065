/**
 * `trapdoor test -- jest …` puts `--require <this file>` in NODE_OPTIONS (jest.ts). In the Jest
 * CLI's own process it wraps jest-config's `readConfigs` so that every project config Jest reads
 * gets trapdoor's transformer and test runner around the project's own (jest-config.ts): no file
 * of the project changes, and every way of configuring Jest (jest.config.*, package.json,
 * `projects`, presets, CLI flags) is read by Jest itself first. It then removes itself from
 * NODE_OPTIONS, so Jest's workers and the processes tests start do not load it: workers get the
 * changed config from the CLI process.
 *
 * In any other process (npm running a script, a shell) it does nothing.
 *
 * The hook on `Module._load` is there only until jest-config has loaded (@jest/core reads
 * `readConfigs` from its exports object at call time, so replacing the property is enough).
 */
import Module = require('node:module');
import fs = require('node:fs');
import type * as JestConfig from './jest-config.js';

type Load = (this: unknown, request: string, ...rest: unknown[]) => unknown;
type ReadConfigs = (...args: unknown[]) => Promise<{ configs: JestConfig.JestProjectConfig[]; [key: string]: unknown }>;

const JEST_BIN = /[\\/](?:jest-cli[\\/]bin[\\/]jest|jest[\\/]bin[\\/]jest)(?:\.js)?$|[\\/]\.bin[\\/]jest$/;

function isJestCli(): boolean {
  const entry = process.argv[1];
  if (entry === undefined) return false;
  if (JEST_BIN.test(entry)) return true;
  try {
    return JEST_BIN.test(fs.realpathSync(entry));
  } catch {
    return false;
  }
}

/** NODE_OPTIONS without this preload (quoted or not, as jest.ts writes it). */
function withoutSelf(options: string): string {
  const self = __filename.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return options.replace(new RegExp(`\\s*--require[= ](?:"${self}"|${self})`, 'g'), '').trim();
}

if (isJestCli()) {
  if (process.env.NODE_OPTIONS !== undefined) process.env.NODE_OPTIONS = withoutSelf(process.env.NODE_OPTIONS);
  const { withTrapdoor } = require('./jest-config.js') as typeof JestConfig;
  const statics = Module as unknown as { _load: Load };
  const original = statics._load;
  statics._load = function _load(request, ...rest) {
    const exports = original.call(this, request, ...rest) as { readConfigs?: ReadConfigs } | undefined;
    if (request === 'jest-config' && typeof exports?.readConfigs === 'function') {
      if (statics._load === _load) statics._load = original;
      const readConfigs = exports.readConfigs;
      exports.readConfigs = async function trapdoorReadConfigs(...args) {
        const result = await readConfigs.apply(this, args);
        return { ...result, configs: result.configs.map((config) => withTrapdoor(config)) };
      };
    }
    return exports;
  };
}
