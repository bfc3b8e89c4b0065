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
    return `node-gyp rebuild failed (exit ${result.status})${reasonOf(`${result.stdout}\n${result.stderr}`)}`;
  }
  return undefined;
}

/** The useful line of a failed build: the compiler's or make's complaint, else node-gyp's error. */
function reasonOf(output) {
  const lines = output.split('\n');
  const tool = lines.find((l) => !l.startsWith('gyp ') && /not found|No such file|error:/i.test(l));
  if (tool !== undefined) return `: ${tool.trim()}`;
  const start = lines.findIndex((l) => l.startsWith('gyp ERR! stack Error: '));
  if (start < 0) return '';
  // node-gyp splits a long message over several "stack" lines before the call stack ("at …").
  const parts = [lines[start].slice('gyp ERR! stack Error: '.length)];
  for (let i = start + 1; i < lines.length && /^gyp ERR! stack (?!\s*at )/.test(lines[i]); i++) parts.push(lines[i].slice('gyp ERR! stack '.length));
  return `: ${parts.map((p) => p.trim()).join(' ')}`;
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
