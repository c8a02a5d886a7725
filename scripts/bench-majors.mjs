#!/usr/bin/env node
// Per Node major (the current one, 22 and 24): the noise floor on clean code and the wall time of a passing
// `expect(fn).not.toLeak()` inside each test runner. Prints figures; asserts nothing (the tests do that).
//
//   pnpm build && node scripts/bench-majors.mjs [--runs 3] [--node current --node 22 --node 24]
//
// Noise floor: packages/core/bench/accuracy.mjs on every Node, clean cases only (median heap B/call over --runs
// measurements, each case in its own process, default options).
// toLeak time: a test file that runs `expect(() => [1, 2, 3].length).not.toLeak()` 7 times with default options and
// prints the median, run by Vitest 4.1 and 5 (forks pool, `@leakproof/vitest/setup`) and Jest 29 and 30 (in band,
// `@leakproof/jest/setup`), each from the workspace package that pins that runner.
import { execFileSync, spawnSync } from 'node:child_process'
import { existsSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { childEnv, installNode, NODE_VERSIONS, root, scriptArgs } from './node-versions.mjs'

const fail = (message) => {
  console.error(`bench-majors: ${message}`)
  process.exit(2)
}
const values = scriptArgs(
  import.meta.url,
  { runs: { type: 'string', default: '3' }, node: { type: 'string', multiple: true } },
  fail,
)
const lanes = values.node ?? ['current', ...Object.keys(NODE_VERSIONS)]
const runs = Number(values.runs)
if (!Number.isInteger(runs) || runs < 1) fail(`--runs ${values.runs}: expected a whole number >= 1`)

const TOLEAK_TEST = `const RUNS = 7
test('a cheap function, default options', () => {
  const times = []
  for (let run = 0; run < RUNS; run++) {
    const start = performance.now()
    expect(() => [1, 2, 3].length).not.toLeak()
    times.push(performance.now() - start)
  }
  const median = [...times].sort((a, b) => a - b)[Math.floor(RUNS / 2)]
  console.log('toLeak median ' + median.toFixed(0) + ' ms (' + times.map((t) => t.toFixed(0)).join(', ') + ')')
})
`

/** The runners: which workspace package provides them, how to run the test file, from which Node major on. */
const RUNNERS = [
  { name: 'Vitest 4.1', pkg: 'test/vitest-e2e', kind: 'vitest', minMajor: 20 },
  { name: 'Vitest 5', pkg: 'test/vitest5-e2e', kind: 'vitest', minMajor: 22 },
  { name: 'Jest 29', pkg: 'test/jest29-e2e', kind: 'jest', minMajor: 20 },
  { name: 'Jest 30', pkg: 'test/jest-e2e', kind: 'jest', minMajor: 20 },
]

function project(runner) {
  const dir = mkdtempSync(join(tmpdir(), 'leakproof-bench-majors-'))
  symlinkSync(join(root, runner.pkg, 'node_modules'), join(dir, 'node_modules'), 'dir')
  if (runner.kind === 'vitest') {
    writeFileSync(join(dir, 'package.json'), '{ "type": "module" }\n')
    writeFileSync(
      join(dir, 'vitest.config.mjs'),
      "export default { test: { globals: true, pool: 'forks', setupFiles: ['@leakproof/vitest/setup'], testTimeout: 120000 } }\n",
    )
  } else {
    writeFileSync(
      join(dir, 'jest.config.cjs'),
      "module.exports = { testEnvironment: 'node', setupFilesAfterEnv: ['@leakproof/jest/setup'], testTimeout: 120000 }\n",
    )
  }
  writeFileSync(join(dir, 'speed.test.js'), TOLEAK_TEST)
  return dir
}

function toLeakMedian(node, runner) {
  const dir = project(runner)
  try {
    const cli =
      runner.kind === 'vitest'
        ? [join(dir, 'node_modules', 'vitest', 'vitest.mjs'), 'run']
        : [join(dir, 'node_modules', 'jest', 'bin', 'jest.js'), '-i']
    const env = childEnv({ NO_COLOR: '1', FORCE_COLOR: '0' })
    const child = spawnSync(node, cli, { cwd: dir, env, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] })
    const output = `${child.stdout}${child.stderr}`
    if (child.status !== 0) return `failed: ${output.split('\n').slice(-5).join(' ')}`
    return /toLeak median (\d+) ms/.exec(output)?.[1] ?? 'no figure'
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

function noiseFloor(node) {
  const output = execFileSync(node, [join(root, 'packages/core/bench/accuracy.mjs'), String(runs)], {
    cwd: join(root, 'packages/core'),
    encoding: 'utf8',
  })
  // Rows of the accuracy table: "| name | label | correct | heap B/call | ms |"; keep the clean cases.
  const rows = new Map()
  for (const line of output.split('\n')) {
    const cells = line.split('|').map((cell) => cell.trim())
    if (cells[2] === 'clean') rows.set(cells[1], { correct: cells[3], perCall: cells[4], ms: cells[5] })
  }
  return rows
}

const floors = new Map() // case → Map(node version → cell)
const speeds = new Map() // runner → Map(node version → ms)
const versions = []
for (const lane of lanes) {
  if (lane !== 'current' && !(lane in NODE_VERSIONS)) fail(`--node ${lane}: not one of current, 22, 24`)
  const node = lane === 'current' ? process.execPath : join(await installNode(lane, fail), 'node')
  const version = execFileSync(node, ['--version'], { encoding: 'utf8' }).trim()
  const major = Number(version.slice(1).split('.')[0])
  versions.push(version)
  console.log(`bench-majors: Node ${version}: clean cases (${runs} runs each)`)
  for (const [name, row] of noiseFloor(node)) {
    if (!floors.has(name)) floors.set(name, new Map())
    floors.get(name).set(version, `${row.perCall} (${row.correct}, ${row.ms} ms)`)
  }
  for (const runner of RUNNERS) {
    if (!speeds.has(runner.name)) speeds.set(runner.name, new Map())
    let cell = `— (needs Node ${runner.minMajor}+)`
    if (major >= runner.minMajor) {
      console.log(`bench-majors: Node ${version}: ${runner.name}`)
      cell = existsSync(join(root, runner.pkg, 'node_modules'))
        ? toLeakMedian(node, runner)
        : `not installed (${runner.pkg})`
    }
    speeds.get(runner.name).set(version, cell)
  }
}

function table(title, firstColumn, rows) {
  const header = [firstColumn, ...versions]
  const body = [...rows].map(([name, cells]) => [name, ...versions.map((v) => cells.get(v) ?? '')])
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)))
  const line = (r) => `| ${r.map((c, i) => c.padEnd(widths[i])).join(' | ')} |`
  console.log(`\n${title}\n`)
  console.log(line(header))
  console.log(`| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`)
  for (const row of body) console.log(line(row))
}

table(
  `Noise floor: median heap B/call on clean code (correct verdicts, median time to verdict), default options`,
  'clean case',
  floors,
)
table('Passing expect(() => [1, 2, 3].length).not.toLeak(), default options: median of 7, ms', 'runner', speeds)
