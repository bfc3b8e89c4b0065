// Preload (--import) for the warm-run test: the modules this process loads, as `<pid> <url or
// path>` lines appended to $TRAPDOOR_TEST_MODULE_LOG: what it resolves through the ES module
// loader (hooks: module-log-hooks.mjs) and, at exit, the CommonJS modules it has loaded.
import { appendFileSync } from 'node:fs';
import { createRequire, register } from 'node:module';

const file = process.env.TRAPDOOR_TEST_MODULE_LOG;
if (file) {
  register(new URL('./module-log-hooks.mjs', import.meta.url), import.meta.url, { data: { file } });
  const cache = createRequire(import.meta.url).cache;
  process.on('exit', () => appendFileSync(file, Object.keys(cache).map((path) => `${process.pid} ${path}\n`).join('')));
}
