// The older import assertions syntax (`assert { type: 'json' }`): deprecated, but Node 20 still
// runs it (with a warning on stderr), so instrumented code must keep running it too.
import data from './_data.json' assert { type: 'json' };
let sum = 0;
for (const v of data.values) sum += v;
console.log(data.name, sum);
