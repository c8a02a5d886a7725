import { fileURLToPath } from 'node:url'
import { defineJestE2e } from '../../jest-e2e/src/suite.js'

// The fixture projects and checks of test/jest-e2e, run with this package's Jest 29 (the external/handles/listeners
// fixture runs with Jest 30 only, to keep CI short).
defineJestE2e(fileURLToPath(new URL('..', import.meta.url)), { metrics: false })
