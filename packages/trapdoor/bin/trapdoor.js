#!/usr/bin/env node
// CommonJS (bin/package.json), so that `trapdoor run` and the usage and --version start without
// Node's ES module loader: they come from one bundled file (dist/cli-entry.cjs, src/cli-entry.cts).
// The other commands load their own module graphs (the transform, the debugger client) from
// dist/cli.js, as ES modules.
'use strict';
const argv = process.argv.slice(2);
const ES_MODULE_COMMANDS = ['instrument', 'attach', 'stack', 'test'];
const cli = ES_MODULE_COMMANDS.includes(argv[0]) ? import('../dist/cli.js') : Promise.resolve(require('../dist/cli-entry.cjs'));
cli.then(async ({ main }) => {
  process.exitCode = await main(argv);
});
