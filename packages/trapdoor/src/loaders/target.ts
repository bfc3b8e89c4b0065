/**
 * The runtime this process is: the loaders instrument code for the runtime they run in, so they
 * ask the transform for that runtime's check (`target`; V8's is one store cheaper than the
 * universal one). Imports nothing: the instrument cache keys entries by it without loading the
 * transform.
 */
export type LoaderTarget = 'node' | 'deno' | 'bun';

const g = globalThis as { Bun?: unknown; Deno?: unknown };
export const LOADER_TARGET: LoaderTarget = g.Bun !== undefined ? 'bun' : g.Deno !== undefined ? 'deno' : 'node';
