// For resolvers that ignore `exports` and find a subpath by its file name; Node and bundlers read `exports`.
export * from './dist/node-test.mjs'
