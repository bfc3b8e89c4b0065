// Import attributes (`with { type: 'json' }`), supported by Node 20.10+.
import data from './_data.json' with { type: 'json' };
let sum = 0;
for (const v of data.values) sum += v;
console.log(data.name, sum);
const dynamic = await import('./_data.json', { with: { type: 'json' } });
console.log(dynamic.default === data);
