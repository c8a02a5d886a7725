import { describe, expect, it } from 'vitest'
import { MemoryBudgetError } from '../src/index.js'
import { quickBench, sink } from './helpers.js'

function catchError(run: () => void): unknown {
  try {
    run()
  } catch (error) {
    return error
  }
  throw new Error('expected an error, none was thrown')
}

describe('memory budgets', () => {
  it('fail the run on a task allocating over its budget, and name only that task', async () => {
    const bench = quickBench({ retained: false, budget: { allocatedBytesPerOp: 1024 } })
    bench.add('small object', () => {
      sink.value = { a: 1, b: 2, c: 3 }
    })
    bench.add('8 KiB array', () => {
      sink.value = new Array(1000).fill(0)
    })
    await bench.run()

    const error = catchError(() => bench.memory.assertWithinBudget())
    expect(error).toBeInstanceOf(MemoryBudgetError)
    const budgetError = error as MemoryBudgetError
    expect(budgetError.failures.map((failure) => failure.name)).toEqual(['8 KiB array'])
    expect(budgetError.failures[0]?.breaches).toEqual([
      { metric: 'allocated', bytesPerOp: expect.any(Number), budget: 1024 },
    ])
    expect(budgetError.message).toMatch(
      /^1 benchmark task is over the memory budget:\n {2}- "8 KiB array": allocated [\d.,]+ B\/op > budget 1,024 B\/op \(garbage included\)\n/,
    )
    expect(bench.memory.table().map((row) => row?.['Memory budget'])).toEqual(['ok', 'OVER: allocated'])
  })

  it('take per-task budgets over the shared one', async () => {
    const bench = quickBench({
      retained: false,
      budget: { allocatedBytesPerOp: 1024 },
      taskBudgets: { '8 KiB array': { allocatedBytesPerOp: 16 * 1024 } },
    })
    bench.add('8 KiB array', () => {
      sink.value = new Array(1000).fill(0)
    })
    await bench.run()

    expect(() => bench.memory.assertWithinBudget()).not.toThrow()
    expect(bench.memory.of('8 KiB array')?.budget).toEqual({ retainedBytesPerOp: 0.25, allocatedBytesPerOp: 16384 })
  })

  it('fail the run on a task retaining memory', async () => {
    const kept: object[] = []
    const bench = quickBench({ allocationTimeMs: 20 })
    bench.add('keeps every object', () => {
      kept.push({ a: 1, b: 2, c: 3 })
    })
    await bench.run()

    const error = catchError(() => bench.memory.assertWithinBudget()) as MemoryBudgetError
    expect(error.failures[0]?.breaches.map((breach) => breach.metric)).toEqual(['retained'])
    expect(error.message).toContain('"keeps every object": retained')
    expect(error.message).toContain('> budget 0.25 B/op (still reachable after full GC)')
    kept.length = 0
  })

  it('count a task whose memory pass threw as a failure', async () => {
    let fixturesLeft = true
    const bench = quickBench({ retained: false })
    bench.add(
      'throws after its timed run',
      () => {
        if (!fixturesLeft) throw new Error('out of fixtures')
      },
      {
        afterAll(mode) {
          if (mode === 'run') fixturesLeft = false
        },
      },
    )
    const [task] = await bench.run()

    expect(task?.result.state).toBe('completed')
    const memory = bench.memory.of('throws after its timed run')
    expect(memory?.state).toBe('errored')
    expect(() => bench.memory.assertWithinBudget()).toThrow(
      /"throws after its timed run": memory not measured \(out of fixtures\)/,
    )
  })

  it('count a task that errored in tinybench as a failure', async () => {
    const bench = quickBench({ retained: false })
    bench.add('always throws', () => {
      throw new Error('broken')
    })
    await bench.run()

    expect(bench.memory.of('always throws')).toBeUndefined()
    expect(() => bench.memory.assertWithinBudget()).toThrow(/"always throws": memory not measured \(broken\)/)
  })

  it('ask for a run first when nothing was measured', () => {
    const bench = quickBench()
    expect(() => bench.memory.assertWithinBudget()).toThrow(/await bench\.run\(\)/)
  })
})
