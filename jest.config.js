/** @type {import('jest').Config} */
module.exports = {
  globalSetup: '<rootDir>/test/helpers/require-vm-modules.js',
  testEnvironment: '<rootDir>/test/helpers/environment.js',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  // Real models and real databases: one worker per core is plenty on a 2-core box.
  maxWorkers: 2,
  testTimeout: 120000,
};
