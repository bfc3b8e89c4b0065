/** `import trapdoor from 'trapdoor-js/vite'`: the vite plugin. */
import { trapdoor } from './factory.js';

export default trapdoor.vite;
