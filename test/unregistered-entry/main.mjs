import { spin } from './spin.mjs'; import { armDeadline, disarmDeadline } from '@trapdoor-js/runtime/deadline'; const mode = process.argv[2];
const twice = (n) => spin(n) + 0; console.log(`TWICE ${JSON.stringify(String(twice))}`);
const run = () => { if (mode !== 'deadline') return twice(1000) + 0; armDeadline(300, { message: 'Stuck.', stack: 'original' }); try { return twice(0); } catch (error) { console.log(`RESULT ${JSON.stringify({ code: error.code, stack: error.stack })}`); return 1; } finally { disarmDeadline(); } };
console.log('spinning'); const found = run(); console.log(`found ${found > 0 ? 'a positive number' : found}`); console.log('done');
