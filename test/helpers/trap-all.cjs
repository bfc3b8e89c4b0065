// Preload (`node -r`): the CommonJS twin of trap-all.mjs (loads the runtime's CommonJS build).
'use strict';
const { flags, setTrapHandler, moduleOf } = require('@trapdoor-js/runtime');
const { writeFileSync } = require('node:fs');
const { installTrapAll } = require('./trap-all-core.cjs');

installTrapAll({ flags, setTrapHandler, moduleOf, writeFileSync });
