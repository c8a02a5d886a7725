import { defineConfig } from 'vitest/config'
import { e2eConfig } from './e2e-config.ts'

export default defineConfig({ test: e2eConfig({ configUrl: import.meta.url }) })
