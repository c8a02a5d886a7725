import v8 from 'node:v8'

/** Heap and external bytes as they are now (no GC). */
export interface MemoryReading {
  heap: number
  external: number
}

/** Live JS heap and external (Buffer/ArrayBuffer) bytes. Call after a full GC for a retained-memory figure. */
export function readMemory(): MemoryReading {
  const usage = process.memoryUsage()
  return { heap: usage.heapUsed, external: usage.external }
}

/** Cheap total of heap and external bytes for the runaway guard inside a batch (no RSS read). */
export function readTotalBytes(): number {
  const stats = v8.getHeapStatistics()
  return stats.used_heap_size + stats.external_memory
}
