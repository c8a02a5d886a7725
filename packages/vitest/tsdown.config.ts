import { defineConfig } from 'tsdown'

export default defineConfig({
  entry: ['src/index.ts', 'src/setup.ts', 'src/reporter.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  clean: true,
  // The reporter entry has a default export (what Vitest loads) and named ones: CJS users read `.default`.
  outputOptions: { exports: 'named' },
})
