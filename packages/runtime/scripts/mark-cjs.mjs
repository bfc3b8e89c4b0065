// The CommonJS build lives in a "type": "module" package, so its folder needs its own marker.
import { writeFileSync } from 'node:fs';
writeFileSync(new URL('../dist/cjs/package.json', import.meta.url), '{ "type": "commonjs" }\n');
