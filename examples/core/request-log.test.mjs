import assert from 'node:assert/strict'
import { test } from 'node:test'
import { assertNoLeak, LeakError, measureLeak } from '@leakproof/core'
import { createLeakyLog, createRingLog } from './request-log.mjs'

let requestId = 0
const handle = (log) => () => log.record('GET', `/users/${requestId++}`)

test('the ring log does not leak', () => {
  assertNoLeak(handle(createRingLog(500)))
})

test('the leaky log is caught, on the heap metric', () => {
  assert.throws(
    () => assertNoLeak(handle(createLeakyLog())),
    (error) => error instanceof LeakError && error.report.metrics.heap.exceeded,
  )
})

test('measureLeak works from plain node:test too', async () => {
  const report = await measureLeak(handle(createRingLog(100)))
  assert.equal(report.leaked, false)
})
