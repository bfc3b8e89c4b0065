/**
 * Where the runtime gets @trapdoor-js/native (an optional dependency): the signal watcher
 * (activation-triggers.ts) and the deadline watcher (deadline.ts). Resolved from the agent's
 * folder, so a bundled runtime finds the copy in its trapdoor-runtime/ folder; on Deno only with
 * the permissions that reading and loading it need (asking would stop the program at a prompt).
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { agentDir, reportedFile } from './package-files.js';
import { denoAllows } from './permissions.js';

export type NativeModule = typeof import('@trapdoor-js/native');

/** The loaded addon, or why not as a sentence that names `what` needs it ("the native signal watcher"). */
export function loadNativeAddon(what: string): NativeModule | string {
  if (!denoAllows({ name: 'read', path: dirname(reportedFile) })) return `Deno was not given --allow-read (the runtime cannot find ${what})`;
  let native: NativeModule;
  try {
    const require = createRequire(join(agentDir(), 'agent-worker.js'));
    const entry = require.resolve('@trapdoor-js/native');
    if (!denoAllows({ name: 'ffi', path: dirname(entry) })) return `Deno was not given --allow-ffi (${what} cannot load)`;
    native = require(entry) as NativeModule;
  } catch (error) {
    return `@trapdoor-js/native is not installed (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`;
  }
  if (!native.isAvailable()) return native.loadError()?.message ?? '@trapdoor-js/native did not load';
  return native;
}
