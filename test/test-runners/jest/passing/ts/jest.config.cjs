module.exports = {
  displayName: 'ts',
  testEnvironment: 'node',
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: { target: 'ES2022', module: 'commonjs', strict: true, esModuleInterop: true, types: [] }, diagnostics: false }] },
};
