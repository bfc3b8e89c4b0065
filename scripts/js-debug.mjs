#!/usr/bin/env node
/**
 * Builds VS Code's JavaScript debugger (microsoft/vscode-js-debug) as its standalone DAP server,
 * for test/e2e-vscode.test.ts. js-debug is not published on npm, so it is built from a checkout:
 *
 *   node scripts/js-debug.mjs <checkout or bare git dir> [--src <build dir>] [--out <dir>]
 *
 * - <checkout>: a js-debug work tree, or a git directory (a bare mirror), of which HEAD is
 *   exported with `git archive` into the build dir (default ~/.cache/trapdoor/js-debug-src).
 * - In the build dir: `npm ci --ignore-scripts` (its postinstall only downloads a browser for its
 *   own tests), then `npx gulp dapDebugServer`, which bundles src/dapDebugServer.ts and its helpers
 *   (bootloader, hash worker, vendor/) into dist/src/.
 * - dist/ is copied to the output dir (default ~/.cache/trapdoor/js-debug, the test's default;
 *   TRAPDOOR_JS_DEBUG_DAP=<path to dapDebugServer.js> points the test elsewhere), with
 *   trapdoor-build.json naming the commit it was built from.
 *
 * Run the server: node ~/.cache/trapdoor/js-debug/src/dapDebugServer.js <port> 127.0.0.1
 */
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

const cache = join(homedir(), '.cache', 'trapdoor');
let options;
try {
  options = parseArgs({
    allowPositionals: true,
    options: {
      src: { type: 'string', default: join(cache, 'js-debug-src') },
      out: { type: 'string', default: join(cache, 'js-debug') },
      help: { type: 'boolean', short: 'h' },
    },
  });
} catch (error) {
  fail(`${error.message}`, 2);
}
const { values, positionals } = options;
if (values.help || positionals.length !== 1) {
  (values.help ? process.stdout : process.stderr).write('usage: node scripts/js-debug.mjs <js-debug checkout or git dir> [--src <build dir>] [--out <dir>]\n');
  process.exit(values.help ? 0 : 2);
}

function fail(message, code = 1) {
  process.stderr.write(`js-debug: ${message}\n`);
  process.exit(code);
}

/** Runs a command with its output shown; a failure is one line naming the command. */
function run(command, args, cwd) {
  process.stderr.write(`js-debug: (${cwd}) ${command} ${args.join(' ')}\n`);
  try {
    execFileSync(command, args, { cwd, stdio: ['ignore', 'inherit', 'inherit'] });
  } catch {
    fail(`${command} ${args.join(' ')} failed in ${cwd}`);
  }
}

const checkout = resolve(positionals[0]);
if (!existsSync(checkout)) fail(`${checkout}: no such directory`);
const gitArgs = existsSync(join(checkout, '.git')) ? ['-C', checkout] : ['--git-dir', checkout];
let commit;
try {
  commit = execFileSync('git', [...gitArgs, 'rev-parse', 'HEAD'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();
} catch {
  fail(`${checkout} is not a git checkout or git directory`);
}

const src = resolve(values.src);
const out = resolve(values.out);
const SRC_MARK = '.trapdoor-js-debug-src';
const OUT_MARK = 'trapdoor-build.json';
/** Removes a folder this script made before (it has our mark) or an empty one; refuses anything else. */
function replace(dir, mark, option) {
  if (existsSync(dir) && readdirSync(dir).length > 0 && !existsSync(join(dir, mark))) {
    fail(`${option} ${dir} is a folder this script did not make; give an empty or new one`, 2);
  }
  rmSync(dir, { recursive: true, force: true });
}
replace(src, SRC_MARK, '--src');
replace(out, OUT_MARK, '--out');
// A fresh export each time: gulp's `clean` only removes dist/, and a stale tree would build old code.
mkdirSync(src, { recursive: true });
writeFileSync(join(src, SRC_MARK), `${commit}\n`);
process.stderr.write(`js-debug: exporting ${commit} into ${src}\n`);
// A partial mirror may lack its largest blobs (binaries under testWorkspace/, js-debug's own test
// fixtures); `git archive` stops at the first one, so export the rest and say what was left out.
const git = (args, input) => execFileSync('git', [...gitArgs, ...args], { encoding: 'utf8', input, maxBuffer: 1 << 28, stdio: ['pipe', 'pipe', 'pipe'] });
const files = git(['ls-tree', '-r', '-z', 'HEAD'])
  .split('\0')
  .filter(Boolean)
  .map((entry) => ({ type: entry.split(' ')[1], object: entry.split(' ')[2].split('\t')[0], path: entry.slice(entry.indexOf('\t') + 1) }))
  .filter((f) => f.type === 'blob');
const present = git(['cat-file', '--batch-check=%(objectname) %(objecttype)'], files.map((f) => f.object).join('\n') + '\n').split('\n');
const missing = files.filter((_, i) => !present[i].endsWith(' blob')).map((f) => f.path);
const needed = missing.filter((path) => !path.startsWith('testWorkspace/'));
if (needed.length > 0) fail(`the checkout lacks files the build needs: ${needed.join(', ')}`);
if (missing.length > 0) process.stderr.write(`js-debug: left out ${missing.length} test fixture(s) the checkout lacks: ${missing.join(', ')}\n`);
const exclude = missing.map((path) => `:(exclude,literal)${path}`);
// (git still prints an error for an excluded missing blob, and exits 0: its stderr is dropped.)
const tar = execFileSync('git', [...gitArgs, 'archive', '--format=tar', 'HEAD', '--', '.', ...exclude], { maxBuffer: 1 << 30, stdio: ['ignore', 'pipe', 'pipe'] });
execFileSync('tar', ['-x', '-C', src], { input: tar });

run('npm', ['ci', '--ignore-scripts', '--no-audit', '--no-fund'], src);
run('npx', ['gulp', 'dapDebugServer'], src);

const server = join(src, 'dist', 'src', 'dapDebugServer.js');
if (!existsSync(server)) fail(`the build did not produce ${server}`);
cpSync(join(src, 'dist'), out, { recursive: true });
writeFileSync(join(out, 'trapdoor-build.json'), `${JSON.stringify({ repository: 'microsoft/vscode-js-debug', commit, builtAt: new Date().toISOString() }, null, 2)}\n`);
process.stdout.write(`${join(out, 'src', 'dapDebugServer.js')}\n`);
