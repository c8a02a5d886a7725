// Runs the fault cases of test/fixtures/faults/case.mjs in a loop, each in its own process, for a few minutes, and
// prints what it saw per case: outcomes, exit codes, crashes, leftovers and the longest run. Not a test: a stress run
// to look for the rare hang, crash or leftover that one run of the test suite would not show.
//
//   node bench/faults.mjs [--minutes 3] [--heap 128]     (after `pnpm --filter @leakproof/core build`)
import { spawnSync } from 'node:child_process'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'

const { values } = parseArgs({ options: { minutes: { type: 'string', default: '3' }, heap: { type: 'string' } } })
const minutes = Number(values.minutes)
if (!(minutes > 0)) {
  console.error(`faults: --minutes ${values.minutes}: expected a positive number`)
  process.exit(2)
}
const caseScript = fileURLToPath(new URL('../test/fixtures/faults/case.mjs', import.meta.url))
const packageRoot = fileURLToPath(new URL('..', import.meta.url))
const CASES = [
  'never-settles-alive',
  'never-settles-idle',
  'bare-thenable',
  'never-settles-call-timeout',
  'later-call-never-settles',
  'runaway-50mb',
  'runaway-1mb',
  'exit-0',
  'exit-3',
  'exit-caught',
  'exit-async',
  'abort',
  'rejects',
  'aborted',
]
const nodeArgs = values.heap ? [`--max-old-space-size=${values.heap}`] : []
const seen = new Map(CASES.map((name) => [name, { runs: 0, outcomes: new Map(), bad: [], longestMs: 0 }]))
const endAt = Date.now() + minutes * 60_000
let rounds = 0
while (Date.now() < endAt) {
  rounds++
  for (const name of CASES) {
    const started = Date.now()
    const child = spawnSync(process.execPath, [...nodeArgs, caseScript, name], {
      cwd: packageRoot,
      encoding: 'utf8',
      timeout: 60_000,
    })
    const entry = seen.get(name)
    entry.runs++
    entry.longestMs = Math.max(entry.longestMs, Date.now() - started)
    const line = child.stdout.split('\n').find((l) => l.startsWith('@@RESULT '))
    if (!line) {
      entry.bad.push(`no result (exit ${child.status}, ${child.signal ?? child.error?.code ?? 'no signal'})`)
      continue
    }
    const result = JSON.parse(line.slice('@@RESULT '.length))
    const key = result.outcome === 'error' ? `error ${result.code}` : `report ${result.leaked ? 'leak' : 'clean'}`
    entry.outcomes.set(key, (entry.outcomes.get(key) ?? 0) + 1)
    const { asyncHooks, emitterOn, exit, abort, gc, snapshotFiles } = result.leftovers
    const clean = asyncHooks === 0 && emitterOn && exit && abort && gc === 'undefined' && snapshotFiles === 0
    if (!clean) entry.bad.push(`leftovers ${JSON.stringify(result.leftovers)}`)
    if (result.after !== false) entry.bad.push('the next measurement did not pass')
    if (child.status !== 0) entry.bad.push(`exit ${child.status}`)
  }
}
console.log(
  `${rounds} rounds in ${minutes} min, Node ${process.version}${values.heap ? `, --max-old-space-size=${values.heap}` : ''}\n`,
)
console.log(`${'case'.padEnd(28)}${'runs'.padStart(5)}  ${'longest'.padStart(8)}  outcomes / problems`)
let problems = 0
for (const [name, entry] of seen) {
  const outcomes = [...entry.outcomes].map(([key, count]) => `${key} ×${count}`).join(', ')
  problems += entry.bad.length
  console.log(
    `${name.padEnd(28)}${String(entry.runs).padStart(5)}  ${`${entry.longestMs} ms`.padStart(8)}  ${outcomes}`,
  )
  for (const problem of new Set(entry.bad)) console.log(`${''.padEnd(45)}PROBLEM: ${problem}`)
}
console.log(`\n${problems === 0 ? 'no problem seen' : `${problems} problems`}`)
process.exitCode = problems === 0 ? 0 : 1
