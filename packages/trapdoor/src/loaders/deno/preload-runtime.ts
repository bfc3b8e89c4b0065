/**
 * Deno's part of ../preload-runtime.ts (the runtime is loaded as the loader starts, so that the
 * program can be attached to even when no instrumented module loads it), by `import()`: Deno
 * 2.9's require() of an ES module cannot resolve that module's relative imports once a module
 * hook is registered ("Cannot resolve module ./control-block.js"). The build is the one the entry
 * point's instrumented code imports: Deno runs .js as an ES module.
 */
import { createRequire } from 'node:module';
import { isMainThread } from 'node:worker_threads';
import { locate } from '../locations.js';

/** Called by register.ts before it installs any module hook (a function, not top-level await: register.js is one bundled file). */
export async function preloadRuntime(): Promise<void> {
  if (!isMainThread) return;
  try {
    const { runtimeEsm, runtimeCjs } = locate({ canRead: true });
    if (/\.c[jt]s$/i.test(process.argv[1] ?? '')) createRequire(import.meta.url)(runtimeCjs);
    else await import(runtimeEsm);
  } catch (error) {
    // The program runs all the same; only attaching to it is affected, so say why once.
    process.stderr.write(`trapdoor: cannot load the runtime (${error instanceof Error ? error.message.split('\n')[0] : String(error)}); attaching to this process will not work\n`);
  }
}
