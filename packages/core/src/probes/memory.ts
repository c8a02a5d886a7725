import v8 from 'node:v8'

/** Heap and external bytes as they are now (no GC). */
export interface MemoryReading {
  heap: number
  external: number
}

/**
 * Heap spaces leakproof does not count: compiled code (machine code, and from V8 12 / Node 22 the trusted spaces with
 * bytecode, code metadata and deoptimisation data) and the read-only builtins. The JIT compiles in steps that look
 * like growth; a leak of functions still shows in the old space (closures, shared function infos, scripts).
 */
export const COMPILED_CODE_SPACES: ReadonlySet<string> = new Set([
  'code_space',
  'code_large_object_space',
  'read_only_space',
  'trusted_space',
  'trusted_large_object_space',
  'shared_trusted_space',
  'shared_trusted_large_object_space',
])

/**
 * Live JS heap bytes (all spaces but compiled code) and external (Buffer/ArrayBuffer) bytes. Call after a full GC
 * for a retained-memory figure.
 */
export function readMemory(): MemoryReading {
  let heap = 0
  for (const space of v8.getHeapSpaceStatistics()) {
    if (!COMPILED_CODE_SPACES.has(space.space_name)) heap += space.space_used_size
  }
  return { heap, external: process.memoryUsage().external }
}

/** Cheap total of heap and external bytes for the runaway guard inside a batch (no RSS read). */
export function readTotalBytes(): number {
  const stats = v8.getHeapStatistics()
  return stats.used_heap_size + stats.external_memory
}
