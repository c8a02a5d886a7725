import { describe, expect, it } from 'vitest'
import {
  doubleArrayBytes,
  measured,
  OBJECT_3_BYTES,
  PROMISE_BYTES,
  quickBench,
  sink,
  smiArrayBytes,
} from './helpers.js'

/** Within 10% of the size computed from V8's object layout. */
function expectWithin10Percent(actual: number, expected: number) {
  expect(actual).toBeGreaterThanOrEqual(expected * 0.9)
  expect(actual).toBeLessThanOrEqual(expected * 1.1)
}

describe('allocated bytes per operation', () => {
  it('match V8 object sizes for sync operations', async () => {
    const bench = quickBench({ retained: false })
    bench.add('noop', () => {})
    bench.add('array of 1000 smis', () => {
      sink.value = new Array(1000).fill(0)
    })
    bench.add('array of 1000 doubles', () => {
      sink.value = new Array(1000).fill(0.5)
    })
    bench.add('object { a, b, c }', () => {
      sink.value = { a: 1, b: 2, c: 3 }
    })
    await bench.run()

    expect(measured(bench.memory.of('noop')).allocation.bytesPerOp).toBeLessThan(1)
    expectWithin10Percent(measured(bench.memory.of('array of 1000 smis')).allocation.bytesPerOp, smiArrayBytes(1000))
    expectWithin10Percent(
      measured(bench.memory.of('array of 1000 doubles')).allocation.bytesPerOp,
      doubleArrayBytes(1000),
    )
    const object = measured(bench.memory.of('object { a, b, c }')).allocation
    expectWithin10Percent(object.bytesPerOp, OBJECT_3_BYTES)
    expect(object.mode).toBe('sync')
    expect(object.loopBytesPerOp).toBeLessThan(1)
    expect(object.calls).toBeGreaterThanOrEqual(1200)
  })

  it('match V8 object sizes for async operations, promise machinery of the loop excluded', async () => {
    const bench = quickBench({ retained: false })
    bench.add('async object { a, b, c }', async () => {
      sink.value = { a: 1, b: 2, c: 3 }
    })
    bench.add('async array of 1000 smis', async () => {
      sink.value = new Array(1000).fill(0)
    })
    await bench.run()

    const object = measured(bench.memory.of('async object { a, b, c }')).allocation
    expect(object.mode).toBe('async')
    // The operation allocates its object and the promise the async function returns.
    expectWithin10Percent(object.bytesPerOp, OBJECT_3_BYTES + PROMISE_BYTES)
    // Awaiting each call allocates in the loop too: measured and subtracted.
    expect(object.loopBytesPerOp).toBeGreaterThan(0)
    expectWithin10Percent(
      measured(bench.memory.of('async array of 1000 smis')).allocation.bytesPerOp,
      smiArrayBytes(1000) + PROMISE_BYTES,
    )
  })

  // The figure net of hooks is the difference of two measurements: hooks that allocate far more than the
  // operation itself leave it within their own noise (~0.1% of what they allocate), so these hooks stay small.
  it("leave out what the task's beforeEach and afterEach hooks allocate", async () => {
    const bench = quickBench({ retained: false })
    let input: number[] = []
    bench.add(
      'object, with an allocating beforeEach',
      () => {
        sink.value = { a: input.length, b: 2, c: 3 }
      },
      {
        beforeEach: () => {
          input = new Array(10).fill(0)
        },
        afterEach: () => {
          sink.value = [input]
        },
      },
    )
    await bench.run()

    const allocation = measured(bench.memory.of('object, with an allocating beforeEach')).allocation
    expectWithin10Percent(allocation.bytesPerOp, OBJECT_3_BYTES)
    expect(allocation.loopBytesPerOp).toBeGreaterThanOrEqual(smiArrayBytes(10))
  })

  it('count GCs and their time in the allocation pass', async () => {
    const bench = quickBench({ retained: false })
    bench.add('64 KiB of smis', () => {
      sink.value = new Array(8192).fill(0)
    })
    await bench.run()

    const allocation = measured(bench.memory.of('64 KiB of smis')).allocation
    // ~100 ms of 64 KiB allocations fills the young generation many times.
    expect(allocation.gcCount).toBeGreaterThan(0)
    expect(allocation.gcCountPerOp).toBeCloseTo(allocation.gcCount / allocation.calls, 12)
    expect(allocation.gcTimeNsPerOp).toBeGreaterThan(0)
  })
})
