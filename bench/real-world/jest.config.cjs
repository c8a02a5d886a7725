const { join } = require('node:path')

// Default environment, workers and timeouts. run.mjs passes --json --outputFile and names an output folder, where
// leakproof's JSON goes.
const out = process.env.LEAKPROOF_REAL_WORLD_OUT
module.exports = {
  testMatch: ['<rootDir>/jest/**/*.test.cjs'],
  setupFilesAfterEnv: ['@leakproof/jest/setup'],
  reporters: [
    'default',
    ['@leakproof/jest/reporter', { outputFile: out ? join(out, 'leaks.json') : '.leakproof/leaks.json' }],
  ],
}
