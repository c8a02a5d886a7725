// Does measuring memory change the time figures? Runs the same bench with and without withMemory, alternating,
// and compares each task's median latency (median over rounds). Run after `pnpm build`:
//   node bench/time-distortion.mjs [rounds]
import { Bench } from 'tinybench'
import { withMemory } from '../dist/index.mjs'

const rounds = Number(process.argv[2] ?? 7)
// Results go here so the optimiser cannot drop the allocations.
const sink = { value: undefined }
const tasks = {
  'object { a, b, c }': () => {
    sink.value = { a: 1, b: 2, c: 3 }
  },
  'array of 1000 smis': () => {
    sink.value = new Array(1000).fill(0)
  },
  'string concat': () => {
    sink.value = `user=${Math.random()}&page=3`
  },
  'async object': async () => {
    sink.value = { a: 1, b: 2, c: 3 }
  },
}

async function runOnce(withPlugin) {
  const plain = new Bench({ time: 200, warmupTime: 50 })
  const bench = withPlugin ? withMemory(plain) : plain
  for (const [name, fn] of Object.entries(tasks)) bench.add(name, fn)
  await bench.run()
  return Object.fromEntries(bench.tasks.map((task) => [task.name, task.result.latency.p50 * 1e6]))
}

const median = (values) => {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

const spread = (values) => `${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)}`

const samples = { without: [], with: [] }
for (let round = 0; round < rounds; round++) {
  // Alternate the order so drift in machine load hits both configurations alike.
  const order = round % 2 === 0 ? ['without', 'with'] : ['with', 'without']
  for (const config of order) samples[config].push(await runOnce(config === 'with'))
}
console.log(
  `Each task's median latency (ns) per run, tinybench time 200 ms per task, ${rounds} runs per configuration ` +
    '(alternating). "median" is the median over runs; "best" the lowest run, the least disturbed by other processes.',
)
const rows = Object.keys(tasks).map((name) => {
  const without = samples.without.map((s) => s[name])
  const withPlugin = samples.with.map((s) => s[name])
  const change = (a, b) => `${(((b - a) / a) * 100).toFixed(1)}%`
  return {
    task: name,
    'median without': median(without).toFixed(0),
    'median with': median(withPlugin).toFixed(0),
    'median change': change(median(without), median(withPlugin)),
    'best without': Math.min(...without).toFixed(0),
    'best with': Math.min(...withPlugin).toFixed(0),
    'best change': change(Math.min(...without), Math.min(...withPlugin)),
    'spread without': spread(without),
    'spread with': spread(withPlugin),
  }
})
console.table(rows)
