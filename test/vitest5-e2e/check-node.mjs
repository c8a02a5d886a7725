// Vitest 5 needs Node >= 22.12: fail with one clear line instead of a crash deep inside Vitest.
const [major, minor] = process.versions.node.split('.').map(Number)
if (major < 22 || (major === 22 && minor < 12)) {
  console.error(
    `@leakproof/vitest5-e2e: Vitest 5 needs Node >= 22.12, this is Node ${process.versions.node} (run it under Node 22 or 24: node scripts/test-matrix.mjs --node 22 --suite vitest-5)`,
  )
  process.exit(1)
}
