import { fileURLToPath } from 'node:url'
import { defineJestE2e } from '../src/suite.js'

defineJestE2e(fileURLToPath(new URL('..', import.meta.url)))
