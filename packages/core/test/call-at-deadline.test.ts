import { expect, test } from 'vitest'
import { LeakMeasurementError, measureLeak } from '../src/index.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

// An async fn that keeps 32 KiB per call is still running one of its calls when the deadline comes: its calls turn
// slow after the first 200 (a server that starts queueing), and the 201st outlasts the deadline. The calls before it
// are the evidence: a verdict (the leak, caught), not an error.
test('the deadline during a call after the measured ones: the verdict rests on the calls before it', async () => {
  const kept: number[][] = []
  const report = await measureLeak(
    async () => {
      await sleep(kept.length >= 200 ? 3000 : 2)
      kept.push(new Array(4096).fill(1.5))
    },
    { deadlineMs: 1500 },
  )
  kept.length = 0
  expect(report.limits.stop).toBe('time')
  expect(report.calls).toBeGreaterThan(0)
  expect(report.leaked).toBe(true)
  expect(report.metrics.heap.perCall).toBeGreaterThan(16_000)
  expect(report.durationMs).toBeLessThan(1500 + 250)
})

test('no call measured before the deadline (calibration and warm-up took it): an error that says so', async () => {
  const error = await measureLeak(() => sleep(300), { deadlineMs: 1000 }).then(
    () => undefined,
    (caught: unknown) => caught,
  )
  expect(error).toBeInstanceOf(LeakMeasurementError)
  expect((error as LeakMeasurementError).code).toBe('timeout')
  expect((error as Error).message).toMatch(
    /^leakproof: no call of fn was measured before the measurement's deadline \(1000 ms\): \d+ calls of about \d+ ms each went to calibration and warm-up/,
  )
})
