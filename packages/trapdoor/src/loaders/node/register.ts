/**
 * `node --import trapdoor-js/register app.js`: instruments the program's own modules as they load
 * (see install.ts). With `--import`, Node 20 runs even a CommonJS entry point through its ES
 * module loader (its `module.id` is then its path, not '.'); `node --require trapdoor-js/register`
 * (register.cts, what `trapdoor run` uses) leaves the entry point to the CommonJS loader as
 * without trapdoor.
 *
 * The loader is start.cts, one CommonJS file (scripts/bundle-node.mjs), required from here: Node
 * runs --import preloads on the main thread and in the program's workers, never on its hooks
 * thread.
 */
import { createRequire } from 'node:module';

createRequire(import.meta.url)('./start.cjs');
