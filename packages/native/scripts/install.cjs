'use strict';
// `npm install` of this package (its install script). It never fails the install:
// 1. an addon that loads already (a prebuild for this platform shipped in prebuilds/, or an
//    earlier build) is used as it is: no compiler needed;
// 2. otherwise it is compiled with node-gyp (a C compiler, make and python3 needed);
// 3. when that fails too, the package is installed without the addon: trapdoor's runtime then
//    uses its control socket instead of a signal (`trapdoor attach` works the same), and
//    `loadError()` says why. A failed install script would make npm drop the package (it is an
//    optional dependency of @trapdoor-js/runtime) and with it that explanation.
// `npm install --build-from-source` (npm_config_build_from_source) skips step 1.

const { spawnSync } = require('node:child_process');
const path = require('node:path');
const { loadBinding } = require('../binding.cjs');

const pkg = path.join(__dirname, '..');
const NAME = '@trapdoor-js/native';

function tryLoad() {
  try {
    return { file: loadBinding(pkg).file };
  } catch (error) {
    return { error };
  }
}

function compile() {
  // npm and pnpm give lifecycle scripts the path of their node-gyp; otherwise one on PATH.
  const nodeGyp = process.env.npm_config_node_gyp;
  const [command, args] = nodeGyp ? [process.execPath, [nodeGyp, 'rebuild']] : ['node-gyp', ['rebuild']];
  const result = spawnSync(command, args, { cwd: pkg, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (result.error) return `${command === 'node-gyp' ? 'node-gyp' : nodeGyp} could not be run: ${result.error.message}`;
  if (result.status !== 0) {
    // The compiler's own complaint is the useful line; node-gyp's summary follows it.
    const lines = `${result.stdout}\n${result.stderr}`
      .split('\n')
      .filter((l) => !/^gyp (info|http|WARN|ERR! (cwd|node|command|System|node-gyp -v|not ok|stack +at ))/.test(l))
      .map((l) => l.replace(/^gyp ERR! (stack |configure error ?)?(Error: )?/, '').trim())
      .filter(Boolean);
    const why = lines.find((l) => /not found|No such file|error:|Could not find any Python|not installed|network/i.test(l));
    return `node-gyp rebuild failed (exit ${result.status})${why ? `: ${why}` : ''}`;
  }
  return undefined;
}

function main() {
  const fromSource = /^(true|1)$/.test(process.env.npm_config_build_from_source || '');
  if (!fromSource) {
    const found = tryLoad();
    if (found.file) return; // silent, as installs should be
  }
  const failure = compile();
  const loaded = failure === undefined ? tryLoad() : { error: new Error(failure) };
  if (loaded.file) {
    console.log(`${NAME}: compiled ${path.relative(pkg, loaded.file)}`);
    return;
  }
  const platform = `${process.platform}-${process.arch}`;
  console.warn(
    `${NAME}: no prebuilt addon for ${platform} and it could not be compiled (${loaded.error.message}).\n` +
      `${NAME}: installed without it; trapdoor works all the same: \`trapdoor attach\` reaches the process through its control socket instead of a signal.\n` +
      `${NAME}: to use signals, install a C compiler, make and python3, then run \`npm rebuild ${NAME}\`.`,
  );
}

try {
  main();
} catch (error) {
  console.warn(`${NAME}: install step skipped: ${error && error.message ? error.message : String(error)}`);
}
process.exitCode = 0;
