import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { failingMetrics, formatLeakReport, measureLeak } from '../src/index.js'

// Under a test runner with an IPC channel (Vitest forks), process.on() schedules a tick per call: the measurement
// then lets the event loop turn and returns a Promise, so these cases await it.
const RUNS = 3

describe("listeners: process.on('exit') per call", () => {
  // Thousands of exit listeners are the point here: keep Node's MaxListenersExceededWarning out of the output.
  const maxListeners = process.getMaxListeners()
  beforeAll(() => {
    process.setMaxListeners(0)
  })
  afterAll(() => {
    process.setMaxListeners(maxListeners)
  })

  it('fails on listeners (and heap, which holds the listener closures), naming the event and the line', async () => {
    for (let run = 0; run < RUNS; run++) {
      const added: Array<() => void> = []
      const before = process.listenerCount('exit')
      const report = await measureLeak(
        () => {
          const onExit = () => {}
          added.push(onExit)
          process.on('exit', onExit)
        },
        { callsPerBatch: 100, diagnose: false },
      )
      for (const onExit of added) process.off('exit', onExit)
      expect(process.listenerCount('exit')).toBe(before)
      const text = formatLeakReport(report)
      expect(failingMetrics(report), text).toEqual(['heap', 'listeners'])
      expect(report.metrics.listeners.perCall).toBeCloseTo(1, 1)
      expect(report.details.listeners).toHaveLength(1)
      const detail = report.details.listeners[0]
      expect(detail).toMatchObject({ target: 'process', event: 'exit' })
      expect(detail?.perCall).toBeCloseTo(1, 1)
      expect(detail?.stacks[0]).toContain('listeners-process.test.ts')
      expect(text).toMatch(/process 'exit' 1\.00\/call .* added at .*listeners-process\.test\.ts/)
    }
  })

  it('is judged by the listeners budget alone when the heap budget allows the closures', async () => {
    const added: Array<() => void> = []
    const report = await measureLeak(
      () => {
        const onExit = () => {}
        added.push(onExit)
        process.on('exit', onExit)
      },
      { callsPerBatch: 100, budget: { heap: 1024 }, diagnose: false },
    )
    for (const onExit of added) process.off('exit', onExit)
    expect(failingMetrics(report), formatLeakReport(report)).toEqual(['listeners'])
  })

  it('passes when the listener is removed', async () => {
    for (let run = 0; run < RUNS; run++) {
      const before = process.listenerCount('exit')
      const report = await measureLeak(() => {
        const onExit = () => {}
        process.on('exit', onExit)
        process.off('exit', onExit)
      })
      expect(failingMetrics(report), formatLeakReport(report)).toEqual([])
      expect(report.metrics.listeners.measured).toBe(true)
      expect(process.listenerCount('exit')).toBe(before)
    }
  })
})
