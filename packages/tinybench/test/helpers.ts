import { Bench } from 'tinybench'
import { type MemoryOptions, type TaskMemory, type TaskMemoryMeasured, withMemory } from '../src/index.js'

/** Each task stores its result here, keeping it reachable until the next call: the optimiser cannot drop it. */
export const sink: { value: unknown } = { value: undefined }

/** A bench whose timed run is as short as tinybench allows: these tests check memory figures, never times. */
export function quickBench(options?: MemoryOptions) {
  return withMemory(new Bench({ time: 5, iterations: 8, warmupTime: 2, warmupIterations: 4 }), options)
}

export function measured(memory: TaskMemory | undefined): TaskMemoryMeasured {
  if (memory?.state !== 'measured') {
    throw new Error(`expected measured memory figures, got ${memory ? `an error: ${memory.error.message}` : 'none'}`)
  }
  return memory
}

// Expected sizes from V8's object layout on 64-bit Node 20 builds without pointer compression (the official ones:
// process.config.variables.v8_enable_pointer_compression is 0), where a tagged slot is 8 bytes. With pointer
// compression a tagged slot is 4 bytes; doubles stay 8.
const pointerCompression = Boolean((process.config.variables as Record<string, unknown>).v8_enable_pointer_compression)
export const TAGGED = pointerCompression ? 4 : 8

/** JSArray: map, properties, elements, length. */
const JS_ARRAY = 4 * TAGGED
/** FixedArray / FixedDoubleArray header: map, length. */
const FIXED_ARRAY_HEADER = 2 * TAGGED

/** `new Array(n).fill(0)`: the JSArray and its backing store of n Smis, one tagged slot each. */
export function smiArrayBytes(length: number): number {
  return JS_ARRAY + FIXED_ARRAY_HEADER + length * TAGGED
}

/**
 * `new Array(n).fill(0.5)`: the JSArray and a FixedDoubleArray of n unboxed 8-byte doubles. The first calls create
 * a Smi array and convert it; the allocation site then remembers the transition and later calls (all of those
 * measured, after tinybench's warm-up and timed run) allocate the double array directly.
 */
export function doubleArrayBytes(length: number): number {
  return JS_ARRAY + FIXED_ARRAY_HEADER + length * 8
}

/** `{ a, b, c }` from a literal: map, properties, elements, then the 3 properties in-object. */
export const OBJECT_3_BYTES = 6 * TAGGED

/**
 * The promise an async function returns: JSPromise is map, properties, elements, reactions_or_result, flags, plus
 * the one embedder field Node.js builds V8 with (v8_promise_internal_field_count = 1).
 */
export const PROMISE_BYTES = 6 * TAGGED
