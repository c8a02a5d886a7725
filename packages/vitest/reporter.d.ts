// For TypeScript's node10 resolution ("moduleResolution": "node"), which ignores `exports`; the declarations are in dist.
export * from './dist/reporter.cjs'
export { default } from './dist/reporter.cjs'
