/**
 * This process as the runtime needs it (its pid, user id, main script, whether another pid is
 * alive, the program's signal listeners), on Deno without Deno's `process`.
 *
 * Every instrumented process loads the runtime, and on Deno the first use of `process` loads a
 * part of Deno's Node layer of its own: an idle process 3.3 MiB larger resident, 1.7 MiB of it
 * private (bench/startup.mjs's memory rows). Deno says the same things itself (`Deno.pid`,
 * `Deno.uid()`, `Deno.mainModule`, `Deno.kill(pid, 0)`), and every signal listener of the
 * program, through `process.on` (either `process`: the global or node:process) or directly, is a
 * `Deno.addSignalListener` call. On Node and Bun, `process` (loaded already).
 */

interface DenoProcess {
  pid: number;
  uid(): number | null;
  mainModule: string;
  kill(pid: number, signal: number): void;
  addSignalListener(signal: string, listener: () => void): void;
  removeSignalListener(signal: string, listener: () => void): void;
  build: { os: string };
}

const deno = (globalThis as unknown as { Deno?: DenoProcess }).Deno;

/** Whether `process` is left alone until something needs it (Deno). */
export const denoProcess = deno !== undefined && typeof deno.addSignalListener === 'function' && typeof deno.pid === 'number';

/** This process's id. */
export function pid(): number {
  return denoProcess ? deno!.pid : process.pid;
}

/** This process's user id; undefined where there is none (Windows). Deno: needs --allow-sys=uid. */
export function uid(): number | undefined {
  if (denoProcess) return deno!.uid() ?? undefined;
  return typeof process.getuid === 'function' ? process.getuid() : undefined;
}

/** The program's entry script as `process.argv[1]` names it, or null. */
export function mainScript(): string | null {
  if (denoProcess) {
    const main = deno!.mainModule;
    if (typeof main !== 'string' || main === '') return null;
    if (!main.startsWith('file:')) return main; // a remote or data: module: Deno's argv[1] is its URL too
    const path = decodeURIComponent(new URL(main).pathname);
    return deno!.build.os === 'windows' ? path.replace(/^\/([A-Za-z]:)/, '$1').replaceAll('/', '\\') : path;
  }
  return typeof process.argv[1] === 'string' && process.argv[1] !== '' ? process.argv[1] : null;
}

/** Whether process `id` is gone (false when alive, or another user's: not ours to judge). */
export function isGone(id: number): boolean {
  try {
    if (denoProcess) deno!.kill(id, 0);
    else process.kill(id, 0);
    return false;
  } catch (error) {
    // Node: code ESRCH; Deno: a Deno.errors.NotFound whose message starts with ESRCH.
    const { code, message } = error as { code?: string; message?: string };
    return code === 'ESRCH' || (code === undefined && typeof message === 'string' && message.startsWith('ESRCH'));
  }
}

// ─── Deno: when `process` is first used ────────────────────────────────────────────────────

type ProcessHook = (process: NodeJS.Process) => void;
const processHooks: ProcessHook[] = [];
let processUsed = !denoProcess;

/**
 * Calls `then` with `process` once it is used: at once on Node and Bun; on Deno when the program
 * (or the runtime) first reads the global `process`, before the reader gets it, or when
 * `useProcess` is called. node:process imported is the same object but is not seen here.
 */
export function whenProcessUsed(then: ProcessHook): void {
  if (processUsed) {
    then(process);
    return;
  }
  processHooks.push(then);
  if (processHooks.length > 1) return;
  const descriptor = Object.getOwnPropertyDescriptor(globalThis, 'process');
  if (descriptor?.get === undefined || descriptor.configurable !== true) {
    useProcess(); // a global we cannot wrap: use it now, as on Node
    return;
  }
  const getter = descriptor.get;
  // Wrapped, not replaced: the reader gets Deno's own object, and the descriptor is restored first.
  Object.defineProperty(globalThis, 'process', {
    ...descriptor,
    get() {
      Object.defineProperty(globalThis, 'process', descriptor);
      const value = getter.call(this) as NodeJS.Process;
      runProcessHooks(value);
      return value;
    },
  });
}

/** Uses `process` now (Deno: the hooks waiting for it run). */
export function useProcess(): NodeJS.Process {
  const value = globalThis.process;
  runProcessHooks(value);
  return value;
}

function runProcessHooks(value: NodeJS.Process): void {
  if (processUsed) return;
  processUsed = true;
  for (const hook of processHooks.splice(0)) {
    try {
      hook(value);
    } catch {
      // a hook of the runtime's: nothing of the program's to break
    }
  }
}

// ─── Deno: the program's signal listeners ──────────────────────────────────────────────────

type ListenerWatch = (signal: string, count: number) => void;
const watches = new Set<ListenerWatch>();
const listeners = new Map<string, Set<() => void>>();
let original: Pick<DenoProcess, 'addSignalListener' | 'removeSignalListener'> | undefined;

/**
 * Deno: calls `watch` whenever the number of the program's listeners for a signal changes
 * (`process.on` of either `process`, or `Deno.addSignalListener`), before Deno installs or
 * after it removes one, from now on. Returns a function that stops watching. Listeners added
 * before are not counted (Deno's handler then shows as the signal's native handler).
 */
export function watchSignalListeners(watch: ListenerWatch): () => void {
  if (!denoProcess) throw new Error('watchSignalListeners is for Deno');
  if (original === undefined) {
    const d = deno!;
    original = { addSignalListener: d.addSignalListener, removeSignalListener: d.removeSignalListener };
    const { addSignalListener, removeSignalListener } = original;
    // Same names, same arguments, same results and errors: only counted on the way.
    const counted = {
      addSignalListener(this: unknown, signal: string, listener: () => void): void {
        const set = listeners.get(signal) ?? new Set();
        const added = !set.has(listener);
        if (added) notify(signal, set.size + 1);
        try {
          addSignalListener.call(this, signal, listener);
        } catch (error) {
          if (added) notify(signal, set.size);
          throw error;
        }
        set.add(listener);
        listeners.set(signal, set);
      },
      removeSignalListener(this: unknown, signal: string, listener: () => void): void {
        removeSignalListener.call(this, signal, listener);
        const set = listeners.get(signal);
        if (set?.delete(listener) === true) notify(signal, set.size);
      },
    };
    d.addSignalListener = counted.addSignalListener;
    d.removeSignalListener = counted.removeSignalListener;
  }
  watches.add(watch);
  return () => void watches.delete(watch);
}

/** The program's listeners for `signal` seen by watchSignalListeners. */
export function signalListenerCount(signal: string): number {
  return listeners.get(signal)?.size ?? 0;
}

/** Deno's own addSignalListener/removeSignalListener, for the runtime's listeners (not counted). */
export function denoSignalListeners(): Pick<DenoProcess, 'addSignalListener' | 'removeSignalListener'> {
  return original ?? deno!;
}

function notify(signal: string, count: number): void {
  for (const watch of [...watches]) {
    try {
      watch(signal, count);
    } catch {
      // the runtime's: the program's listener is added all the same
    }
  }
}
