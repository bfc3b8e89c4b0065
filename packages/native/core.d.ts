// @internal What @trapdoor-js/runtime bundles (core.cjs): the package's API over an addon it loaded itself.
import type * as Native from './index.js';

/** The package's API over `binding` (null: `bindingError` says why). */
export declare function createNative(binding: object | null, bindingError: Error | null, workerThreads: () => { isMainThread: boolean }): typeof Native;
/** The error of an addon that could not be loaded, as loadError() reports it. */
export declare function loadFailure(cause: unknown): Error;
/** The error codes of the package's errors (index.d.ts documents them). */
export declare const CODES: { readonly UNAVAILABLE: string; readonly SIGNAL: string; readonly SIGNAL_IN_USE: string; readonly INVALID_ARG: string; readonly NATIVE: string };
/** Signals a watcher may not take, by name, and why (the end of the error's sentence). */
export declare const REFUSED: Readonly<Record<string, string>>;
/** An error of class `Ctor` with `code` as an own property, as the package throws them. */
export declare function makeError(code: string, message: string, Ctor?: ErrorConstructor): Error & { code: string };
