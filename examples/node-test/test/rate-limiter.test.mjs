import assert from 'node:assert/strict'
import { describe, test } from 'node:test'
import { assertNoLeak, LeakError, measureLeak } from '@leakproof/core/node-test'
import { createBoundedLimiter, createLeakyLimiter } from '../rate-limiter.mjs'

let clientId = 0
const newClient = () => `203.0.113.${clientId++}`

describe('rate limiter', () => {
  test('the bounded limiter does not leak', async (t) => {
    const limiter = createBoundedLimiter()
    await assertNoLeak(t, () => limiter.allow(newClient()))
  })

  test('the unbounded limiter is caught leaking, with its figures', async (t) => {
    const limiter = createLeakyLimiter()
    // This test checks that the leak is caught; demo/leaky-limiter.mjs shows the failure a leak gives.
    await assert.rejects(
      async () => assertNoLeak(t, () => limiter.allow(newClient())),
      (error) => error instanceof LeakError && error.report.metrics.heap.exceeded,
    )
  })

  test('measureLeak gives the report itself', async (t) => {
    const limiter = createBoundedLimiter()
    const report = await measureLeak(t, () => limiter.allow(newClient()))
    assert.equal(report.leaked, false)
    assert.ok(report.calls > 0)
  })
})
