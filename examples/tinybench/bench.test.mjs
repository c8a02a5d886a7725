import assert from 'node:assert/strict'
import { test } from 'node:test'
import { MemoryBudgetError } from '@leakproof/tinybench'
import { createQueryBench } from './bench.mjs'

test('memory columns tell the two implementations apart and the gate catches the leak', async () => {
  // Short tinybench runs: this checks the figures' order of magnitude, not the timings.
  const bench = createQueryBench({
    bench: { time: 20, warmupTime: 10 },
    memory: { allocationTimeMs: 30 },
  })
  await bench.run()

  const [concat, arrays, memoised] = bench.memory.results
  assert.equal(concat?.state, 'measured')
  assert.equal(arrays?.state, 'measured')
  assert.equal(memoised?.state, 'measured')
  assert.ok(arrays.allocation.bytesPerOp > 2 * concat.allocation.bytesPerOp, 'via arrays allocates far more')
  assert.ok(memoised.retained.bytesPerOp > 100, `memoised parse retains ${memoised.retained.bytesPerOp} B/op`)
  assert.throws(
    () => bench.memory.assertWithinBudget(),
    (error) => error instanceof MemoryBudgetError && /"parseQuery: memoised": retained/.test(error.message),
  )
  assert.equal(bench.memory.table().length, 3)
})
