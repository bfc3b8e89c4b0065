/**
 * `trapdoor-js`: the bundler plugin factory, for tools not covered by a subpath
 * (`trapdoor-js/vite`, `/rollup`, `/rolldown`, `/webpack`, `/rspack`, `/esbuild`, `/bun`).
 */
export { trapdoor as unplugin, unpluginFactory, PluginOptionError } from './adapters/factory.js';
export { instrumentForBundler } from './adapters/bundler-instrument.js';
export type { TrapdoorPluginOptions } from './adapters/factory.js';
