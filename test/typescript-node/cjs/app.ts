import type { Shape } from './shapes';
const { area, check, Kind, largest } = require('./shapes') as typeof import('./shapes');
const { Counter }: typeof import('./counter.cts') = require('./counter.cts');

interface Options<T> {
  label: string;
  items: T[];
}

function describe<T extends Shape>({ label, items }: Options<T>): string {
  const best = largest(items);
  return `${label}: ${items.length} shapes, largest ${best?.kind} (${best ? area(best) : 0})`;
}

const shapes: Shape[] = [
  { kind: Kind.Square, size: 3 },
  { kind: Kind.Circle, size: 2 },
];
console.log(describe({ label: 'cjs', items: shapes }));

const counter = new Counter<string>();
for (const shape of shapes) counter.add(shape.kind);
console.log(counter.toString(), typeof require, require.main === module);

const mode = process.argv[2];
if (mode === 'throw') check({ kind: Kind.Square, size: -1 });
if (mode === 'busy') {
  let spins = 0;
  const started = Date.now();
  console.log('busy');
  while (spins >= 0) {
    spins++;
    if (spins % 1_000_000 === 0 && Date.now() - started > 60_000) break;
  }
}
