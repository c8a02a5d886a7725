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
  // The heap statistics' external memory, not process.memoryUsage(): that one also reads the RSS, which opens a file
  // and fails (EMFILE) once a leak of file descriptors has used them all up.
  return { heap, external: v8.getHeapStatistics().external_memory }
}

/** Cheap total of heap and external bytes for the runaway guard inside a batch (no RSS read). */
export function readTotalBytes(): number {
  const stats = v8.getHeapStatistics()
  return stats.used_heap_size + stats.external_memory
}

/** The total right after the last full GC of a reading in this process (any measurement's). */
let settledTotal: number | undefined
/** The total when the last measurement started. */
let startedTotal: number | undefined

/** Called right after a reading's full GC: what the heap holds when nothing unreachable is left. */
export function noteSettled(): void {
  settledTotal = readTotalBytes()
}

/** Called when a measurement takes its start reading. */
export function noteStart(): void {
  startedTotal = readTotalBytes()
}

/**
 * Garbage left since the last reading past which a measurement starts with a full GC: its start reading (and the
 * cap's baseline) must not count the garbage of what ran before it (a previous test's leak, freed by its
 * `afterEach`), or growth since the start reads low by as much once a GC frees it.
 */
const START_GARBAGE_BYTES = 2 * 1024 * 1024

/**
 * True when the heap may hold that much garbage: no reading ran yet in this process, more was allocated since the
 * last one, or the last measurement retained that much (a leak that its test frees once it ends: live at the last
 * reading, garbage now).
 */
export function mayHoldGarbage(): boolean {
  if (settledTotal === undefined || startedTotal === undefined) return true
  return readTotalBytes() - settledTotal > START_GARBAGE_BYTES || settledTotal - startedTotal > START_GARBAGE_BYTES
}
