/**
 * What the config `trapdoor test -- vitest …` generates (vitest.ts) runs, in Vitest's own process:
 * the project's config loaded as Vitest would have loaded it — the same file, Vite's own
 * `loadConfigFromFile` from the Vite that Vitest uses, the same config loader and environment —
 * with trapdoor's Vitest plugin added in front. Nothing else of the project's config changes.
 */
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ConfigEnv, Plugin, UserConfig } from 'vite';
import trapdoor, { type TrapdoorVitestOptions } from './vitest-plugin.js';

export interface WrappedConfig {
  /** The project's config file; undefined when it has none (Vitest's defaults then). */
  configFile?: string;
  /** Where Vitest runs (its `--root`, else the working directory). */
  root: string;
  /** Vitest's `--configLoader`, if given. */
  configLoader?: 'bundle' | 'runner' | 'native';
  /** The Vite that Vitest imports (dist/node/index.js). */
  vite: string;
  plugin: TrapdoorVitestOptions;
}

type ViteModule = typeof import('vite');

export async function configWithTrapdoor(env: ConfigEnv, wrapped: WrappedConfig): Promise<UserConfig> {
  let config: UserConfig = {};
  const ours: Plugin[] = [...trapdoor(wrapped.plugin)];
  if (wrapped.configFile !== undefined) {
    const vite = (await import(pathToFileURL(wrapped.vite).href)) as ViteModule;
    const loaded = await vite.loadConfigFromFile(env, wrapped.configFile, wrapped.root, undefined, undefined, wrapped.configLoader);
    if (loaded !== null) {
      config = loaded.config;
      ours.push(restartOnChange([loaded.path, ...loaded.dependencies].map((file) => resolve(wrapped.root, file))));
    }
  }
  return { ...config, plugins: [...ours, ...(config.plugins ?? [])] };
}

/**
 * Watch mode: Vitest restarts when its config file changes, which is now the generated one; so
 * the project's config file and what it imports restart it as before.
 */
function restartOnChange(files: string[]): Plugin {
  return {
    name: 'trapdoor:project-config',
    configureServer(server) {
      if (server.config.server.watch === null) return;
      server.watcher.add(files);
      server.watcher.on('change', (file) => {
        // As a change of the generated config: Vitest then restarts as for its config ("Restarting due to config changes...").
        if (files.includes(resolve(file)) && server.config.configFile !== undefined) server.watcher.emit('change', server.config.configFile);
      });
    },
  };
}
