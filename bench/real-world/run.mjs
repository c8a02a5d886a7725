// The real-world suite: runs the Vitest and the Jest suite of this folder N times each (alternating), with the
// runners' default options, and prints per test its verdict, right or wrong, and time, and per run the wall time and
// the peak RSS of the runner's whole process tree.
// Usage: node run.mjs [--runs 3] [--runner vitest|jest|both] [--json <file>]
// Exit code 0 whatever the verdicts (it is a benchmark), 1 when a runner gave no results, 2 on bad arguments.
import { spawn } from 'node:child_process'
import { createHash } from 'node:crypto'
import { existsSync, mkdirSync, openSync, readdirSync, readFileSync, writeFileSync } from 'node:fs'
import os from 'node:os'
import { basename, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { markdownTable, median, megabytes, perRunnerTable, perTestTable, seconds, wrongLines } from './summarize.mjs'

const here = fileURLToPath(new URL('.', import.meta.url))
const repoRoot = join(here, '..', '..')
const GOALS = {
  vitest: { wallMs: 30_000, rssMb: 500 },
  // Issue #20: Jest within 2× of Vitest's goals.
  jest: { wallMs: 60_000, rssMb: 1000 },
}
const RUNNER_TIMEOUT_MS = 10 * 60_000
const SAMPLE_MS = 100
const LEAK_MESSAGE = 'Expected fn not to leak'
const ANSI_ESCAPES = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g')

function usage(message) {
  process.stderr.write(
    `run.mjs: ${message}\nUsage: node run.mjs [--runs 3] [--runner vitest|jest|both] [--json <file>]\n`,
  )
  process.exit(2)
}

function parseArgs(argv) {
  const options = { runs: 3, runners: ['vitest', 'jest'], json: undefined }
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i]
    const value = argv[i + 1]
    if (name === '--help' || name === '-h') usage('help')
    if (!['--runs', '--runner', '--json'].includes(name)) usage(`unknown argument ${JSON.stringify(name)}`)
    if (value === undefined || value.startsWith('--')) usage(`${name} needs a value`)
    i++
    if (name === '--runs') {
      if (!/^[1-9]\d*$/.test(value)) usage(`--runs must be a positive integer, got ${JSON.stringify(value)}`)
      options.runs = Number(value)
    } else if (name === '--runner') {
      if (!['vitest', 'jest', 'both'].includes(value)) usage(`--runner must be vitest, jest or both, got ${value}`)
      options.runners = value === 'both' ? ['vitest', 'jest'] : [value]
    } else options.json = value
  }
  return options
}

const options = parseArgs(process.argv.slice(2))

// The other engineer rebuilds the packages in this checkout: wait for the builds the runners load.
const builds = ['core', 'vitest', 'jest'].map((name) => join(repoRoot, 'packages', name, 'dist'))
for (let waited = 0; !builds.every((dir) => existsSync(dir)); waited++) {
  if (waited === 20) usage(`${builds.find((dir) => !existsSync(dir))} is missing: run pnpm build at the root`)
  await new Promise((resolve) => setTimeout(resolve, 3000))
}

function git(...args) {
  return new Promise((resolve) => {
    const child = spawn('git', args, { cwd: repoRoot })
    let out = ''
    child.stdout.on('data', (chunk) => {
      out += chunk
    })
    child.on('close', () => resolve(out.trim()))
    child.on('error', () => resolve(''))
  })
}

/** sha256 of the built core the runners load (ESM for Vitest, CJS for Jest), to tell builds apart. */
function coreBuildHash() {
  const hash = createHash('sha256')
  for (const file of ['index.mjs', 'index.cjs']) {
    const path = join(repoRoot, 'packages', 'core', 'dist', file)
    if (existsSync(path)) hash.update(readFileSync(path))
  }
  return hash.digest('hex').slice(0, 12)
}

// Peak RSS of the whole process tree: the sum of RSS over the runner and all its descendants, read from /proc every
// 100 ms. (`/usr/bin/time -v` would give the largest single process, not the sum over the workers.)
const PAGE_BYTES = 4096
function processTable() {
  const table = new Map()
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
      // Fields after the command name, which is in parentheses and may hold spaces.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      table.set(Number(entry), { ppid: Number(fields[1]), rssBytes: Number(fields[21]) * PAGE_BYTES })
    } catch {
      // The process ended between readdir and read.
    }
  }
  return table
}
function treeRssBytes(rootPid) {
  const table = processTable()
  const children = new Map()
  for (const [pid, { ppid }] of table) {
    if (!children.has(ppid)) children.set(ppid, [])
    children.get(ppid).push(pid)
  }
  let total = 0
  let count = 0
  const stack = [rootPid]
  while (stack.length > 0) {
    const pid = stack.pop()
    const proc = table.get(pid)
    if (!proc) continue
    total += proc.rssBytes
    count++
    stack.push(...(children.get(pid) ?? []))
  }
  return { total, count }
}

