/**
 * Deno permissions, asked without prompting. Under Deno, touching a file, an environment
 * variable or the user id without permission throws or (in a terminal) prompts the user; before
 * activation the runtime must do neither, so it asks first and does without what it may not use.
 * Everywhere else everything is allowed.
 */
export type PermissionDescriptor =
  | { name: 'read'; path: string }
  | { name: 'write'; path: string }
  | { name: 'env'; variable: string }
  | { name: 'net'; host: string }
  | { name: 'ffi'; path?: string }
  | { name: 'sys'; kind: string }
  | { name: 'run'; command?: string };

type DenoPermissions = { querySync?: (descriptor: PermissionDescriptor) => { state: string } };

const deno = (globalThis as { Deno?: { permissions?: DenoPermissions; env?: { get(name: string): string | undefined } } }).Deno;
const permissions = deno?.permissions;

/** Whether this is allowed without a prompt (always true outside Deno). */
export function denoAllows(descriptor: PermissionDescriptor): boolean {
  if (permissions === undefined || typeof permissions.querySync !== 'function') return true;
  try {
    return permissions.querySync(descriptor).state === 'granted';
  } catch {
    return false;
  }
}

/** Whether this runtime is Deno. */
export const isDeno = permissions !== undefined;

/** An environment variable, or undefined when unset, empty, or (on Deno) not allowed. */
export function readEnv(name: string): string | undefined {
  if (!denoAllows({ name: 'env', variable: name })) return undefined;
  try {
    // Deno's own: its `process` is a part of its Node layer (a Deno process 3.4 MiB larger on first use).
    const value = deno?.env !== undefined ? deno.env.get(name) : process.env[name];
    return value === '' ? undefined : value;
  } catch {
    return undefined;
  }
}
