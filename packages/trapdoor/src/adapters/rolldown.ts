/** `import trapdoor from 'trapdoor-js/rolldown'`: the rolldown plugin. */
import { trapdoor } from './factory.js';

export default trapdoor.rolldown;
