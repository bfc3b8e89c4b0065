/**
 * `trap()`: the slow path of every check. Instrumented code calls it only when the control
 * block's REQUEST word is non-zero, so until a debugger is activated it is never reached.
 *
 * The agent installs the handler that serves the debugger (activation, queued CDP messages,
 * the pause loop). The handler's return value is the write-back: `undefined` when nothing
 * changed, else the locals array with new values, which the check assigns back to the
 * writable bindings.
 *
 * How a check calls it (its site's flags in the module table, emit.ts): the locals, then `this`,
 * as separate arguments (SiteFlag.ARGS; older tables: one array). A statement check
 * (SiteFlag.THROWS) throws what comes back when it is not an array: a passed deadline's error is
 * returned, so that it is thrown from the program's own frame (Bun prints the stack captured at
 * the throw). An expression check (an arrow's expression body) leaves it to the next statement
 * check; older tables' checks get it thrown here.
 */
import { isRegistered, moduleOf, register, type ModuleThunk } from './modules.js';
import { withCallSites } from './call-sites.js';
import { controlBlock, Request, Word } from './control-block.js';

export type TrapHandler = (module: ModuleThunk, site: number, locals: unknown[]) => unknown[] | undefined;
/** What a passed deadline runs at the next check (deadline.ts): throws, or returns to carry on. */
export type DeadlineHandler = (module: ModuleThunk, site: number, locals: unknown[]) => void;

const KEY = Symbol.for('trapdoor.trap-handler');
type Holder = { [KEY]?: { handler: TrapHandler | null } };

const slot = ((globalThis as Holder)[KEY] ??= { handler: null });

// Installed by the first load of @trapdoor-js/runtime/deadline in this thread (every copy of the
// runtime in the thread shares the slot, like the control block).
const DEADLINE_KEY = Symbol.for('trapdoor.deadline-handler');
type DeadlineHolder = { [DEADLINE_KEY]?: { handler: DeadlineHandler | null } };
const deadlineSlot = ((globalThis as DeadlineHolder)[DEADLINE_KEY] ??= { handler: null });

/**
 * How many expression checks in a row may leave a passed deadline to the next statement check
 * (which throws from the program's frame) before the trap throws itself: a spin through
 * expression-bodied arrows alone (a tail call, which JavaScriptCore runs without growing the
 * stack) must still be stopped.
 */
const MAX_DEFERRED = 1000;
let deferred = 0;

export function trap(module: ModuleThunk, site: number, ...values: unknown[]): unknown {
  // A module whose runtime bindings follow its last line registers when its body has run; one that
  // traps before (a busy loop at its top level) is registered here, loaded from its check's file.
  if (!isRegistered(module)) register(module, callerFile());
  const row = moduleOf(module).sites[site];
  const locals = row === undefined || row.passesArgs ? values : ((values[0] as unknown[] | undefined) ?? []);
  // A passed deadline throws from the stuck frame, before the debugger's handler sees the check.
  if ((controlBlock[Word.REQUEST] & Request.DEADLINE) !== 0) {
    if (row?.throwsReturned === true) {
      deferred = 0;
      try {
        onDeadline(module, site, locals);
      } catch (error) {
        return error; // the check throws it (not an array: nothing the check would assign back)
      }
    } else if (row?.passesArgs === true && ++deferred <= MAX_DEFERRED) {
      // An expression check cannot throw in its own frame: the bit stays set for the next
      // statement check (every loop has one), unless only expression checks keep coming.
    } else {
      deferred = 0;
      onDeadline(module, site, locals);
    }
  }
  const handler = slot.handler;
  if (handler === null) return undefined;
  const back = handler(module, site, locals);
  // A statement check throws anything but undefined when it has nothing to assign back.
  return back !== undefined && row?.throwsReturned === true && !row.writable.includes(true) ? undefined : back;
}

/** Installs the handler (the agent does this on activation). Returns the previous one. Internal. */
export function setTrapHandler(handler: TrapHandler | null): TrapHandler | null {
  const previous = slot.handler;
  slot.handler = handler;
  return previous;
}

function onDeadline(module: ModuleThunk, site: number, locals: unknown[]): void {
  const handler = deadlineSlot.handler;
  if (handler === null) Atomics.and(controlBlock, Word.REQUEST, ~Request.DEADLINE); // no one to serve it
  else handler(module, site, locals);
}

/** Installs the deadline handler (deadline.ts does, once per thread). Internal. */
export function setDeadlineHandler(handler: DeadlineHandler | null): void {
  deadlineSlot.handler = handler;
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
