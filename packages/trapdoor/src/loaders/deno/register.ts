/**
 * `deno run --allow-read --preload <trapdoor-js>/dist/loaders/deno/register.js app.ts` (what
 * `trapdoor run --runtime deno` does, with the permissions it needs).
 *
 * This entry imports nothing Deno could resolve through the program's configuration: it first
 * makes trapdoor's own modules resolve their imports as Node does (own-modules.ts), then loads
 * the loader (loader.ts), whose imports would otherwise depend on the user's deno.json,
 * package.json and nodeModulesDir setting.
 *
 * Resolving as Node does reads trapdoor's packages. Without that permission the program runs
 * as it would without trapdoor, after one line that says why (a stack trace from deep inside the
 * loader would not).
 */
import { fileURLToPath } from 'node:url';
import { mayRead } from './node-resolve.js';
import { probeFacadeUrls, resolveOwnImports } from './own-modules.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
if (mayRead(root)) {
  resolveOwnImports(root);
  await probeFacadeUrls();
  await import('./loader.js');
  await (await import('./preload-runtime.js')).preloadRuntime(); // the runtime is always there, so attach works (../preload-runtime.ts)
} else {
  process.stderr.write(
    `trapdoor: the program runs without trapdoor: its Deno loader needs read access to its packages (${root.replace(/[\\/]$/, '')} and their dependencies); ` +
      `run it with 'trapdoor run --runtime deno', which grants what it needs, or give --allow-read\n`,
  );
}
