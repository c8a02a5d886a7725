import { Bench } from 'tinybench'
import { describe, expect, expectTypeOf, it } from 'vitest'
import { MEMORY_COLUMNS, type TaskMemory, withMemory } from '../src/index.js'
import { quickBench, sink } from './helpers.js'

describe('withMemory', () => {
  it('adds the memory columns to bench.table() rows, keeping tinybench columns', async () => {
    const bench = quickBench({ retained: false })
    bench.add('object', () => {
      sink.value = { a: 1 }
    })
    await bench.run()

    const [row] = bench.memory.table()
    expect(Object.keys(row ?? {})).toEqual([...Object.keys(bench.table()[0] ?? {}), ...Object.values(MEMORY_COLUMNS)])
    expect(row?.['Task name']).toBe('object')
    expect(row?.[MEMORY_COLUMNS.retained]).toBe('N/A')
    expect(bench.memory.legend().split('\n')).toHaveLength(4)
    expectTypeOf(bench.memory.results).toEqualTypeOf<TaskMemory[]>()
  })

  it('works with runSync and leaves the timed loop to tinybench', () => {
    const bench = quickBench({ allocationTimeMs: 20, leak: { callsPerBatch: 2000, confirm: false } })
    bench.add('sync object', () => {
      sink.value = { a: 1, b: 2, c: 3 }
    })
    const [task] = bench.runSync()

    expect(task?.result.state).toBe('completed')
    const memory = bench.memory.of('sync object')
    expect(memory?.state).toBe('measured')
    if (memory?.state === 'measured') expect(memory.retained?.report.turnedEventLoop).toBe(false)
  })

  it("keeps the task's own afterAll hook, called first", async () => {
    const calls: string[] = []
    const bench = quickBench({ retained: false })
    bench.add('object', () => {}, {
      afterAll(mode) {
        calls.push(`${this.name}:${mode}:${bench.memory.of(this) ? 'measured' : 'not yet'}`)
      },
    })
    await bench.run()
    expect(calls).toEqual(['object:warmup:not yet', 'object:run:not yet'])
  })

  it("measures tasks run with concurrency: 'task' one call at a time", async () => {
    const bench = withMemory(new Bench({ concurrency: 'task', time: 5, iterations: 8, warmupTime: 2 }), {
      retained: false,
    })
    bench.add('async object', async () => {
      sink.value = { a: 1, b: 2, c: 3 }
    })
    await bench.run()

    const memory = bench.memory.of('async object')
    expect(memory?.state).toBe('measured')
    if (memory?.state === 'measured') expect(memory.allocation.mode).toBe('async')
  })

  it('rejects what it cannot measure, saying what to do', () => {
    expect(() => withMemory({} as Bench)).toThrow('withMemory(bench) expects a tinybench Bench')
    expect(() => withMemory(new Bench({ concurrency: 'bench' }))).toThrow("Use concurrency: null or 'task'")
    const late = new Bench().add('early', () => {})
    expect(() => withMemory(late)).toThrow('call withMemory(bench) before bench.add()')
    const twice = withMemory(new Bench())
    expect(() => withMemory(twice)).toThrow('already applied')
    // @ts-expect-error unknown option
    expect(() => withMemory(new Bench(), { budgets: {} })).toThrow('unknown option budgets')
    expect(() => withMemory(new Bench(), { budget: { retainedBytesPerOp: -1 } })).toThrow(
      'budget.retainedBytesPerOp must be a number of bytes ≥ 0, got number -1',
    )
    // @ts-expect-error the retained budget has its own key
    expect(() => withMemory(new Bench(), { leak: { budget: { heap: 1 } } })).toThrow('budget.retainedBytesPerOp')
  })
})
