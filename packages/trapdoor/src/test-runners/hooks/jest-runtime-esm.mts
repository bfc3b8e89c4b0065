/**
 * jest-runtime.cts for the ES modules Jest runs with `--experimental-vm-modules`: the worker
 * process's runtime from the test environment's global, or else the sandbox's own copy.
 */
import type * as Runtime from '@trapdoor-js/runtime';

type Bindings = Pick<typeof Runtime, 'flags' | 'trap' | 'register'>;
const runtime = ((globalThis as Record<symbol, unknown>)[Symbol.for('trapdoor.jest.runtime')] as Bindings | undefined) ?? (await import(process.env.TRAPDOOR_JEST_RUNTIME_ESM || '@trapdoor-js/runtime'));

export const flags = runtime.flags;
export const trap = runtime.trap;
export const register = runtime.register;
