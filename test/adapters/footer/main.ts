import { spin } from './spin.mjs'; console.log('spinning');
const twice = (n: number): number => spin(n) + 0; const found: number = twice(process.argv[2] === 'busy' ? 1000 : -1);
console.log(`found ${found > 0 ? 'a positive number' : found}`);
