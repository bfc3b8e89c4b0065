/**
 * The state files' rules (@trapdoor-js/runtime/discovery) for `trapdoor run`: it names the state
 * directory for Deno before the start, and removes what the program left there after its end.
 *
 * Required (the runtime's CommonJS build), not imported: the bundled CLI (dist/cli-entry.cjs,
 * which leaves the runtime's files to the runtime's package) then never starts Node's ES module
 * loader. By the file the package's "exports" name for `./discovery`, found by the walk the
 * loaders use (../loaders/find-package.ts): `require('@trapdoor-js/runtime/discovery')` ran
 * Node's resolver cold, in a process that runs beside the program it has just started.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { findPackageDir } from '../loaders/find-package.js';

export type Discovery = typeof import('@trapdoor-js/runtime/discovery');

const SPECIFIER = '@trapdoor-js/runtime/discovery';

export function loadDiscovery(): Discovery {
  return createRequire(import.meta.url)(discoveryFile() ?? SPECIFIER) as Discovery;
}

/** The CommonJS file of `./discovery` in the runtime's package.json "exports"; undefined: ask Node. */
function discoveryFile(): string | undefined {
  try {
    const dir = findPackageDir('@trapdoor-js/runtime', fileURLToPath(import.meta.url));
    const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { exports?: Record<string, unknown> };
    const entry = manifest.exports?.['./discovery'] as { require?: string | { default?: string } } | undefined;
    const file = typeof entry?.require === 'string' ? entry.require : entry?.require?.default;
    return typeof file === 'string' ? join(dir, file) : undefined;
  } catch {
    return undefined;
  }
}
