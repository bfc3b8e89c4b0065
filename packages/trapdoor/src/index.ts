/**
 * `trapdoor-js`: the bundler plugin factory, for tools not covered by a subpath
 * (`trapdoor-js/vite`, `/rollup`, `/rolldown`, `/webpack`, `/rspack`, `/esbuild`, `/bun`).
 */
export { trapdoor as unplugin, unpluginFactory, instrumentForBundler, PluginOptionError } from './adapters/factory.js';
export type { TrapdoorPluginOptions } from './adapters/factory.js';
