/**
 * `TRAPDOOR_DEBUG_DUMP_MODULES=<file>`: at exit, write what was instrumented — each registered
 * module's file, the URL or path it was loaded from, its site count and the sources its sites
 * name — as JSON to <file>. For tests and for checking an --include/--exclude; the program's own
 * output is left alone.
 */
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isMainThread } from 'node:worker_threads';

export interface DumpedModule {
  file: string;
  loadedFrom: string | undefined;
  sites: number;
  sources: string[];
}

interface RuntimeApi {
  allModules(): Array<{ file: string; loadedFrom: string | undefined; sites: Array<{ source: string }> }>;
}

/** `runtimeCjs`: the runtime's CommonJS build; every copy of the runtime shares one module registry. */
export function installModuleDump(file: string | undefined, runtimeCjs: string): void {
  if (file === undefined || file === '' || !isMainThread) return;
  // Made now and the runtime taken from require.cache at exit: `createRequire` and a load open the
  // compile hook's window (loaders/node/compile-hook.ts), and Node 22+ formats an uncaught error's
  // stack after 'exit', where that window would rename its `Module._compile` frame.
  const require = createRequire(import.meta.url);
  process.on('exit', () => {
    const runtime = (require.cache[runtimeCjs]?.exports ?? require(runtimeCjs)) as RuntimeApi;
    const modules: DumpedModule[] = runtime.allModules().map((m) => ({
      file: m.file,
      loadedFrom: m.loadedFrom,
      sites: m.sites.length,
      sources: [...new Set(m.sites.map((s) => s.source))],
    }));
    writeFileSync(file, `${JSON.stringify(modules, null, 2)}\n`);
  });
}
