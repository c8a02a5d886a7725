import { expect, test } from 'vitest'
import { LeakMeasurementError, measureLeak } from '../src/index.js'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

// An async fn that keeps 8 KiB per call is still running one of its calls when the deadline comes: its calls turn
// slow 500 ms after the first one (a server that starts queueing), and the first slow one outlasts the deadline. The
// calls before it are the evidence: a verdict (the leak, caught), not an error.
//
// The trigger is time, not a call count: a leak is confirmed by a pass over at least 3× the calls made before it, so
// at this size (the verdict's memory budget does not shorten that pass) no verdict can come before 500 ms, loaded or
// not; pass 1 (warm-up and calibration before it) is measured by then. A count of calls raced the verdict: a 32 KiB
// leak slowed at call 200 was sometimes confirmed at call 190, when the memory budget kept pass 2 as small as pass 1.
test('the deadline during a call after the measured ones: the verdict rests on the calls before it', async () => {
  const kept: number[][] = []
  let firstCallAt: number | undefined
  const report = await measureLeak(
    async () => {
      firstCallAt ??= performance.now()
      await sleep(performance.now() - firstCallAt >= 500 ? 3000 : 2)
      kept.push(new Array(1024).fill(1.5))
    },
    { deadlineMs: 1500 },
  )
  kept.length = 0
  expect(report.limits.stop).toBe('time')
  expect(report.calls).toBeGreaterThan(0)
  expect(report.leaked).toBe(true)
  expect(report.metrics.heap.perCall).toBeGreaterThan(4_000)
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