function runnerCommand(runner, outDir) {
  if (runner === 'vitest') {
    return [join(here, 'node_modules', 'vitest', 'vitest.mjs'), 'run']
  }
  return [
    join(here, 'node_modules', 'jest', 'bin', 'jest.js'),
    '--json',
    `--outputFile=${join(outDir, 'results.json')}`,
  ]
}

// Jest does not exit by itself when a leaking test left servers or sockets open ("Jest did not exit one second after
// the test run has completed"): once the results file is there, the runner gets this long to exit, then its process
// group is killed and the wall time is taken when the results file appeared.
const EXIT_GRACE_MS = 5000

function runOnce(runner, outDir) {
  mkdirSync(outDir, { recursive: true })
  const log = openSync(join(outDir, 'output.log'), 'w')
  const resultsFile = join(outDir, 'results.json')
  return new Promise((resolve) => {
    const started = performance.now()
    const child = spawn(process.execPath, runnerCommand(runner, outDir), {
      cwd: here,
      stdio: ['ignore', log, log],
      detached: true,
      // vitest.config.js and jest.config.cjs read this: the leakproof reporter's JSON (and Vitest's json reporter,
      // which must be named in the config so that the config's reporters stay) go there.
      env: { ...process.env, LEAKPROOF_REAL_WORLD_OUT: outDir },
    })
    let peakRss = 0
    let peakProcesses = 0
    let resultsAtMs
    let killedAfterResults = false
    const killGroup = () => {
      try {
        process.kill(-child.pid, 'SIGKILL')
      } catch {
        // Already gone.
      }
    }
    const sample = () => {
      const { total, count } = treeRssBytes(child.pid)
      peakRss = Math.max(peakRss, total)
      peakProcesses = Math.max(peakProcesses, count)
      if (resultsAtMs === undefined && existsSync(resultsFile)) resultsAtMs = performance.now() - started
      if (resultsAtMs !== undefined && performance.now() - started > resultsAtMs + EXIT_GRACE_MS) {
        killedAfterResults = true
        killGroup()
      }
    }
    const sampler = setInterval(sample, SAMPLE_MS)
    const killer = setTimeout(killGroup, RUNNER_TIMEOUT_MS)
    child.on('exit', (code, signal) => {
      clearInterval(sampler)
      clearTimeout(killer)
      const exitedMs = performance.now() - started
      resolve({
        exitCode: code,
        signal,
        exitedBySelf: !killedAfterResults && signal === null,
        wallMs: killedAfterResults ? resultsAtMs : exitedMs,
        processMs: exitedMs,
        peakRssBytes: peakRss,
        peakProcesses,
      })
    })
  })
}

function readJson(path) {
  try {
    return JSON.parse(readFileSync(path, 'utf8'))
  } catch {
    return undefined
  }
}

function expectedOf(title) {
  if (title.startsWith('leaks:')) return 'leak'
  if (title.startsWith('clean:')) return 'clean'
  return 'unlabelled'
}

function verdictOf(assertion) {
  const message = (assertion.failureMessages ?? []).join('\n')
  if (assertion.status === 'passed') return { verdict: 'clean' }
  if (assertion.status !== 'failed') return { verdict: assertion.status }
  // The forgotten-await guard appends the verdict it would have given: the test is written wrong, not judged.
  if (message.includes(LEAK_MESSAGE) && !message.includes('was not awaited')) return { verdict: 'leak' }
  const firstLine = message.split('\n').find((line) => line.trim() !== '') ?? ''
  return {
    verdict: 'error',
    error: firstLine.replace(ANSI_ESCAPES, '').trim().slice(0, 200),
  }
}

const unitOf = (metric) => (metric === 'heap' || metric === 'external' ? 'B/call' : '/call')
function formatPerCall(metric, perCall) {
  const abs = Math.abs(perCall)
  const text = abs >= 1024 ? `${(perCall / 1024).toFixed(1)} KiB` : abs >= 10 ? perCall.toFixed(0) : perCall.toFixed(2)
  return abs >= 1024 ? `${text}/call` : `${text} ${unitOf(metric)}`
}

/** The leakproof figures of one test: the metrics over budget, or the largest heap reading when none is. */
function figuresOf(entry) {
  if (!entry) return undefined
  const { report } = entry
  const metrics = Object.entries(report.metrics)
  const exceeded = metrics.filter(([, m]) => m.exceeded).map(([name]) => name)
  const shown = exceeded.length > 0 ? exceeded : ['heap']
  return {
    leaked: report.leaked,
    exceeded,
    perCall: Object.fromEntries(metrics.map(([name, m]) => [name, m.perCall])),
    summary: shown.map((name) => `${name} ${formatPerCall(name, report.metrics[name].perCall)}`).join(', '),
    calls: report.calls,
    durationMs: report.durationMs,
    stop: report.limits?.stop,
    mode: report.mode,
  }
}

