/** `import trapdoor from 'trapdoor-js/vite'`: the vite plugin (plugin.ts: made without loading unplugin). */
import { vitePlugin } from './plugin.js';

export default vitePlugin;
