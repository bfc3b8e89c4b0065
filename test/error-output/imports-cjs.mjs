import { settings } from './imported.cjs';

console.log(settings);