function collect(runner, outDir) {
  const results = readJson(join(outDir, 'results.json'))
  const leaks = readJson(join(outDir, 'leaks.json'))
  if (!results?.testResults) return undefined
  const entries = leaks?.entries ?? []
  const tests = []
  for (const file of results.testResults) {
    const fileName = basename(file.name)
    for (const assertion of file.assertionResults) {
      const title = assertion.title
      const library = assertion.ancestorTitles.join(' > ')
      const entry = entries.find((e) => e.test.endsWith(title) && (!e.file || basename(e.file) === fileName))
      const expected = expectedOf(title)
      const { verdict, error } = verdictOf(assertion)
      tests.push({
        file: fileName,
        library,
        title,
        expected,
        verdict,
        right: verdict === expected,
        ...(error ? { error } : {}),
        durationMs: assertion.duration ?? null,
        leakproof: figuresOf(entry),
      })
    }
  }
  return { runner, tests }
}

const startedAt = new Date()
const head = await git('rev-parse', '--short', 'HEAD')
const dirty = (await git('status', '--porcelain', '--', 'packages')) !== ''
const build = { commit: head, packagesDirty: dirty, coreDistSha256: coreBuildHash() }
const loadAtStart = os.loadavg()[0]
process.stdout.write(
  `Real-world suite: ${options.runs} run(s) of ${options.runners.join(' and ')}, Node ${process.version}, ` +
    `${os.cpus().length} CPUs, build ${head}${dirty ? ' + uncommitted changes under packages/' : ''} ` +
    `(core dist sha256 ${build.coreDistSha256}), load ${loadAtStart.toFixed(1)}.\n` +
    `Peak RSS: sum of RSS over the runner's process tree, /proc/<pid>/stat every ${SAMPLE_MS} ms.\n\n`,
)

const stamp = startedAt.toISOString().replace(/[:.]/g, '-')
const runs = []
for (let index = 1; index <= options.runs; index++) {
  for (const runner of options.runners) {
    const outDir = join(here, '.out', stamp, `${runner}-${index}`)
    const load = os.loadavg()[0]
    const measured = await runOnce(runner, outDir)
    const collected = collect(runner, outDir)
    const coreBuild = coreBuildHash()
    const run = { runner, index, outDir, coreBuild, loadAtStart: load, ...measured, tests: collected?.tests ?? [] }
    if (!collected)
      run.error = `no results.json (exit ${measured.exitCode ?? measured.signal}); see ${outDir}/output.log`
    runs.push(run)
    const wrong = run.tests.filter((t) => !t.right)
    process.stdout.write(`### ${runner} run ${index}\n\n`)
    if (run.error) process.stdout.write(`${run.error}\n\n`)
    else {
      process.stdout.write(
        `${markdownTable(
          ['test', 'expected', 'verdict', 'right', 'time', 'leakproof'],
          run.tests.map((t) => [
            `${t.library} > ${t.title}`,
            t.expected,
            t.error ? `error: ${t.error.slice(0, 60)}` : t.verdict,
            t.right ? '✓' : '✗',
            seconds(t.durationMs),
            t.leakproof ? `${t.leakproof.summary}, ${t.leakproof.calls} calls` : '',
          ]),
        )}\n\n`,
      )
    }
    process.stdout.write(
      `${runner} run ${index}: ${run.tests.length - wrong.length}/${run.tests.length} right, wall ${seconds(
        run.wallMs,
      )}${run.exitedBySelf ? '' : ` (did not exit by itself: killed ${EXIT_GRACE_MS / 1000} s after its results)`}, peak RSS ${megabytes(
        run.peakRssBytes,
      )} (${run.peakProcesses} processes at most), load ${load.toFixed(1)}` +
        `${coreBuild === build.coreDistSha256 ? '' : `, core rebuilt meanwhile (sha256 ${coreBuild})`}` +
        ` → ${os.loadavg()[0].toFixed(1)}\n\n`,
    )
  }
}

process.stdout.write('### Summary\n\n')
const summary = options.runners.map((runner) => {
  const mine = runs.filter((r) => r.runner === runner)
  const wall = median(mine.map((r) => r.wallMs))
  const rss = median(mine.map((r) => r.peakRssBytes))
  return {
    runner,
    wrongPerRun: mine.map((r) => (r.error ? null : r.tests.filter((t) => !t.right).length)),
    wallMedianMs: wall,
    peakRssMedianBytes: rss,
    wallGoalMet: wall <= GOALS[runner].wallMs,
    rssGoalMet: rss <= GOALS[runner].rssMb * 1024 * 1024,
  }
})
process.stdout.write(`${perRunnerTable(runs, options.runners, GOALS)}\n\n`)
if (options.runs > 1) process.stdout.write(`${perTestTable(runs, options.runners)}\n\n`)
const wrong = wrongLines(runs, options.runners)
process.stdout.write(wrong.length > 0 ? `Wrong verdicts:\n${wrong.join('\n')}\n` : 'Every verdict right.\n')

if (options.json) {
  writeFileSync(
    options.json,
    `${JSON.stringify({ startedAt: startedAt.toISOString(), node: process.version, build, goals: GOALS, runs, summary }, null, 2)}\n`,
  )
  process.stdout.write(`\nEvery figure: ${options.json}\n`)
}
process.exit(runs.some((r) => r.error) ? 1 : 0)
