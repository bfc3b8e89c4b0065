// A ledger read from CSV (date,category,amount): totals per category and per month.

export interface Row {
  date: string;
  category: string;
  amount: number;
}

export function parseCsv(text: string): Row[] {
  const [header, ...lines] = text.trim().split('\n');
  if (header !== 'date,category,amount') throw new Error(`unexpected header: ${header}`);
  return lines.map((line, i) => {
    const [date, category, amount] = line.split(',');
    const value = Number(amount);
    if (!date || !category || Number.isNaN(value)) throw new Error(`line ${i + 2}: ${line}`);
    return { date, category, amount: value };
  });
}

export function totals(rows: readonly Row[], key: (row: Row) => string): Map<string, number> {
  const out = new Map<string, number>();
  for (const row of rows) out.set(key(row), Math.round(((out.get(key(row)) ?? 0) + row.amount) * 100) / 100);
  return out;
}

export interface Lock {
  holder: number | null;
}

/** Takes the lock by retrying, busily, until its holder lets go: returns how many attempts it took. */
export function take(lock: Lock, me: number): number {
  let attempts = 0;
  let taken = false;
  while (!taken) {
    attempts++;
    if (lock.holder === null) taken = true;
  }
  lock.holder = me;
  return attempts;
}
