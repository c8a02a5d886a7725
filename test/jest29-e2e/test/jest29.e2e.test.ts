import { fileURLToPath } from 'node:url'
import { defineJestE2e } from '../../jest-e2e/src/suite.js'

// The fixture projects and checks of test/jest-e2e, run with this package's Jest 29.
defineJestE2e(fileURLToPath(new URL('..', import.meta.url)))
