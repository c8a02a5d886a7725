import v8 from 'node:v8'
import vm from 'node:vm'

type GcFunction = (options?: { type: 'minor' }) => void

let cachedGc: (() => void) | undefined

function isGcFunction(value: unknown): value is GcFunction {
  return typeof value === 'function'
}

/**
 * A full collection whose frees all show: a plain `gc()` (Mark-Compact), then a Scavenge. V8 frees the ArrayBuffer
 * backing stores a full GC found dead on a background thread, and takes them off `external_memory` only when that
 * sweep is finalised, at the start of the next GC: 450 dead 64 KiB Buffers still read 29.6 MiB after one `gc()` and
 * 1.6 MiB after a Scavenge (0.1–0.3 ms) behind it, on Node 20, 22 and 24. Read after one `gc()`, a clean function
 * that allocated a 64 KiB Buffer per call passed the 24 MiB cap and was called a leak.
 */
function collectFully(gc: GcFunction): () => void {
  return () => {
    gc()
    gc({ type: 'minor' })
  }
}

/**
 * Returns a function that runs a full Mark-Compact collection (and the Scavenge that makes its frees of external
 * memory show: `collectFully`), without requiring `--expose-gc`.
 *
 * The full collection is a plain `gc()` call: on Node 20 `gc({ type: 'major' })` runs a Scavenge and frees no
 * old-space garbage.
 */
export function getFullGc(): () => void {
  if (cachedGc) return cachedGc
  const globalGc = (globalThis as { gc?: unknown }).gc
  if (isGcFunction(globalGc)) {
    cachedGc = collectFully(globalGc)
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
  cachedGc = collectFully(contextGc)
  return cachedGc
}

function gcFlagGivenByUser(): boolean {
  const fromArgs = process.execArgv.some((arg) => arg === '--expose-gc' || arg === '--expose_gc')
  const fromEnv = /--expose[-_]gc\b/.test(process.env.NODE_OPTIONS ?? '')
  return fromArgs || fromEnv
}
