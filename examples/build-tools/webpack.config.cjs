// `npx webpack --config webpack.config.cjs`
const path = require('node:path');
const trapdoor = require('trapdoor-js/webpack').default;

module.exports = {
  mode: 'production',
  target: 'node',
  entry: './src/main.ts',
  devtool: 'source-map',
  output: { path: path.resolve(__dirname, 'dist/webpack'), filename: 'main.cjs' },
  resolve: { extensions: ['.ts', '.js'] },
  module: { rules: [{ test: /\.ts$/, loader: 'ts-loader', options: { transpileOnly: true } }] },
  plugins: [trapdoor()],
};
