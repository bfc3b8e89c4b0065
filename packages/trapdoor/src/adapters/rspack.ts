/** `import trapdoor from 'trapdoor-js/rspack'`: the rspack plugin. */
import { trapdoor } from './factory.js';

export default trapdoor.rspack;
