import { EventEmitter, setMaxListeners } from 'node:events'
import { describe, expect, it } from 'vitest'
import { failingMetrics, formatLeakReport, measureLeak } from '../src/index.js'
import { expectSync } from './sync.js'

const RUNS = 3

describe('listeners: a long-lived EventEmitter', () => {
  it('fails on listeners when each call adds a listener that stays', () => {
    for (let run = 0; run < RUNS; run++) {
      const bus = new EventEmitter()
      bus.setMaxListeners(0)
      const report = expectSync(
        measureLeak(
          () => {
            bus.on('message', () => {})
          },
          { turnEventLoop: false, callsPerBatch: 100, diagnose: false },
        ),
      )
      const text = formatLeakReport(report)
      expect(failingMetrics(report), text).toEqual(['heap', 'listeners'])
      expect(report.details.listeners[0]).toMatchObject({ target: 'EventEmitter', event: 'message' })
      expect(report.details.listeners[0]?.stacks[0]).toContain('listeners-emitter.test.ts')
      bus.removeAllListeners()
    }
  })

  it('passes with a once listener that fires', () => {
    for (let run = 0; run < RUNS; run++) {
      const bus = new EventEmitter()
      const report = expectSync(
        measureLeak(
          () => {
            bus.once('message', () => {})
            bus.emit('message')
          },
          // Fixed batches: under heavy machine load calibration picks ~150 calls per batch, where one heap spike
          // reads as growth (a heap-estimator matter, not a listener one).
          { turnEventLoop: false, callsPerBatch: 2000 },
        ),
      )
      expect(failingMetrics(report), formatLeakReport(report)).toEqual([])
      expect(bus.listenerCount('message')).toBe(0)
    }
  })

  it('ignores listeners on emitters the calls create and drop', () => {
    for (let run = 0; run < RUNS; run++) {
      const report = expectSync(
        measureLeak(
          () => {
            const emitter = new EventEmitter()
            emitter.on('data', () => {})
            emitter.emit('data')
          },
          { turnEventLoop: false },
        ),
      )
      expect(failingMetrics(report), formatLeakReport(report)).toEqual([])
    }
  })

  it('fails on listeners added to an EventTarget per call', () => {
    for (let run = 0; run < RUNS; run++) {
      const target = new EventTarget()
      setMaxListeners(0, target)
      const report = expectSync(
        measureLeak(
          () => {
            target.addEventListener('ping', () => {})
          },
          { turnEventLoop: false, callsPerBatch: 100, budget: { heap: 1024 }, diagnose: false },
        ),
      )
      expect(failingMetrics(report), formatLeakReport(report)).toEqual(['listeners'])
      expect(report.details.listeners[0]).toMatchObject({ target: 'EventTarget', event: 'ping' })
    }
  })

  it('names an emitter passed in the emitters option', () => {
    const bus = new EventEmitter()
    bus.setMaxListeners(0)
    const report = expectSync(
      measureLeak(
        () => {
          bus.on('message', () => {})
        },
        { turnEventLoop: false, callsPerBatch: 100, emitters: { bus }, diagnose: false },
      ),
    )
    expect(report.details.listeners[0]).toMatchObject({ target: 'bus', event: 'message' })
    expect(report.metrics.listeners.exceeded).toBe(true)
  })

  it('rejects an emitters option that holds something else, naming it', () => {
    expect(() => measureLeak(() => {}, { emitters: [new EventEmitter(), 3 as never] })).toThrow(
      /option emitters\[1\] must be an EventEmitter or an EventTarget, got number 3/,
    )
    expect(() => measureLeak(() => {}, { emitters: new EventEmitter() as never })).toThrow(/wrap it: \[emitter\]/)
  })
})
