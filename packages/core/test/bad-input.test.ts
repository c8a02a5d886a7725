import { describe, expect, it } from 'vitest'
import { assertNoLeak, LeakError, LeakMeasurementError, measureLeak } from '../src/index.js'
import { expectSync } from './sync.js'

describe('bad input gets a clear error, never a verdict', () => {
  it.each([
    [undefined, 'got undefined.'],
    [null, 'got null.'],
    [42, 'got number 42.'],
    ['fn', 'got the string "fn".'],
    [{}, 'got an object.'],
    [new Map(), 'got a Map.'],
  ])('a non-function (%s) is a TypeError that says what was received', (value, received) => {
    expect(() => measureLeak(value as never)).toThrow(TypeError)
    expect(() => measureLeak(value as never)).toThrow(received)
    expect(() => assertNoLeak(value as never)).toThrow('assertNoLeak(fn) expects a function')
  })

  it('a function that declares parameters is rejected with a hint to wrap it', () => {
    expect(() => measureLeak(((a: number) => a) as never)).toThrow('Wrap it: () => yourFunction(args)')
  })

  it('an unknown option names the key and the valid ones', () => {
    expect(() => measureLeak(() => {}, { bachtes: 5 } as never)).toThrow(
      /unknown option bachtes\. Valid options are: .*batches/,
    )
    expect(() => measureLeak(() => {}, { budget: { heaps: 1 } } as never)).toThrow(/unknown option budget\.heaps/)
  })

  it('an out-of-range value names the key and the valid range', () => {
    expect(() => measureLeak(() => {}, { batches: 2 })).toThrow(
      'option batches must be an integer from 4 to 1,000, got 2',
    )
    expect(() => measureLeak(() => {}, { callsPerBatch: 1.5 })).toThrow(RangeError)
    expect(() => measureLeak(() => {}, { budget: { heap: -1 } })).toThrow('option budget.heap must be a number from 0')
    expect(() => measureLeak(() => {}, { deadlineMs: Number.NaN })).toThrow(TypeError)
    expect(() => measureLeak(() => {}, { deadlineMs: 50 })).toThrow('option deadlineMs must be a number from 100')
    expect(() => measureLeak(() => {}, { confirm: 'yes' } as never)).toThrow('option confirm must be true or false')
    expect(() => measureLeak(() => {}, { signal: {} } as never)).toThrow(
      'option signal must be an AbortSignal, got an object',
    )
  })

  it.each([
    ['fast', 'got the string "fast"'],
    [[], 'got an array'],
    [new Map([['batches', 4]]), 'got a Map'],
    [new (class Options {})(), 'got an Options'],
  ])('options that are not a plain object (%s) are rejected, naming what was received', (options, received) => {
    expect(() => measureLeak(() => {}, options as never)).toThrow(TypeError)
    expect(() => measureLeak(() => {}, options as never)).toThrow(`options must be a plain object`)
    expect(() => measureLeak(() => {}, options as never)).toThrow(received)
  })

  it('an option of an earlier version says what replaced it', () => {
    expect(() => measureLeak(() => {}, { timeBudgetMs: 1000 } as never)).toThrow(
      'option timeBudgetMs was replaced by deadlineMs',
    )
    expect(() => measureLeak(() => {}, { runawayBytes: 1 } as never)).toThrow(
      'option runawayBytes was replaced by maxRetainedBytes',
    )
  })

  it('fn throwing propagates its error with the call number', () => {
    let calls = 0
    const error = new Error('boom')
    const fn = () => {
      if (++calls === 7) throw error
    }
    expect(() => measureLeak(fn)).toThrow(LeakMeasurementError)
    calls = 0
    try {
      measureLeak(fn)
      expect.unreachable()
    } catch (thrown) {
      expect((thrown as Error).message).toContain('fn threw on call 7')
      expect((thrown as Error).message).toContain('Error: boom')
      expect((thrown as Error).cause).toBe(error)
    }
  })

  it('fn rejecting propagates its error with the call number', async () => {
    let calls = 0
    const fn = async () => {
      if (++calls === 3) throw new RangeError('bad state')
    }
    await expect(measureLeak(fn)).rejects.toThrow(
      'fn rejected on call 3, so no verdict was reached. RangeError: bad state',
    )
  })

  it('an async fn that never settles ends in a timeout error', async () => {
    let calls = 0
    const fn = () => (++calls < 5 ? Promise.resolve() : new Promise<void>(() => {}))
    await expect(measureLeak(fn, { callTimeoutMs: 50 })).rejects.toThrow('call 5 of fn did not settle within 50 ms')
  })

  it('a sync fn that later returns a promise is an error, not a verdict', () => {
    let calls = 0
    const fn = () => (++calls > 10 ? Promise.resolve() : undefined)
    expect(() => measureLeak(fn)).toThrow('fn returned a promise on call 11 but not on call 1')
  })

  it('a runaway leak (megabytes per call) is stopped and reported as a leak', () => {
    const kept: number[][] = []
    const MIB_PER_CALL = 4
    const report = expectSync(
      measureLeak(
        () => {
          kept.push(new Array(MIB_PER_CALL * 128 * 1024).fill(1))
        },
        { maxRetainedBytes: 64 * 1024 * 1024 },
      ),
    )
    expect(report.leaked).toBe(true)
    expect(report.metrics.heap.exceeded).toBe(true)
    expect(report.metrics.heap.perCall).toBeGreaterThan(512 * 1024)
    expect(report.passes.at(-1)?.runaway).toBe(true)
    expect(report.limits.stop).toBe('cap')
    expect(report.verdict).toMatch(
      /stopped early after \d+ calls: memory retained since the start passed the 64\.0 MiB cap/,
    )
    // Stopped at the cap plus at most one check interval (a quarter of the cap), the first two calls aside (the cap
    // restarts once after them: they may be a one-time initialisation).
    expect(kept.length * MIB_PER_CALL).toBeLessThanOrEqual(64 * 1.25 + 2 * MIB_PER_CALL)
    kept.length = 0
  })

  it('a second measurement started while one runs is a clear error', async () => {
    const first = measureLeak(async () => {})
    expect(() => measureLeak(() => {})).toThrow('a leak measurement is already running in this process')
    await first
    // Once it has finished, the next one may start.
    expect(expectSync(measureLeak(() => {})).leaked).toBe(false)
  })

  it('assertNoLeak throws a LeakError that carries the report', () => {
    const kept: object[] = []
    try {
      assertNoLeak(() => {
        kept.push({ n: kept.length })
      })
      expect.unreachable()
    } catch (error) {
      expect(error).toBeInstanceOf(LeakError)
      expect((error as LeakError).report.leaked).toBe(true)
      expect((error as LeakError).message).toMatch(/^fn leaks: heap \d+(\.\d+)? B\/call > budget 0\.25 B\/call/)
    }
  })

  it('assertNoLeak returns nothing for clean code, a promise for async code', async () => {
    expect(assertNoLeak(() => {})).toBeUndefined()
    await expect(assertNoLeak(async () => {})).resolves.toBeUndefined()
  })
})
