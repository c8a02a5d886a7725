import { spawnSync } from 'node:child_process'
import { existsSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, it } from 'vitest'

// Each fault in a process of its own, against the built package: a hang, an out-of-memory crash or an exit would end
// the process, not just fail an assertion. Default options unless a case says otherwise.
const packageRoot = fileURLToPath(new URL('..', import.meta.url))
const caseScript = fileURLToPath(new URL('./fixtures/faults/case.mjs', import.meta.url))
if (!existsSync(new URL('../dist/index.mjs', import.meta.url))) {
  throw new Error('faults.test.ts runs the built package: run `pnpm --filter @leakproof/core build` first')
}

interface CaseResult {
  outcome: 'report' | 'error'
  code?: string
  message?: string
  leaked?: boolean
  stop?: string
  verdict?: string
  calls?: number
  leftovers: {
    asyncHooks: number
    emitterOn: boolean
    exit: boolean
    abort: boolean
    gc: string
    snapshotFiles: number
  }
  after: boolean
}

function runCase(name: string, nodeArgs: string[] = []): { status: number | null; result: CaseResult; stderr: string } {
  const child = spawnSync(process.execPath, [...nodeArgs, caseScript, name], {
    cwd: packageRoot,
    encoding: 'utf8',
    timeout: 60_000,
  })
  const line = child.stdout.split('\n').find((l) => l.startsWith('@@RESULT '))
  if (!line) {
    throw new Error(
      `case ${name} printed no result (exit ${child.status}, ${child.signal ?? 'no signal'}):\n${child.stderr}`,
    )
  }
  return {
    status: child.status,
    result: JSON.parse(line.slice('@@RESULT '.length)) as CaseResult,
    stderr: child.stderr,
  }
}

/** What every exit path must leave: nothing of the measurement's, and a process where the next measurement works. */
function expectNothingLeft(result: CaseResult): void {
  expect(result.leftovers).toEqual({
    asyncHooks: 0,
    emitterOn: true,
    exit: true,
    abort: true,
    gc: 'undefined',
    snapshotFiles: 0,
  })
  expect(result.after).toBe(false)
}

describe('a call that never settles ends in a clear error naming the call and the time, never a hang', () => {
  it.each(['never-settles-alive', 'never-settles-idle', 'bare-thenable'])('%s: the first call', (name) => {
    const { status, result } = runCase(name)
    expect(status).toBe(0)
    expect(result.outcome).toBe('error')
    expect(result.code).toBe('timeout')
    expect(result.message).toMatch(
      /call 1 of fn had not settled after \d+ ms when the measurement's deadline \(4000 ms\)/,
    )
    expectNothingLeft(result)
  })

  it('with callTimeoutMs, the first call times out after it', () => {
    const { result } = runCase('never-settles-call-timeout')
    expect(result.code).toBe('timeout')
    expect(result.message).toContain('call 1 of fn did not settle within 1000 ms (callTimeoutMs)')
    expectNothingLeft(result)
  })

  it('a later call that never settles is named', () => {
    const { result } = runCase('later-call-never-settles')
    expect(result.message).toContain('call 500 of fn did not settle within 500 ms')
    expectNothingLeft(result)
  })
})

describe('a runaway leak ends as a leak verdict with its figures, never an out-of-memory crash', () => {
  const limits = [[], ['--max-old-space-size=128'], ['--max-old-space-size=256'], ['--max-old-space-size=512']]
  it.each(limits)('50 MB per call, heap limit %s', (...nodeArgs) => {
    const { status, result, stderr } = runCase('runaway-50mb', nodeArgs)
    expect(status, stderr).toBe(0)
    expect(result.outcome).toBe('report')
    expect(result.leaked).toBe(true)
    expect(['cap', 'heap-limit']).toContain(result.stop)
    expect(result.verdict).toMatch(/^stopped early after \d+ calls: .* \(\d+\.\d MiB retained\)$/)
    expect(result.calls).toBeLessThanOrEqual(3)
    expectNothingLeft(result)
  })

  it.each(limits)('1 MB per call, heap limit %s', (...nodeArgs) => {
    const { status, result, stderr } = runCase('runaway-1mb', nodeArgs)
    expect(status, stderr).toBe(0)
    expect(result.leaked).toBe(true)
    expect(result.stop).toBe('cap')
    expect(result.calls).toBeLessThan(40)
    expectNothingLeft(result)
  })
})

describe('process.exit and process.abort inside fn are reported, not obeyed', () => {
  it.each([
    ['exit-0', 'process.exit(0)'],
    ['exit-3', 'process.exit(3)'],
    ['exit-caught', 'process.exit(1)'],
    ['exit-async', 'process.exit(0)'],
    ['abort', 'process.abort()'],
  ])('%s', (name, call) => {
    const { status, result } = runCase(name)
    expect(status).toBe(0)
    expect(result.outcome).toBe('error')
    expect(result.code).toBe('exit')
    expect(result.message).toContain(`fn called ${call} on call 1, so no verdict was reached`)
    expectNothingLeft(result)
  })
})

describe('bad input and failures say what happened', () => {
  it('options given as a Map are rejected, naming it', () => {
    const { result } = runCase('options-map')
    expect(result.message).toBe('leakproof: options must be a plain object like { budget: { heap: 64 } }, got a Map.')
  })

  it('a missing function names what was received', () => {
    const { result } = runCase('not-a-function')
    expect(result.message).toBe('leakproof: measureLeak(fn) expects a function to call repeatedly, got undefined.')
  })

  it('a rejection says rejected', () => {
    const { result } = runCase('rejects')
    expect(result.code).toBe('rejected')
    expect(result.message).toBe('leakproof: fn rejected on call 1, so no verdict was reached. Error: backend down')
    expectNothingLeft(result)
  })

  it('an aborted signal stops the measurement at the next call, and everything is undone', () => {
    const { result } = runCase('aborted')
    expect(result.code).toBe('aborted')
    expect(result.message).toMatch(/the measurement was aborted after \d+ ms \(call \d+\): stopped by the test/)
    expectNothingLeft(result)
  })
})
