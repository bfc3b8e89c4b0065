/**
 * Where the runtime's compiled files are, for whichever build (dist/esm or dist/cjs) loaded this
 * file: the files started as threads of their own (the agent worker, the control-socket worker)
 * and the inspector, loaded on activation.
 *
 * tsc compiles the runtime's sources twice, as ESM and as CommonJS, and no one spelling of "this
 * file" compiles both ways: `import.meta.url` is an error in the CommonJS build and `__dirname`
 * does not exist in ESM. So this file asks the engine's structured stack trace (the V8 CallSite
 * API, which Node, Bun and Deno all implement) for the file of its own top-level code: a path
 * in CommonJS, a file: URL in ESM.
 *
 * Two cases do not give the compiled file: Deno maps CallSites through source maps (so it names
 * src/package-files.ts), and a test runner may load the sources themselves. Both still give a
 * path inside the package, so the fallback walks up to the package root and takes dist/esm.
 */
import { ancestors, dirname, join, sep } from './paths.js';
import { withCallSites } from './call-sites.js';
import { exists, readText } from './host-fs.js';

const PACKAGE_NAME = '@trapdoor-js/runtime';
/** The agent's folder inside a build, and the file that marks a build as complete. */
const AGENT_FOLDER = join('inspector', 'agent');
const WORKER_FILE = 'agent-worker.js';

/** Where this file's top-level code is, as the engine names it: the file, 1-based line and column. */
interface OwnPosition {
  file: string;
  line: number;
  column: number;
}

/**
 * node:module's createRequire, node:module loaded on first use, not with the runtime (on Deno it is
 * the largest part of the Node layer): the agent's files, the native addon, a bundled runtime's search.
 */
export function createRequire(from: string): NodeJS.Require {
  return process.getBuiltinModule('node:module').createRequire(from);
}

/**
 * A file: URL's path, as node:url's fileURLToPath gives it, without loading node:url at start (on
 * Bun that module alone pages in 3 MiB of the executable; on Deno it is part of the Node layer):
 * a POSIX URL with no host and no encoded slash is its decoded path; anything else goes to node:url.
 */
function fileURLToPath(url: string): string {
  const { host, pathname } = new URL(url);
  if (sep === '/' && host === '' && !/%2f/i.test(pathname)) return decodeURIComponent(pathname);
  return process.getBuiltinModule('node:url').fileURLToPath(url);
}

function callerPosition(): OwnPosition {
  // Enough frames whatever the program set, from this file's own top-level code.
  const own = withCallSites(10, (frames) => frames[0] && { file: frames[0].getFileName(), line: frames[0].getLineNumber() ?? 0, column: frames[0].getColumnNumber() ?? 0 }, callerPosition);
  const name = own?.file;
  if (typeof name !== 'string' || name === '') throw new Error('trapdoor: cannot tell where the agent files are');
  return { file: name.startsWith('file:') ? fileURLToPath(name) : name, line: own!.line, column: own!.column };
}

const ownPosition = callerPosition();

/** This file as the engine names it (no file system access). */
export const reportedFile: string = ownPosition.file;

/**
 * The bundled runtime's place in the program's file, for the inspector that a bundled runtime
 * loads from another copy (trapdoor-runtime/ or an installed package), whose frame mapper must
 * tell the runtime's frames in the bundle from the program's (inspector/call-frames.ts): set by
 * the copy that finds itself bundled (buildDir), on globalThis as the copies share nothing else.
 */
export const BUNDLED_RUNTIME_KEY = Symbol.for('trapdoor.bundled-runtime');

/** The folder a self-contained bundle's adapter writes the runtime's files to, beside the bundle (trapdoor-js adapters/runtime-assets.ts). */
const BESIDE_BUNDLE = 'trapdoor-runtime';

/** The folder of the @trapdoor-js/runtime package that holds `from`: the nearest one above it whose package.json names it. */
export function packageRoot(from: string): string | undefined {
  for (const dir of ancestors(dirname(from))) {
    const manifest = join(dir, 'package.json');
    if (!exists(manifest)) continue;
    try {
      if ((JSON.parse(readText(manifest)) as { name?: string }).name === PACKAGE_NAME) return dir;
    } catch {
      // not JSON: keep walking
    }
  }
  return undefined;
}

let found: string | undefined;

