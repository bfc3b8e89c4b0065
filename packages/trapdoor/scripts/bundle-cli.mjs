// After `tsc`: dist/cli-entry.cjs (src/cli-entry.cts) as one CommonJS file, the command line's
// front (usage, --version) and `trapdoor run`, which bin/trapdoor.js requires for everything but
// the other commands. The program `trapdoor run` starts waits for this process to load it; as the
// module graph tsc wrote (nine ES modules, and four more of @trapdoor-js/runtime's for its state
// files) the CLI also paid for Node's ES module loader: resolution, reads, links.
//
// Bundled: cli.js, commands/run.js and what they import. Outside: node: built-ins; the runtime's
// state-file rules (@trapdoor-js/runtime/discovery), which run.js requires from the runtime's
// CommonJS build; and the other commands (instrument, attach, stack, test), which bin/trapdoor.js
// loads through dist/cli.js instead, so that their errors are the same CliError class the CLI
// reports them with. Anything else found in the bundle fails the build.
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';
import { CJS_URL, CJS_URL_BANNER, ownUrls } from './own-urls.mjs';

const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const OTHER_COMMANDS = ['instrument', 'attach', 'stack', 'test'].map((name) => `./commands/${name}.js`);
const outfile = `${dist}cli-entry.cjs`;

const result = await build({
  entryPoints: [outfile],
  allowOverwrite: true,
  outfile,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  sourcesContent: false,
  external: ['node:*', ...OTHER_COMMANDS],
  plugins: [ownUrls(outfile, CJS_URL)],
  banner: { js: CJS_URL_BANNER },
  legalComments: 'none',
  logLevel: 'warning',
  logOverride: { 'empty-import-meta': 'silent' },
  metafile: true,
});
const foreign = Object.keys(result.metafile.inputs)
  .map((input) => fileURLToPath(new URL(input, `file://${process.cwd()}/`)))
  .filter((file) => !file.startsWith(dist));
if (foreign.length > 0) throw new Error(`bundle-cli: cli-entry.cjs would hold files from outside dist/: ${foreign.join(', ')}`);
