/** `import trapdoor from 'trapdoor-js/esbuild'`: the esbuild plugin. */
import { trapdoor } from './factory.js';

export default trapdoor.esbuild;
