// Totals a CSV ledger (Deno.readTextFile); `save` first takes a lock that is never released.
import { parseCsv, take, totals, type Lock } from './ledger.ts';

const command = Deno.args[0] ?? 'totals';
const rows = parseCsv(await Deno.readTextFile(new URL('../ledger.csv', import.meta.url)));
console.log(`${rows.length} rows`);
for (const [category, sum] of totals(rows, (r) => r.category)) console.log(`  ${category} ${sum.toFixed(2)}`);
for (const [month, sum] of totals(rows, (r) => r.date.slice(0, 7))) console.log(`  ${month} ${sum.toFixed(2)}`);

if (command === 'save') {
  // The bug a debugger finds: the lock's holder (pid 4242) died without letting go.
  const ledgerLock: Lock = { holder: 4242 };
  console.log('taking the lock');
  const attempts = take(ledgerLock, Deno.pid);
  console.log(`saved after ${attempts > 1 ? 'several attempts' : 'one attempt'}`);
}
