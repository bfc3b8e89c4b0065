// `npm run build` for this package: the addon is compiled (or a prebuild used) at install, so this
// only checks that it is there and loads. It fails with the reason when it does not.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const native = require('../index.cjs');
if (!native.isAvailable()) {
  console.error(native.loadError().message);
  console.error('Build it with `npm rebuild @trapdoor-js/native` (or `npx node-gyp rebuild` in packages/native).');
  process.exit(1);
}
