/**
 * `deno run --preload trapdoor-js/register app.ts` (what `trapdoor run --runtime deno` does).
 *
 * This entry imports nothing Deno could resolve through the program's configuration: it first
 * makes trapdoor's own modules resolve their imports as Node does (own-modules.ts), then loads
 * the loader (loader.ts), whose imports would otherwise depend on the user's deno.json,
 * package.json and nodeModulesDir setting.
 */
import { fileURLToPath } from 'node:url';
import { probeFacadeUrls, resolveOwnImports } from './own-modules.js';

resolveOwnImports(fileURLToPath(new URL('../../../', import.meta.url)));
await probeFacadeUrls();
await import('./loader.js');
await import('./preload-runtime.js'); // the runtime is always there, so attach works (../preload-runtime.ts)
