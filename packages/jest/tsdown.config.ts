import { defineConfig } from 'tsdown'

export default defineConfig({
  entry: ['src/index.ts', 'src/setup.ts', 'src/jest-globals.ts', 'src/reporter.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  platform: 'node',
  target: 'node20',
  sourcemap: true,
  clean: true,
  // The reporter entry has a default export (what Jest loads) and a named one: CJS users read `.default`.
  outputOptions: { exports: 'named' },
})
