// The benchmark, shared by the demo (full run) and the test (a quick one).
import { withMemory } from '@leakproof/tinybench'
import { Bench } from 'tinybench'
import { forgetParsedQueries, parseQueryMemoised, queryStringConcat, queryStringViaArrays } from './query.mjs'

const params = { user: 'ada', page: 3, sort: 'name', q: 'memory leaks' }
let requestId = 0

/** Budgets the CI gate checks: a query string may cost 1 KiB of garbage and must keep nothing. */
export const BUDGET = { allocatedBytesPerOp: 1024, retainedBytesPerOp: 0.25 }

export function createQueryBench({ bench: benchOptions, memory: memoryOptions } = {}) {
  const bench = withMemory(new Bench({ time: 300, ...benchOptions }), { budget: BUDGET, ...memoryOptions })
  bench.add('queryString: concat', () => queryStringConcat(params))
  bench.add('queryString: via arrays', () => queryStringViaArrays(params))
  // Every request has its own id, so the memoised parser's cache grows by one entry per call. Last: the heap it
  // leaves behind would slow the other tasks' GCs.
  bench.add('parseQuery: memoised', () => parseQueryMemoised(`user=ada&request=${requestId++}`), {
    afterAll: (mode) => {
      if (mode === 'warmup') forgetParsedQueries()
    },
  })
  return bench
}
