/**
 * The one factory every bundler adapter but Vite's is a line over: unplugin over the plugin of
 * plugin.ts (Vite's is made there without unplugin, see vitePlugin).
 */
import { createUnplugin } from 'unplugin';
import { unpluginFactory } from './plugin.js';

export type { TrapdoorPluginOptions } from './options.js';
export { PluginOptionError } from './options.js';
export { unpluginFactory } from './plugin.js';

export const trapdoor = createUnplugin(unpluginFactory);
