/**
 * Installs trapdoor's loader into this Node thread (register.ts for `--import`, register.cts for
 * `--require`), synchronously.
 *
 * - ES modules: load hooks (hooks.ts) instrument every module Node resolved as format 'module':
 *   `module.registerHooks` on this thread where Node has it (22.15+), else `module.register`,
 *   loaded through hooks-entry.ts on Node's hooks thread.
 * - CommonJS: Node 20 does not send `require` through those hooks, and a 'commonjs' result with a
 *   `source` from the ESM hook would switch the module to a different `require` (the ESM loader's,
 *   without `require.cache`, `module.children` and friends). So the ESM hook leaves CommonJS alone
 *   and a hook on `Module.prototype._compile` (commonjs.ts, this thread) instruments it, as nyc and
 *   pirates do. It also sees ES modules loaded by `require(esm)`.
 *   Where Node has registerHooks, its load hook hands Node the changed CommonJS text instead
 *   (`changeBefore`, as the compile hook would change it): Node 22+ hands an `import`ed CommonJS
 *   module's text to the hooks and compiles what they return, which the compile hook never sees.
 *
 * Source maps: Node applies a module's inline map only when source maps are enabled. When the
 * program runs with them (`--enable-source-maps`), instrumented modules carry a map back to their
 * original source (chaining their own maps) where Node would print a mapped frame anyway (see
 * source-maps.ts). Otherwise nothing is switched on: stack traces keep Node's format and every
 * file and line, and only columns on a line where a check was inserted move. Turning source maps
 * on for everyone would fix those columns but change other things a program can see: Node prints
 * ES module frames as paths instead of file: URLs, frames without a function name as
 * `<anonymous>`, and maps the program's other files (dependencies shipping .map files) that it did
 * not map before. The exception is a TypeScript entry point (there is no plain Node run to match):
 * source maps are switched on as tsx does, so its frames and excerpts are the .ts files' own.
 */
import module, { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { installModuleDump } from '../debug-dump.js';
import { settingsFromEnv } from '../locations.js';
import { claimThread, ENV, pathOfUrl, readEnv } from '../settings.js';
import { isMainThread, parentPort } from 'node:worker_threads';
import { isTypeScript } from '../typescript.js';
import { installCommonJsHook } from './commonjs.js';
import { esmSource } from './esm-source.js';
import { offerInstrumentedSource } from '../instrumented-source.js';
import type { EntryData } from './hooks-entry.js';
import type * as Hooks from './hooks.js';

type RegisterHooks = (hooks: { resolve: typeof Hooks.resolveSync; load: typeof Hooks.loadSync }) => unknown;

/** Node 22.15+ and 23.5+: synchronous module hooks on the thread that loads the module. */
const registerHooks = (module as unknown as { registerHooks?: RegisterHooks }).registerHooks;

/** Set by the hooks thread once it has loaded hooks.ts (hooks-entry.ts); undefined when none was registered here. */
let hooksReady: Int32Array | undefined;

export function installNodeLoader(): void {
  // Node runs --require preloads on its module hooks thread too (a worker without a parentPort, in
  // Node 20): registering the hooks again from there would run every module through them twice.
  if (!isMainThread && parentPort === null) return;
  if (!claimThread('node')) return;
  const settings = settingsFromEnv(process.cwd(), { canRead: true });
  // A TypeScript program's stack traces name its .ts files' own lines and columns, as with tsx
  // (which enables source maps too), Bun and Deno.
  if (isMainThread && typeof process.argv[1] === 'string' && isTypeScript(process.argv[1])) process.setSourceMapsEnabled(true);
  const sourceMaps = process.sourceMapsEnabled === true;
  const commonJs = installCommonJsHook(settings, () => process.sourceMapsEnabled === true);
  const hooksFile = fileURLToPath(new URL('./hooks-thread.cjs', import.meta.url));
  if (typeof registerHooks === 'function') {
    // Node 22.15+: the same hooks on this thread. Node 22 and 24 take 75–100 ms to start a hooks
    // thread for `module.register` (Node 20: about 30), which every process paid before its first line.
    const hooks = createRequire(import.meta.url)(hooksFile) as typeof Hooks;
    hooks.initialize({ settings, sourceMaps });
    registerHooks({
      resolve: hooks.resolveSync,
      load(url, context, next) {
        const result = hooks.loadSync(url, context, next);
        // CommonJS, for `require` and for `import`: Node 22+ compiles the text the hooks return
        // (for `import` it hands them the text, with no read of the file for the compile hook to
        // answer), so it is changed here, as the compile hook would (which then finds it
        // instrumented already, and Node's own `_compile` runs it).
        // Node 22.18+ strips TypeScript itself ('commonjs-typescript'); trapdoor strips it (the same
        // swc) to instrument it, as on Node 20.
        if (result.format !== 'commonjs' && result.format !== 'commonjs-typescript') return result;
        const path = pathOfUrl(url);
        if (path === undefined || !commonJs.policy(path)) return result;
        let text: string;
        try {
          text = result.source == null ? readFileSync(path, 'utf8') : hooks.text(result.source);
        } catch {
          return result;
        }
        const changed = commonJs.changeBefore(text, path, 'commonjs');
        return changed === undefined ? result : { ...result, format: changed.format ?? 'commonjs', source: changed.content };
      },
    });
  } else {
    hooksReady = new Int32Array(new SharedArrayBuffer(4));
    const data: EntryData = { settings, sourceMaps, ready: hooksReady, hooks: hooksFile };
    // hooks-entry.ts loads hooks.ts in the background, while this thread goes on (waitForHooks). As
    // a data: URL, so that the hooks thread reads no file while this one waits in module.register.
    const entry = readFileSync(new URL('./hooks-entry.js', import.meta.url), 'utf8').replace(/\n\/\/# sourceMappingURL=.*\s*$/, '\n');
    module.register(`data:text/javascript,${encodeURIComponent(entry)}`, { data });
  }
  // The code both hooks instrumented, on demand (../instrumented-source.ts): V8 names an ES
  // module by its file: URL (the hooks thread instrumented it: esm-source.ts does it again), a
  // CommonJS module by its path.
  const esm = { settings, policy: commonJs.policy, sourceMaps, cache: commonJs.cache, transform: commonJs.transform };
  offerInstrumentedSource((file) => (file.startsWith('file:') ? esmSource(file, esm) : commonJs.sourceOf(file)));
  installModuleDump(readEnv(ENV.dumpModules), settings.runtimeCjs);
}

/**
 * Waits until the hooks thread has loaded the ES module hooks: the register files call it last,
 * so that the program's first module is instrumented (hooks-entry.ts). Returns at once when
 * installNodeLoader registered nothing on this thread.
 */
export function waitForHooks(): void {
  if (hooksReady !== undefined) Atomics.wait(hooksReady, 0, 0);
}
