// Runs in each test file's sandbox before trapdoor's runner publishes the worker's runtime.
import { settle } from './src/settle.js';

function warmUp(n) {
  let total = 0;
  for (let i = 0; i < n; i++) total += settle(i);
  return total;
}

globalThis.settled = warmUp(3);
globalThis.spinInSetup = function spinInSetup() {
  let i = 0;
  while (true) i++;
};
