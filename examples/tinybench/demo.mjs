// tinybench with memory columns: time, allocated and retained bytes per operation, GCs, and a budget gate.
import { MemoryBudgetError } from '@leakproof/tinybench'
import { BUDGET, createQueryBench } from './bench.mjs'

console.log('@leakproof/tinybench demo — withMemory(new Bench()): time and memory per operation\n')
const bench = createQueryBench()
await bench.run()
console.table(bench.memory.table())
console.log(bench.memory.legend(), '\n')

console.log(
  `Budget gate: bench.memory.assertWithinBudget() with allocated ≤ ${BUDGET.allocatedBytesPerOp} B/op, ` +
    `retained ≤ ${BUDGET.retainedBytesPerOp} B/op:`,
)
let failedAsExpected = false
try {
  bench.memory.assertWithinBudget()
  console.log('   passed (UNEXPECTED: two tasks should be over budget)')
} catch (error) {
  if (!(error instanceof MemoryBudgetError)) throw error
  console.log(error.message.replace(/^/gm, '   '), '\n')
  const over = error.failures.map((failure) => `${failure.name}: ${failure.breaches.map((b) => b.metric).join()}`)
  failedAsExpected =
    over.length === 2 &&
    over.includes('queryString: via arrays: allocated') &&
    over.includes('parseQuery: memoised: retained')
}

const concat = bench.memory.of('queryString: concat')
const arrays = bench.memory.of('queryString: via arrays')
const ratio =
  concat?.state === 'measured' && arrays?.state === 'measured'
    ? arrays.allocation.bytesPerOp / concat.allocation.bytesPerOp
    : Number.NaN
console.log(`"via arrays" allocates ${ratio.toFixed(1)}× what "concat" does for the same string.`)
const asExpected = failedAsExpected && ratio > 2
console.log(
  asExpected
    ? 'As expected: the gate failed on exactly the allocation-heavy and the leaking task (a CI run would exit 1).'
    : 'UNEXPECTED results (see above).',
)
process.exitCode = asExpected ? 0 : 1
