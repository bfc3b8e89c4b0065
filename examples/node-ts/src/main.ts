// Summarises an access log; `replay` sends its requests again through a rate limiter.
import { readFileSync } from 'node:fs';
import { parseLog, summarize, type Entry } from './log.ts';
import { RateLimiter } from './rate-limiter.ts';

const command = process.argv[2] ?? 'report';
const entries: Entry[] = parseLog(readFileSync(new URL('../access-log.txt', import.meta.url), 'utf8'));
const summary = summarize(entries);
console.log(`${entries.length} requests, ${summary.errors} server errors`);
for (const [path, count] of [...summary.byPath].sort((a, b) => b[1] - a[1])) console.log(`  ${path} ${count}`);
console.log(`slowest: ${summary.slowest?.method} ${summary.slowest?.path} (${summary.slowest?.ms} ms)`);

if (command === 'replay') {
  // The bug a debugger finds: RATE unset gives a limiter of capacity 0 that nothing refills.
  const limiter = new RateLimiter(Number(process.env.RATE ?? 0));
  console.log('replaying');
  // One token for the whole burst.
  limiter.waitForToken();
  console.log(`replayed ${entries.length} requests`);
}
