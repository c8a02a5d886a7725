import v8 from 'node:v8'
import vm from 'node:vm'

type GcFunction = () => void

let cachedGc: GcFunction | undefined

function isGcFunction(value: unknown): value is GcFunction {
  return typeof value === 'function'
}

/**
 * Returns a function that runs a full Mark-Compact collection, without requiring `--expose-gc`.
 *
 * Only a plain `gc()` call is used: on Node 20 `gc({ type: 'major' })` runs a Scavenge and frees no old-space garbage.
 */
export function getFullGc(): GcFunction {
  if (cachedGc) return cachedGc
  const globalGc = (globalThis as { gc?: unknown }).gc
  if (isGcFunction(globalGc)) {
    cachedGc = () => globalGc()
    return cachedGc
  }
  // The flag is read when a context is created, so a fresh context gets `gc` as a global.
  v8.setFlagsFromString('--expose-gc')
  let contextGc: unknown
  try {
    contextGc = vm.runInNewContext('gc')
  } finally {
    // Revert, or every context created later (Jest test files, vm pools) would see a global `gc`.
    if (!gcFlagGivenByUser()) v8.setFlagsFromString('--no-expose-gc')
  }
  if (!isGcFunction(contextGc)) {
    throw new Error('leakproof could not obtain a garbage-collection function from V8. Run node with --expose-gc.')
  }
  const gc = contextGc
  cachedGc = () => gc()
  return cachedGc
}

function gcFlagGivenByUser(): boolean {
  const fromArgs = process.execArgv.some((arg) => arg === '--expose-gc' || arg === '--expose_gc')
  const fromEnv = /--expose[-_]gc\b/.test(process.env.NODE_OPTIONS ?? '')
  return fromArgs || fromEnv
}
