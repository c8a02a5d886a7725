/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  // TypeScript through ts-jest; its inline source maps keep failure locations on the .ts lines.
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.json' }] },
  setupFilesAfterEnv: ['@leakproof/jest/setup'],
  reporters: ['default', ['@leakproof/jest/reporter', { outputFile: '.leakproof/jest.json' }]],
  // Jest's default 5 s test timeout: a leak check fits it (4 s deadline by default).
}
