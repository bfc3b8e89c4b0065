/**
 * The code a loader instrumented in memory, offered to the runtime on demand:
 * `globalThis[Symbol.for('trapdoor.instrumented-source')]`, a function from the file (a path or
 * file: URL, as the engine names it) to the instrumented code, or undefined. The runtime asks for it
 * only on activation (a paused debugger, a StuckError), to read the site table of a module that has
 * not registered yet (its bindings follow its last line and its top level is stuck in a call:
 * packages/runtime/src/inspector/module-tables.ts).
 *
 * Nothing is kept per module: each loader answers by doing again what it did at load time (read
 * the file, the same options), which finds the result in the cache of instrumented modules
 * (../cache/) or, with the cache off, instruments the file again: the transform is deterministic, so
 * that is the code that ran. Where the loader cannot tell what it was handed at load time (another
 * hook's output, Deno's own TypeScript compilation), it offers nothing and the runtime reads the
 * file as it is.
 */
const KEY = Symbol.for('trapdoor.instrumented-source');

/** A loader's answer for one file (a path or file: URL); undefined: not one it instrumented. */
export type SourceOffer = (file: string) => string | undefined;

type Holder = Record<symbol, SourceOffer | undefined>;

/** Offers `offer`'s code, after any offer made before on this thread (several loaders, Node's CommonJS and ES modules). */
export function offerInstrumentedSource(offer: SourceOffer): void {
  const holder = globalThis as unknown as Holder;
  const before = holder[KEY];
  const chained: SourceOffer = before === undefined ? offer : (file) => offer(file) ?? before(file);
  // Not enumerable: the program's view of globalThis stays as it was.
  Object.defineProperty(holder, KEY, { value: chained, configurable: true, writable: true, enumerable: false });
}
