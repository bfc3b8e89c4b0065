/** `import trapdoor from 'trapdoor-js/bun'`: the bun plugin. */
import { trapdoor } from './factory.js';

export default trapdoor.bun;
