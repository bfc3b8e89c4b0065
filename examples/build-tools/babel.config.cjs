// Babel (babel-jest, babel-loader, @babel/cli): the TypeScript preset, and trapdoor's plugin.
module.exports = {
  presets: ['@babel/preset-typescript'],
  plugins: ['trapdoor-js/babel', '@babel/plugin-transform-modules-commonjs'],
};
