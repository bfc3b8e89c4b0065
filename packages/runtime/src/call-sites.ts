/**
 * The engine's structured stack (the V8 CallSite API, which Node, Bun and Deno all implement),
 * whatever the program set `Error.prepareStackTrace` and `Error.stackTraceLimit` to. Imports
 * nothing: what every instrumented process loads (trap.ts, package-files.ts) uses it too.
 */
export type CallSite = NodeJS.CallSite;

/**
 * Calls `use` with at most `limit` frames of the current stack; with `above`, the frames from the
 * topmost call of that function up (it included) are left out, as `Error.captureStackTrace` does.
 */
export function withCallSites<T>(limit: number, use: (frames: CallSite[]) => T, above?: Function): T {
  const { prepareStackTrace, stackTraceLimit } = Error;
  try {
    Error.prepareStackTrace = (_error, frames) => frames;
    Error.stackTraceLimit = limit;
    const holder: { stack?: CallSite[] } = {};
    Error.captureStackTrace(holder, above);
    const frames = holder.stack; // read here: the engine builds it on first access
    return use(Array.isArray(frames) ? frames : []);
  } finally {
    Error.prepareStackTrace = prepareStackTrace;
    Error.stackTraceLimit = stackTraceLimit;
  }
}
