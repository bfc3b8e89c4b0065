/**
 * The command line as bin/trapdoor.js requires it for everything but the commands that load
 * their own module graphs (instrument, attach, stack, test: those it imports from cli.js): the
 * usage, --version, and `trapdoor run`, whose program waits for this process to start it.
 *
 * The build makes this one CommonJS file holding cli.js, commands/run.js and what they import,
 * @trapdoor-js/runtime's state-file rules among them (scripts/bundle-cli.mjs): loaded as the
 * module graph tsc writes, nine ES modules, the CLI also started Node's ES module loader and paid
 * for each module's resolution, read and link. Unbundled (as tsc writes it) it works the same.
 */
import type * as Cli from './cli.js';

module.exports = require('./cli.js') as typeof Cli;
