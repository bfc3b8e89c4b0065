// @internal What @trapdoor-js/runtime bundles (core.cjs): the package's API over an addon it loaded itself.
import type * as Native from './index.js';

/** The package's API over `binding` (null: `bindingError` says why). */
export declare function createNative(binding: object | null, bindingError: Error | null, workerThreads: () => { isMainThread: boolean }): typeof Native;
/** The error of an addon that could not be loaded, as loadError() reports it. */
export declare function loadFailure(cause: unknown): Error;
