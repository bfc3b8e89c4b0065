/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  testTimeout: 500,
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: { target: 'ES2022', module: 'commonjs', strict: true, esModuleInterop: true, types: [] }, diagnostics: false }] },
  moduleNameMapper: { '^@lib/(.*)$': '<rootDir>/src/lib/$1' },
};
