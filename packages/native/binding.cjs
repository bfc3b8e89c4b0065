'use strict';
// Finds and loads the compiled addon: build/Release (compiled here, by `npm install` or
// `node-gyp rebuild`), else a prebuild shipped in the package, prebuilds/<platform>-<arch>/.
// Used by index.cjs at run time and by scripts/install.cjs at install time, so the install
// decides exactly as a later load will.
//
// Not node-gyp-build, although it knows the same prebuilds/ layout: it reads six environment
// variables as it loads (PREBUILDS_ONLY, npm_config_arch, npm_config_platform, LIBC,
// ARM_VERSION, ELECTRON_RUN_AS_NODE) and stats /etc/alpine-release, and on Deno each of those
// needs a permission: without one the load fails, and in a terminal Deno stops to prompt. Here
// only the package's own folder is read.

const fs = require('node:fs');
const path = require('node:path');

const ADDON = 'trapdoor_native';

/** prebuildify's file names: <name>.<tag>.….node, e.g. node.napi.glibc.node. */
function prebuildTags(file) {
  if (!file.endsWith('.node')) return undefined;
  const parts = file.slice(0, -'.node'.length).split('.');
  return parts.length > 1 ? parts.slice(1) : [];
}

/**
 * The prebuilds to try for this platform, best first: Node-API ones only (one binary serves
 * Node, Bun and Deno); glibc or untagged before musl. The C library is not detected (that would
 * read outside the package): a binary linked against the other one fails to load, and the next
 * candidate is tried.
 */
function prebuildCandidates(dir, problems = []) {
  const folder = path.join(dir, 'prebuilds', `${process.platform}-${process.arch}`);
  let files;
  try {
    files = fs.readdirSync(folder);
  } catch (error) {
    // Missing is the normal case on a platform without a prebuild; anything else is worth saying.
    if (!error || error.code !== 'ENOENT') problems.push({ file: folder, error });
    return [];
  }
  const rank = (tags) => (tags.includes('musl') ? 1 : 0);
  // By code unit, not localeCompare: its first call loads the engine's ICU collator (on Bun about
  // 1.6 MiB more resident, measured like bench/startup.mjs's memory rows), with two prebuilds or more.
  const byName = (a, b) => (a < b ? -1 : a > b ? 1 : 0);
  return files
    .map((file) => ({ file, tags: prebuildTags(file) }))
    .filter(({ tags }) => tags !== undefined && tags.includes('napi'))
    .sort((a, b) => rank(a.tags) - rank(b.tags) || byName(a.file, b.file))
    .map(({ file }) => path.join(folder, file));
}

function isFile(file) {
  try {
    return fs.statSync(file).isFile();
  } catch {
    return false;
  }
}

/**
 * Loads the addon from `dir` (the package folder). Returns { binding, file }; throws an Error
 * whose message says where it looked and why nothing loaded (each failure is in `.causes`).
 */
function loadBinding(dir = __dirname) {
  const built = path.join(dir, 'build', 'Release', `${ADDON}.node`);
  const causes = [];
  const candidates = [...(isFile(built) ? [built] : []), ...prebuildCandidates(dir, causes)];
  for (const file of candidates) {
    try {
      return { binding: require(file), file };
    } catch (error) {
      causes.push({ file, error });
    }
  }
  const platform = `${process.platform}-${process.arch}`;
  const message =
    causes.length === 0
      ? `no compiled addon (${path.join(dir, 'build', 'Release', `${ADDON}.node`)}) and no prebuild for ${platform} (${path.join(dir, 'prebuilds')})`
      : causes.map(({ file, error }) => `${path.relative(dir, file)} ${file.endsWith('.node') ? 'did not load' : 'could not be read'}: ${firstLine(error)}`).join('; ');
  const error = new Error(message);
  error.causes = causes;
  if (causes.length > 0) error.cause = causes[0].error;
  throw error;
}

function firstLine(error) {
  const text = error && error.message ? error.message : String(error);
  return text.split('\n')[0];
}

module.exports = { loadBinding, prebuildCandidates, ADDON };
