/** `import trapdoor from 'trapdoor-js/webpack'`: the webpack plugin. */
import { trapdoor } from './factory.js';

export default trapdoor.webpack;
