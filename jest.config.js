/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/tests'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }],
    // marked ships as an ES module only; Node 20 requires it as is, Jest's CommonJS runtime needs it compiled.
    '^.+/node_modules/marked/.+\\.js$': ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs' } }],
  },
  transformIgnorePatterns: ['/node_modules/(?!marked/)'],
  setupFilesAfterEnv: ['<rootDir>/tests/support/test-end.ts'],
  testTimeout: 30_000,
  // Integration tests share two cores with the servers they start.
  maxWorkers: 2,
};
