/**
 * The call stack of a stuck check in original positions, for StuckError (stuck-error.ts): the
 * engine's frames below the trap, mapped by the debugger's own frame mapper
 * (inspector/call-frames.ts: the module's shifts, its input map, a bundle's map), the runtime's
 * and tools' frames left out. Loaded only when a deadline fires.
 */
import { captureProgramStack, mapFrame, type EngineFrame } from './inspector/call-frames.js';
import { Scripts } from './inspector/scripts.js';
import { sourcePath, type StuckFrame } from './stuck-error.js';

/**
 * The program's frames from the one that called the trap down (from its `skip`-th), at most
 * `limit` engine frames captured (the runtime's among them).
 */
export function originalFrames(limit: number, skip = 0): StuckFrame[] {
  return mapFrames(captureProgramStack(limit).frames.slice(skip));
}

// One Scripts per thread: it remembers which module each engine file is, across errors.
let scripts: Scripts | undefined;

/** The engine's frames in original positions (the debugger's mapper); the runtime's and tools' frames left out. */
function mapFrames(frames: EngineFrame[]): StuckFrame[] {
  scripts ??= new Scripts(() => {});
  scripts.update();
  const out: StuckFrame[] = [];
  for (const frame of frames) {
    if (frame.file === undefined) {
      out.push({ file: undefined, line: 0, column: 0, functionName: frame.functionName });
      continue;
    }
    const mapped = mapFrame(scripts, frame);
    if (mapped !== undefined) {
      out.push({ file: sourcePath(mapped.script.url), line: mapped.lineNumber + 1, column: mapped.columnNumber + 1, functionName: frame.functionName });
    } else if (/^(?:node|ext|bun):/.test(frame.file)) {
      out.push({ file: frame.file, line: frame.line, column: frame.column, functionName: frame.functionName }); // the engine's, as it shows them
    }
    // Else a tool's frame (trapdoor's loaders), hidden as the debugger hides it.
  }
  return out;
}
