const test = require('node:test');
const assert = require('node:assert/strict');

test('an error keeps its message', () => {
  assert.throws(() => {
    throw new Error('boom');
  }, /boom/);
});

test('callback style', (t, done) => {
  setTimeout(done, 1);
});
