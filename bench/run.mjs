// Runs every case with each approach, one process per case and approach, one after another, and prints
// markdown tables: per approach (verdict, per-call figure, verdict and diagnosis time, peak RSS, naming), side by
// side, totals, and the targets.
// Usage: node bench/run.mjs [--only <substring>] [--approaches naive,snapshot,leakproof,leakproof-nodiag]
//        [--json <file>] [--core <index.mjs of a copy of packages/core/dist/>]
import { spawnSync } from 'node:child_process'
import { createHash } from 'node:crypto'
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs'
import os from 'node:os'
import { basename, dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { caseFiles, flag, markdownTable } from './lib/cases.mjs'
import {
  isCorrect,
  mb,
  ms,
  namingOf,
  problemLines,
  TOTALS_NOTE,
  targetsTable,
  totalsOf,
  totalsTable,
  verdictOf,
} from './lib/totals.mjs'

const CASE_TIMEOUT_MS = 60_000
const child = fileURLToPath(new URL('./child.mjs', import.meta.url))

// Other engineers rebuild @leakproof/core in this checkout while the bench runs: measure one copy of the build,
// taken now, for the whole run (waiting for dist/ to be there). `--core <file>` measures a copy kept from an earlier
// build instead, so that several runs measure the same engine.
const coreDist = flag('core') ?? fileURLToPath(new URL('../packages/core/dist/index.mjs', import.meta.url))
const coreCopyDir = fileURLToPath(new URL('./.core-snapshot/', import.meta.url))
for (let waited = 0; !existsSync(coreDist); waited++) {
  if (waited === 40) throw new Error(`${coreDist} is missing: run pnpm --filter @leakproof/core build`)
  spawnSync('sleep', ['3'])
}
// The build is split into chunks (index.mjs imports assert-<hash>.mjs…): the whole folder is copied, every .mjs of
// it hashed.
rmSync(coreCopyDir, { recursive: true, force: true })
mkdirSync(coreCopyDir, { recursive: true })
const coreFiles = readdirSync(dirname(coreDist)).filter((name) => name.endsWith('.mjs'))
for (const name of coreFiles) copyFileSync(join(dirname(coreDist), name), join(coreCopyDir, name))
// In bench/, so that the build's own imports (@jridgewell/trace-mapping) resolve from bench/node_modules.
const coreCopy = join(coreCopyDir, basename(coreDist))
const coreBuiltAt = statSync(coreDist).mtime.toISOString()
const coreHashOf = createHash('sha256')
for (const name of coreFiles.sort()) coreHashOf.update(readFileSync(join(coreCopyDir, name)))
const coreHash = coreHashOf.digest('hex').slice(0, 12)
process.env.LEAKPROOF_BENCH_CORE = coreCopy
const approachNames = flag('approaches', 'naive,snapshot,leakproof,leakproof-nodiag').split(',')
const approaches = await Promise.all(
  approachNames.map(async (id) => ({ id, ...(await import(`./approaches/${id}.mjs`)) })),
)
const cases = await Promise.all(
  caseFiles(flag('only')).map(async (c) => {
    const { label, metric } = await import(`./cases/${c.name}.mjs`)
    return { ...c, label, metric }
  }),
)

function runOne(approach, testCase) {
  const started = performance.now()
  const out = spawnSync(process.execPath, [...approach.nodeFlags, child, approach.id, testCase.file], {
    encoding: 'utf8',
    timeout: CASE_TIMEOUT_MS,
    maxBuffer: 64 * 1024 * 1024,
  })
  const line = out.stdout?.split('\n').find((l) => l.startsWith('@@RESULT '))
  if (!line) {
    const why = out.error?.code === 'ETIMEDOUT' ? `timed out after ${CASE_TIMEOUT_MS / 1000} s` : `exit ${out.status}`
    return { error: `${why}: ${(out.stderr ?? '').trim().split('\n').slice(-2).join(' | ')}` }
  }
  return { ...JSON.parse(line.slice('@@RESULT '.length)), processMs: performance.now() - started }
}

/** Other engineers rebuild @leakproof/core in this checkout: a missing dist/ is waited out, not reported. */
function runOneRetrying(approach, testCase) {
  for (let attempt = 1; ; attempt++) {
    const result = runOne(approach, testCase)
    if (!/ERR_MODULE_NOT_FOUND|Cannot find module/.test(result.error ?? '') || attempt === 4) return result
    spawnSync('sleep', ['15'])
  }
}

const results = []
const startedAt = new Date()
const loadAtStart = os.loadavg()
for (const testCase of cases) {
  for (const approach of approaches) {
    const result = runOneRetrying(approach, testCase)
    results.push({
      case: testCase.name,
      label: testCase.label,
      labelledMetric: testCase.metric,
      approach: approach.id,
      ...result,
    })
    const verdict = result.error ? `ERROR ${result.error}` : result.leaked ? 'leak' : 'clean'
    process.stderr.write(`${testCase.name} · ${approach.id}: ${verdict}\n`)
  }
}

const unit = (metric) => (metric === 'heap' || metric === 'external' ? 'B/call' : '/call')
/** The metric the per-call figure is for, and any other metric that failed (leakproof judges all four). */
function metricCell(r) {
  const others = (r.detail?.exceeded ?? []).filter((m) => m !== r.metric)
  return others.length > 0 ? `${r.metric} (also ${others.join(', ')})` : r.metric
}
function namedCell(r) {
  const naming = namingOf(r)
  if (!naming) return ''
  return naming.named ? `✓ ${naming.matches.slice(0, 2).join(', ')}` : '✗'
}

const lines = []
lines.push(
  `Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${os.platform()} ${os.release()}`,
)
lines.push(`Started ${startedAt.toISOString()}, ${cases.length} cases, each case and approach in its own process.`)
lines.push(`@leakproof/core build of ${coreBuiltAt} (dist/index.mjs sha256 ${coreHash}).`)
lines.push(
  `Load average ${loadAtStart.map((l) => l.toFixed(1)).join(' ')} at the start, ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')} at the end (1, 5, 15 min).`,
)
lines.push('')
const totals = new Map()
for (const approach of approaches) {
  const rows = results.filter((r) => r.approach === approach.id)
  lines.push(`### ${approach.name}`)
  lines.push('')
  lines.push(
    markdownTable(
      [
        'case',
        'label',
        'verdict',
        'ok',
        'metric',
        'per call',
        'verdict ms',
        'diagnosis ms',
        'total ms',
        'peak RSS MB',
        '+RSS MB',
        'stop',
        'calls',
        'named',
      ],
      rows.map((r) => [
        r.case,
        r.label,
        verdictOf(r),
        isCorrect(r) ? '✓' : '✗',
        r.error ? '' : metricCell(r),
        r.error ? r.error.slice(0, 60) : `${r.perCall.toFixed(2)} ${unit(r.metric)}`,
        r.error ? '' : ms(r.verdictMs),
        r.error ? '' : ms(r.diagnosisMs),
        r.error ? '' : ms(r.totalMs),
        r.error ? '' : mb(r.maxRssKb),
        r.error ? '' : mb(r.maxRssKb - r.baselineRssKb),
        r.stop ?? '',
        r.calls ?? '',
        namedCell(r),
      ]),
    ),
  )
  lines.push('')
  totals.set(approach.id, totalsOf(rows))
}
if (approaches.length > 1) {
  lines.push('### Side by side')
  lines.push('')
  lines.push(
    markdownTable(
      ['case', 'label', ...approaches.map((a) => a.id)],
      cases.map((c) => [
        c.name,
        c.label,
        ...approaches.map((a) => {
          const r = results.find((x) => x.case === c.name && x.approach === a.id)
          return `${verdictOf(r)}${isCorrect(r) ? '' : ' ✗'} ${ms(r.verdictMs)} ms`
        }),
      ]),
    ),
  )
  lines.push('')
}
lines.push('### Totals')
lines.push('')
lines.push(TOTALS_NOTE)
lines.push('')
lines.push(totalsTable(approaches.map((approach) => ({ name: approach.name, totals: totals.get(approach.id) }))))
lines.push('')
if (totals.has('leakproof') || totals.has('leakproof-nodiag')) {
  lines.push('### Targets (issue 14 point 5, issue 15 points 1 and 7)')
  lines.push('')
  lines.push(targetsTable(totals.get('leakproof'), totals.get('leakproof-nodiag')))
  lines.push('')
}
const problems = problemLines(results)
if (problems.length > 0) {
  lines.push('### Wrong verdicts and unnamed leaks')
  lines.push('')
  lines.push(...problems)
  lines.push('')
}
console.log(lines.join('\n'))

const jsonPath = flag('json')
if (jsonPath) {
  const summary = {
    startedAt,
    node: process.version,
    coreBuiltAt,
    coreHash,
    loadAverage: { start: loadAtStart, end: os.loadavg() },
  }
  writeFileSync(jsonPath, `${JSON.stringify({ ...summary, totals: Object.fromEntries(totals), results }, null, 2)}\n`)
}