/** The folder of the compiled build holding this file (dist/esm or dist/cjs of the package). */
export function buildDir(): string {
  if (found !== undefined) return found;
  const own = dirname(reportedFile);
  if (exists(join(own, AGENT_FOLDER, WORKER_FILE))) return (found = own);
  // Deno names this file by the bundle's source map (src/package-files.ts, either build): the ES
  // module build beside the sources, as packageRoot below would find it, without reading the
  // package.json (Deno's file reading, paged in for that alone, is 0.3 MiB of an idle process).
  const besideSources = join(own, '..', 'dist', 'esm');
  if (own.endsWith(`${sep}src`) && exists(join(besideSources, AGENT_FOLDER, WORKER_FILE))) return (found = besideSources);
  const root = packageRoot(reportedFile);
  if (root !== undefined) {
    const build = reportedFile.includes(`${sep}dist${sep}cjs${sep}`) ? 'cjs' : 'esm';
    return (found = join(root, 'dist', build));
  }
  // Bundled into the program's own file: the agent runs from the copy written beside the bundle
  // (`bundleRuntime`), nearest first, else from an installed copy of the package.
  (globalThis as { [BUNDLED_RUNTIME_KEY]?: OwnPosition })[BUNDLED_RUNTIME_KEY] ??= ownPosition;
  // Bun names the bundle's frames by its map's sources, so the program's main file says where the bundle is too.
  const main = typeof process.argv[1] === 'string' && process.argv[1] !== '' ? dirname(process.argv[1]) : undefined;
  const beside = besideBundle(own) ?? (main === undefined ? undefined : besideBundle(main));
  if (beside !== undefined) return (found = beside);
  const installed = installedBuildDir();
  if (installed !== undefined) return (found = installed);
  throw new Error(
    `the runtime was bundled into ${reportedFile}, and neither a ${BESIDE_BUNDLE}/ folder beside it nor an installed ${PACKAGE_NAME} was found from there or from the working directory ` +
      `to start its agent thread from: keep ${PACKAGE_NAME} external in the bundle (trapdoor-js's bundler plugins do by default) and install it where the program runs, ` +
      `or deploy the ${BESIDE_BUNDLE}/ folder that trapdoor-js's bundleRuntime option writes beside the bundle`,
  );
}

/**
 * The folder holding the compiled agent files (agent-worker.js and the modules it loads): the ES
 * module build's when the package has it, whichever build asks. The inspector that starts the
 * worker is the CommonJS build's (activation.ts), but a worker entry is best an ES module: Deno
 * runs a CommonJS worker entry only where it reads the build's "type": "commonjs" marker, which
 * it does not in a "nodeModulesDir": "none" project.
 */
export function agentDir(): string {
  const esm = join(buildDir(), '..', 'esm', AGENT_FOLDER);
  return exists(join(esm, WORKER_FILE)) ? esm : join(buildDir(), AGENT_FOLDER);
}

/**
 * The inspector's entry (inspector/index.ts) in the CommonJS build, whichever build asks: the one
 * file every runtime can load synchronously from either build (activation.ts says why).
 */
export function inspectorEntry(): string {
  return join(buildDir(), '..', 'cjs', 'inspector', 'index.js');
}

/** The control-socket worker's entry (control-socket-worker.ts). */
export function controlSocketWorkerFile(): string {
  return join(buildDir(), 'control-socket-worker.js');
}

/** The CommonJS build in a `trapdoor-runtime/` folder in `from` or a folder above it (a bundle's chunks may be in a subfolder). */
function besideBundle(from: string): string | undefined {
  for (const dir of ancestors(from)) {
    const build = join(dir, BESIDE_BUNDLE, 'dist', 'cjs');
    if (exists(join(build, AGENT_FOLDER, WORKER_FILE))) return build;
  }
  return undefined;
}

/** The CommonJS build of an installed @trapdoor-js/runtime that the program's file or working directory resolves. */
function installedBuildDir(): string | undefined {
  for (const from of [reportedFile, join(process.cwd(), 'package.json')]) {
    try {
      const manifest = createRequire(from).resolve(`${PACKAGE_NAME}/package.json`);
      const dir = join(dirname(manifest), 'dist', 'cjs');
      if (exists(join(dir, AGENT_FOLDER, WORKER_FILE))) return dir;
    } catch {
      // not resolvable from there
    }
  }
  return undefined;
}

/** `require.resolve` from the agent's folder (finds `devtools-protocol` for `/json/protocol`). */
export function resolveFromAgent(id: string): string {
  return createRequire(join(agentDir(), WORKER_FILE)).resolve(id);
}
