// The tables of docs/benchmark.md's "Real-world suite" from the JSON of one or more `run.mjs --json` runs: per test,
// the verdicts over the runs in each runner; per runner, wall time and peak RSS per run, medians and the goals.
// Usage: node summarize.mjs <run.json>...
import { readFileSync } from 'node:fs'

export function median(values) {
  const sorted = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b)
  if (sorted.length === 0) return Number.NaN
  const middle = sorted.length >> 1
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

export function markdownTable(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)))
  const line = (r) => `| ${r.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`
  return [line(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n')
}

export const seconds = (ms) => (Number.isFinite(ms) ? `${(ms / 1000).toFixed(1)} s` : '—')
export const megabytes = (bytes) => (Number.isFinite(bytes) ? `${Math.round(bytes / 1024 / 1024)} MB` : '—')

const short = (verdict) => (verdict === 'leak' ? 'L' : verdict === 'clean' ? 'C' : verdict === 'error' ? 'E' : '?')

/** Per test: in each runner, the verdicts of its runs (L leak, C clean, E error), the right ones, the median time. */
export function perTestTable(runs, runners) {
  const keys = []
  for (const run of runs) {
    for (const t of run.tests) {
      const key = `${t.library} > ${t.title}`
      if (!keys.some((k) => k.key === key))
        keys.push({ key, expected: t.expected, file: t.file.replace(/\.c?js$/, '') })
    }
  }
  const header = ['test', 'expected']
  for (const runner of runners) header.push(`${runner} verdicts`, `${runner} right`, `${runner} median time`)
  const rows = keys.map(({ key, expected }) => {
    const row = [key, expected]
    for (const runner of runners) {
      const results = runs
        .filter((r) => r.runner === runner)
        .map((r) => r.tests.find((t) => `${t.library} > ${t.title}` === key))
        .filter(Boolean)
      const right = results.filter((t) => t.right).length
      row.push(
        results.map((t) => short(t.verdict)).join(' '),
        right === results.length ? `${right}/${results.length}` : `**${right}/${results.length}**`,
        seconds(median(results.map((t) => t.durationMs))),
      )
    }
    return row
  })
  return markdownTable(header, rows)
}

/** Per runner: wrong verdicts, wall time and peak RSS per run, medians against the goals. */
export function perRunnerTable(runs, runners, goals) {
  const rows = runners.map((runner) => {
    const mine = runs.filter((r) => r.runner === runner)
    const wall = median(mine.map((r) => r.wallMs))
    const rss = median(mine.map((r) => r.peakRssBytes))
    const goal = goals[runner]
    const wallMet = wall <= goal.wallMs
    const rssMet = rss <= goal.rssMb * 1024 * 1024
    return [
      runner,
      mine.map((r) => (r.error ? 'no results' : r.tests.filter((t) => !t.right).length)).join(', '),
      mine.map((r) => seconds(r.wallMs)).join(', '),
      `${seconds(wall)} (≤ ${seconds(goal.wallMs)}: ${wallMet ? 'met' : '**missed**'})`,
      mine.map((r) => megabytes(r.peakRssBytes)).join(', '),
      `${megabytes(rss)} (≤ ${goal.rssMb} MB: ${rssMet ? 'met' : '**missed**'})`,
      mine.map((r) => r.loadAtStart.toFixed(1)).join(', '),
    ]
  })
  return markdownTable(
    [
      'runner',
      'wrong verdicts per run',
      'wall per run',
      'wall median',
      'peak RSS per run',
      'peak RSS median',
      'load at start (1 min)',
    ],
    rows,
  )
}

/** Every wrong verdict, with leakproof's figures of that run. */
export function wrongLines(runs, runners) {
  const lines = []
  for (const runner of runners) {
    const wrong = new Map()
    for (const run of runs.filter((r) => r.runner === runner)) {
      for (const t of run.tests.filter((x) => !x.right)) {
        const key = `${t.library} > ${t.title}`
        const figures = t.error ? `error (${t.error})` : `${t.verdict}: ${t.leakproof?.summary ?? 'no report'}`
        wrong.set(key, [...(wrong.get(key) ?? []), `run ${run.index} ${figures} (${t.leakproof?.calls ?? '?'} calls)`])
      }
    }
    for (const [key, seen] of wrong)
      lines.push(`- ${runner}, ${key} (expected ${key.includes('> leaks:') ? 'leak' : 'clean'}): ${seen.join('; ')}`)
  }
  return lines
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const files = process.argv.slice(2)
  if (files.length === 0) {
    process.stderr.write('Usage: node summarize.mjs <run.json>...\n')
    process.exit(2)
  }
  const documents = files.map((file) => JSON.parse(readFileSync(file, 'utf8')))
  // Several files: number each runner's runs 1..N in the order given.
  const counters = new Map()
  const runs = documents
    .flatMap((d) => d.runs)
    .map((run) => {
      counters.set(run.runner, (counters.get(run.runner) ?? 0) + 1)
      return { ...run, index: counters.get(run.runner) }
    })
  const runners = [...new Set(runs.map((r) => r.runner))]
  const goals = documents[0].goals
  const wrong = wrongLines(runs, runners)
  process.stdout.write(
    `${perRunnerTable(runs, runners, goals)}\n\n${perTestTable(runs, runners)}\n\n${wrong.join('\n')}\n`,
  )
}
