/**
 * `deno run --allow-read --preload <trapdoor-js>/dist/loaders/deno/register.js app.ts` (what
 * `trapdoor run --runtime deno` does, with the permissions it needs).
 *
 * This entry imports nothing Deno could resolve through the program's configuration: it loads
 * the runtime (one bundled file importing only node: built-ins), makes trapdoor's own modules
 * resolve their imports as Node does (own-modules.ts: the runtime's modules loaded on activation
 * import packages by name, which would otherwise depend on the user's deno.json, package.json
 * and nodeModulesDir setting), then installs the loader (loader.ts). The build makes it one file
 * with the modules it imports (scripts/bundle-deno.mjs).
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
  // The runtime first, so attach works even when no instrumented module loads it
  // (../preload-runtime.ts): one file that imports only node: built-ins, loaded before any module
  // hook is there, so Deno compiles it from its code cache and no hook sees it.
  await (await import('./preload-runtime.js')).preloadRuntime();
  resolveOwnImports(root);
  await probeFacadeUrls();
  await import('./loader.js');
} else {
  process.stderr.write(
    `trapdoor: the program runs without trapdoor: its Deno loader needs read access to its packages (${root.replace(/[\\/]$/, '')} and their dependencies); ` +
      `run it with 'trapdoor run --runtime deno', which grants what it needs, or give --allow-read\n`,
  );
}
