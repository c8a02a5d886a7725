// Several runs side by side, from the JSON that `run.mjs --json <file>` writes: totals and targets per run, and per
// case the verdicts of every run with the median time, so that a figure is never one run's.
// Usage: node bench/summarize.mjs <run.json> [<run.json> ...] [--names run1,run2,...]
import { readFileSync } from 'node:fs'
import { basename } from 'node:path'
import { flag, markdownTable, median } from './lib/cases.mjs'
import { isCorrect, mb, ms, namingOf, TOTALS_NOTE, targetRows, totalsOf, totalsTable } from './lib/totals.mjs'

const files = process.argv.slice(2).filter((arg, i, all) => !arg.startsWith('--') && all[i - 1] !== '--names')
if (files.length === 0) throw new Error('usage: node bench/summarize.mjs <run.json> [<run.json> ...] [--names a,b]')
const names = flag('names')?.split(',') ?? files.map((file) => basename(file, '.json'))
const runs = files.map((file, i) => ({ name: names[i] ?? basename(file), ...JSON.parse(readFileSync(file, 'utf8')) }))
const approachIds = [...new Set(runs.flatMap((run) => run.results.map((r) => r.approach)))]

const lines = []
lines.push('### Runs')
lines.push('')
lines.push(
  markdownTable(
    ['run', 'started (UTC)', 'core build', 'load average at start / end (1 min)'],
    runs.map((run) => [
      run.name,
      run.startedAt,
      run.coreHash ?? '',
      run.loadAverage ? `${run.loadAverage.start[0].toFixed(1)} / ${run.loadAverage.end[0].toFixed(1)}` : '',
    ]),
  ),
)
lines.push('')
lines.push('### Totals per run')
lines.push('')
lines.push(TOTALS_NOTE)
lines.push('')
const perRun = runs.map((run) => {
  const totals = new Map(approachIds.map((id) => [id, totalsOf(run.results.filter((r) => r.approach === id))]))
  return { run, totals }
})
lines.push(
  totalsTable(
    approachIds.flatMap((id) =>
      perRun
        .filter(({ run }) => run.results.some((r) => r.approach === id))
        .map(({ run, totals }) => ({ name: `${id} · ${run.name}`, totals: totals.get(id) })),
    ),
  ),
)
lines.push('')
const withTargets = perRun.filter(({ totals }) => totals.has('leakproof') || totals.has('leakproof-nodiag'))
if (withTargets.length > 0) {
  const perRunRows = withTargets.map(({ totals }) =>
    targetRows(totals.get('leakproof'), totals.get('leakproof-nodiag')),
  )
  lines.push('### Targets per run (issue 14 point 5, issue 15 points 1 and 7)')
  lines.push('')
  lines.push(
    markdownTable(
      ['target', ...withTargets.map(({ run }) => run.name)],
      perRunRows[0].map((row, i) => [row[0], ...perRunRows.map((rows) => `${rows[i][1]} ${rows[i][2]}`)]),
    ),
  )
  lines.push('')
}

// Per case: how many runs got it right, and median figures over the runs, per approach side by side.
const caseNames = [...new Set(runs.flatMap((run) => run.results.map((r) => r.case)))].sort()
const resultsOf = (name, id) =>
  runs.map((run) => run.results.find((r) => r.case === name && r.approach === id)).filter(Boolean)
const diagnosing = approachIds.filter((id) =>
  runs.some((run) => run.results.some((r) => r.approach === id && r.naming)),
)
lines.push(`### Per case over ${runs.length} runs`)
lines.push('')
lines.push(
  'Right: runs with the labelled verdict; ms: median verdict time over the runs; +RSS: the largest peak RSS over the' +
    ` baseline in any run; diagnosis and named: ${diagnosing.join(', ') || 'no approach diagnosed'}.`,
)
lines.push('')
lines.push(
  markdownTable(
    [
      'case',
      'label',
      ...approachIds.flatMap((id) => [`${id} right`, `${id} ms`, `${id} +RSS MB`]),
      'diagnosis ms median / max',
      'named',
    ],
    caseNames.map((name) => {
      const cells = approachIds.flatMap((id) => {
        const results = resultsOf(name, id)
        const ok = results.filter((r) => !r.error)
        const right = results.filter(isCorrect).length
        const rightCell = right === results.length ? `${right}/${results.length}` : `**${right}/${results.length}**`
        return [
          rightCell,
          ms(median(ok.map((r) => r.verdictMs))),
          mb(Math.max(...ok.map((r) => r.maxRssKb - r.baselineRssKb))),
        ]
      })
      const diagnosed = diagnosing.flatMap((id) => resultsOf(name, id))
      const times = diagnosed.filter((r) => r.diagnosisMs !== undefined).map((r) => r.diagnosisMs)
      const checked = diagnosed.filter((r) => namingOf(r))
      const named = checked.filter((r) => r.naming.named)
      const how = named[0] ? ` (${named[0].naming.matches.slice(0, 2).join(', ')})` : ''
      return [
        name,
        resultsOf(name, approachIds[0])[0]?.label ?? '',
        ...cells,
        times.length > 0 ? `${ms(median(times))} / ${ms(Math.max(...times))}` : '',
        checked.length > 0 ? `${named.length}/${checked.length}${how}` : '',
      ]
    }),
  ),
)
lines.push('')
console.log(lines.join('\n'))
