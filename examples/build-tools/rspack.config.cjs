// `npx rspack build --config rspack.config.cjs`
const path = require('node:path');
const trapdoor = require('trapdoor-js/rspack').default;

module.exports = {
  mode: 'production',
  target: 'node',
  entry: './src/main.ts',
  devtool: 'source-map',
  output: { path: path.resolve(__dirname, 'dist/rspack'), filename: 'main.cjs' },
  resolve: { extensions: ['.ts', '.js'] },
  module: { rules: [{ test: /\.ts$/, loader: 'builtin:swc-loader', options: { jsc: { parser: { syntax: 'typescript' } } } }] },
  plugins: [trapdoor()],
};
