/**
 * `trap()`: the slow path of every check. Instrumented code calls it only when the control
 * block's REQUEST word is non-zero, so until a debugger is activated it is never reached.
 *
 * The agent installs the handler that serves the debugger (activation, queued CDP messages,
 * the pause loop). The handler's return value is the write-back: `undefined` when nothing
 * changed, else the locals array with new values, which the check assigns back to the
 * writable bindings.
 */
import { isRegistered, register, type ModuleThunk } from './modules.js';
import { withCallSites } from './call-sites.js';

export type TrapHandler = (module: ModuleThunk, site: number, locals: unknown[]) => unknown[] | undefined;

const KEY = Symbol.for('trapdoor.trap-handler');
type Holder = { [KEY]?: { handler: TrapHandler | null } };

const slot = ((globalThis as Holder)[KEY] ??= { handler: null });

export function trap(module: ModuleThunk, site: number, locals: unknown[]): unknown[] | undefined {
  // A module whose runtime bindings follow its last line registers when its body has run; one that
  // traps before (a busy loop at its top level) is registered here, loaded from its check's file.
  if (!isRegistered(module)) register(module, callerFile());
  const handler = slot.handler;
  if (handler === null) return undefined;
  return handler(module, site, locals);
}

/** Installs the handler (the agent does this on activation). Returns the previous one. Internal. */
export function setTrapHandler(handler: TrapHandler | null): TrapHandler | null {
  const previous = slot.handler;
  slot.handler = handler;
  return previous;
}

/** The file of trap()'s caller (the check), as `import.meta.url` / `__filename` name it. */
function callerFile(): string | undefined {
  try {
    const file = withCallSites(1, (frames) => frames[0]?.getFileName(), trap);
    return typeof file === 'string' && file !== '' ? file : undefined;
  } catch {
    return undefined;
  }
}
