#!/usr/bin/env node
// How much one leak's per-call figure varies from run to run: what the known-leaks baseline's tolerance must absorb
// (a known leak is worse when its figure and every pass read over its entry × 1.5 plus its budget). Measures each leak
// `--runs` times in this process, default options, diagnosis off, its memory freed between runs (as a test's
// afterEach would) but for the last leak's array, and prints the figures, their max/min, and the ratio the baseline
// judges. Run it once on a quiet machine and once with the other core busy.
//
//   node packages/core/bench/baseline-spread.mjs [--runs 5]
import { parseArgs } from 'node:util'
import { measureLeak } from '../dist/index.mjs'

const { values } = parseArgs({ options: { runs: { type: 'string', default: '5' } } })
const runs = Number(values.runs)
if (!Number.isInteger(runs) || runs < 2) {
  console.error(`baseline-spread: --runs ${values.runs}: expected a whole number >= 2`)
  process.exit(2)
}

const kept = []
const leaks = {
  'an array of 64 numbers per call': () => {
    kept.push(new Array(64).fill(0))
  },
  'a string of 100–300 chars per call': () => {
    kept.push('x'.repeat(100 + (kept.length % 200)))
  },
  'an object per call after an await': async () => {
    await null
    kept.push({ id: kept.length, tags: ['a', 'b'] })
  },
  'an object per call from a setTimeout': () => {
    const entry = { id: kept.length }
    setTimeout(() => kept.push(entry), 0)
  },
  '100 KiB per call (stopped by the cap)': () => {
    kept.push(new Array(12_800).fill(1.5))
  },
  // Never emptied between runs: the array's store reallocates 1.5× larger now and then, inside one run's span and
  // not another's, as in a test file whose leak tests share a module-level array.
  'an object per call, the array never emptied': () => {
    endless.push({ id: endless.length })
  },
}
const endless = []

// A run is judged worse than an entry when its figure and every pass's rate are over the allowance (`grewPast`), so
// what the tolerance must absorb is the highest of min(figure, passes' rates) over the lowest figure an entry took.
let worst = 1
let worstHeld = 1
for (const [name, fn] of Object.entries(leaks)) {
  const figures = []
  const held = []
  for (let run = 0; run < runs; run++) {
    kept.length = 0
    const report = await measureLeak(fn, { diagnose: false })
    figures.push(report.metrics.heap.perCall)
    held.push(Math.min(report.metrics.heap.perCall, ...report.passes.map((pass) => pass.rates.heap)))
  }
  kept.length = 0
  const ratio = Math.max(...figures) / Math.min(...figures)
  const heldRatio = Math.max(...held) / Math.min(...figures)
  worst = Math.max(worst, ratio)
  worstHeld = Math.max(worstHeld, heldRatio)
  console.log(
    `${name.padEnd(44)} ${figures.map((f) => Math.round(f).toString().padStart(7)).join(' ')}  max/min ${ratio.toFixed(2)}` +
      `  judged ${heldRatio.toFixed(2)}`,
  )
}
console.log(
  `\nworst max/min of the figures ${worst.toFixed(2)}; worst judged (lowest pass or figure over the lowest figure) ` +
    `${worstHeld.toFixed(2)}: the baseline's default tolerance allows 1.5× plus the budget`,
)
