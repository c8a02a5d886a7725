// For TypeScript's node10 resolution ("moduleResolution": "node"), which ignores `exports`; the declarations are in dist.
export * from './dist/node-test.cjs'
