/**
 * The few synchronous file operations the runtime does before activation (the state file and its
 * directory, finding the agent's files, a line on stderr): Deno's own file API on Deno; on Bun the
 * native addon's (useNativeFiles) once it is loaded, and Bun.file for whether a file is there;
 * else node:fs, loaded on first use.
 *
 * Every instrumented process loads the runtime, and on Bun and Deno the Node layer is the largest
 * part of what that costs in memory: an idle process that imports node:fs is 4 MiB larger on Bun
 * and 8 MiB on Deno (their own executable's code paged in, and Deno's Node compatibility layer
 * set up), against 2.4 MiB on Deno for the same operations through `Deno.*` (measured like
 * bench/startup.mjs's memory rows). The native signal watcher needs part of Deno's Node layer
 * anyway (`require`, `process`), not node:fs. Node has all of it loaded before the program
 * starts, so nothing changes there.
 *
 * Synchronous because the main thread may be about to spin: the state file is written before the
 * program's first line runs.
 */

type NodeFs = typeof import('node:fs');

/** The part of Deno's API used here. */
interface DenoFs {
  mkdirSync(path: string, options: { mode: number }): void;
  lstatSync(path: string): { isDirectory: boolean; uid: number | null; mode: number | null };
  statSync(path: string): unknown;
  realPathSync(path: string): string;
  openSync(path: string, options: { write: true; createNew: true; mode: number }): { writeSync(data: Uint8Array): number; close(): void };
  renameSync(from: string, to: string): void;
  removeSync(path: string): void;
  readDirSync(path: string): Iterable<{ name: string }>;
  readTextFileSync(path: string): string;
  stderr: { writeSync(data: Uint8Array): number };
}

const deno = (globalThis as { Deno?: DenoFs & { version?: unknown } }).Deno;
/** Deno's file API when this is Deno (its `Deno` global; Node and Bun have none). */
const denoFs: DenoFs | undefined = deno !== undefined && typeof deno.openSync === 'function' ? deno : undefined;

/** The same operations from @trapdoor-js/native (0 or an errno each), on Bun once it is loaded (useNativeFiles). */
export type NativeFiles = NonNullable<ReturnType<typeof import('@trapdoor-js/native')._files>>;
let native: NativeFiles | undefined;

/**
 * Bun: the runtime's state-file operations through the native addon from now on (loaded anyway
 * for the signal watcher), not node:fs, which would cost an idle Bun process about 4 MiB
 * resident and a thread for them alone (bench/startup.mjs's memory rows).
 */
export function useNativeFiles(files: NativeFiles | undefined): void {
  native = files;
}

/** Throws for a native operation's errno, with the code host-fs's callers look at. */
function check(errno: number, what: string, path: string): void {
  if (errno === 0) return;
  const error = new Error(`${what} ${path}: errno ${errno}`) as Error & { code?: string; errno?: number };
  error.errno = errno;
  if (errno === native?.EEXIST) error.code = 'EEXIST';
  throw error;
}

const bun = (globalThis as { Bun?: { file?(path: string): { size: number }; mmap?(path: string): Uint8Array } }).Bun;

let nodeFs: NodeFs | undefined;
/** node:fs, loaded on first use (synchronously: callers may be inside a busy loop). */
function fs(): NodeFs {
  return (nodeFs ??= process.getBuiltinModule('node:fs'));
}

/** An error's code ('EEXIST', 'ENOENT', …): node:fs and Deno both set it. */
function codeOf(error: unknown): string | undefined {
  return (error as { code?: string } | null)?.code;
}

/** Writes all of `bytes` with `write`, which may write less than asked. */
function writeAll(write: (data: Uint8Array) => number, text: string): void {
  let bytes = new TextEncoder().encode(text);
  while (bytes.length > 0) bytes = bytes.subarray(write(bytes));
}

/** Creates `dir` with `mode`: 'created', 'exists' (something is there already), or 'failed'. */
export function makeDir(dir: string, mode: number): 'created' | 'exists' | 'failed' {
  try {
    if (denoFs !== undefined) denoFs.mkdirSync(dir, { mode });
    else if (native !== undefined) check(native.fsMkdir(dir, mode), 'mkdir', dir);
    else fs().mkdirSync(dir, { mode });
    return 'created';
  } catch (error) {
    return codeOf(error) === 'EEXIST' ? 'exists' : 'failed';
  }
}

