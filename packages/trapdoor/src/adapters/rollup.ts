/** `import trapdoor from 'trapdoor-js/rollup'`: the rollup plugin. */
import { trapdoor } from './factory.js';

export default trapdoor.rollup;
