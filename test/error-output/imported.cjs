const names = ['a', 'b', ''];
const settings = {};
for (const name of names) {
  if (name === '') throw new TypeError('empty setting name');
  settings[name] = true;
}
module.exports = { settings };
