'use strict';
const path = require('node:path');

function parseConfig(text) {
  if (!text.startsWith('{')) {
    throw new SyntaxError(`not JSON in ${path.basename(__filename)}: ${text}`);
  }
  return JSON.parse(text);
}

const inputs = ['{"a":1}', 'nope'];
for (const input of inputs) {
  parseConfig(input);
}