/** What `lstat` says about a path (not following a symlink), or undefined when it cannot. */
export function linkStat(path: string): { directory: boolean; uid: number | undefined; mode: number } | undefined {
  try {
    if (denoFs !== undefined) {
      const info = denoFs.lstatSync(path);
      return { directory: info.isDirectory, uid: info.uid ?? undefined, mode: info.mode ?? 0 };
    }
    if (native !== undefined) {
      const info = native.fsLstat(path);
      return typeof info === 'number' ? undefined : { directory: info[0], uid: info[1], mode: info[2] };
    }
    const stat = fs().lstatSync(path);
    return { directory: stat.isDirectory(), uid: stat.uid, mode: stat.mode };
  } catch {
    return undefined;
  }
}

/**
 * Whether a file is at `path` (following symlinks); false when it cannot be told. Every file the
 * runtime looks for has something in it (a package.json, a JavaScript file, the addon), so on
 * Bun a file that is empty counts as not there: Bun.file's size says it without node:fs (0 for a
 * missing file), which the search for the addon and the agent's files (mostly paths that are not
 * there) would otherwise load into every idle Bun process (4 MiB resident).
 */
export function exists(path: string): boolean {
  if (bun?.file !== undefined) return bun.file(path).size > 0;
  if (denoFs === undefined) return fs().existsSync(path);
  try {
    denoFs.statSync(path);
    return true;
  } catch {
    return false;
  }
}

/** The path with every symlink resolved; throws when it cannot. */
export function realPath(path: string): string {
  return denoFs !== undefined ? denoFs.realPathSync(path) : fs().realpathSync(path);
}

/** Whether this runtime's files are Deno's own API (else node:fs). */
export const denoFiles = denoFs !== undefined;

/**
 * A text file's contents (UTF-8); throws when it cannot be read. On Bun a file with something in
 * it is mapped (Bun.mmap) rather than read with node:fs (4 MiB resident: the state-file sweep
 * reads the files of processes that are gone, in idle processes too); an empty or missing one goes
 * to node:fs, which tells them apart. The files read are replaced by a rename, never rewritten in
 * place, so the mapped pages do not change under the decoder.
 */
export function readText(path: string): string {
  if (denoFs !== undefined) return denoFs.readTextFileSync(path);
  if (bun?.mmap !== undefined && bun.file !== undefined && bun.file(path).size > 0) return new TextDecoder().decode(bun.mmap(path));
  return fs().readFileSync(path, 'utf8');
}

/**
 * Writes `text` to a new file at `path` with `mode`; throws when something is there already
 * (never follows a symlink planted under that name) or it cannot be written.
 */
export function writeNewFile(path: string, text: string, mode: number): void {
  if (denoFs !== undefined) {
    const file = denoFs.openSync(path, { write: true, createNew: true, mode });
    try {
      writeAll((data) => file.writeSync(data), text);
    } finally {
      file.close();
    }
    return;
  }
  if (native !== undefined) return check(native.fsWriteNew(path, text, mode), 'write', path);
  const node = fs();
  const fd = node.openSync(path, 'wx', mode);
  try {
    node.writeSync(fd, text);
  } finally {
    node.closeSync(fd);
  }
}

/** Renames `from` to `to` (replacing `to` atomically); throws when it cannot. */
export function rename(from: string, to: string): void {
  if (denoFs !== undefined) denoFs.renameSync(from, to);
  else if (native !== undefined) check(native.fsRename(from, to), 'rename', from);
  else fs().renameSync(from, to);
}

/** Removes a file; throws when it cannot (also when it is not there). */
export function removeFile(path: string): void {
  if (denoFs !== undefined) denoFs.removeSync(path);
  else if (native !== undefined) check(native.fsUnlink(path), 'unlink', path);
  else fs().unlinkSync(path);
}

/** The names in a directory; throws when it cannot be read. */
export function listDir(dir: string): string[] {
  if (denoFs !== undefined) return Array.from(denoFs.readDirSync(dir), (entry) => entry.name);
  if (native !== undefined) {
    const names = native.fsReadDir(dir);
    if (typeof names === 'number') check(names, 'readdir', dir);
    return names as string[];
  }
  return fs().readdirSync(dir);
}

/** Writes `text` to stderr synchronously; throws when it cannot (stderr closed). */
export function writeStderr(text: string): void {
  if (denoFs !== undefined) writeAll((data) => denoFs.stderr.writeSync(data), text);
  else fs().writeSync(2, text);
}
