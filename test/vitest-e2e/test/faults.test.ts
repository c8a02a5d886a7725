import { beforeAll, describe, expect, test } from 'vitest'
import { expectStatus, type FixtureRun, runFixture } from './run-fixture.ts'

// Faults of the measured function inside a real Vitest run, default options and timeouts: each fails its own test
// with a message that says what happened, within the timeout, and the test after it passes.
let run: FixtureRun

beforeAll(async () => {
  run = await runFixture('faults')
})

const messageOf = (name: string) => expectStatus(run, name, 'failed').failureMessages.join('\n')

describe('faults of the measured function', () => {
  test('a first call that never settles ends at the deadline, before the test times out', () => {
    const message = messageOf('a first call that never settles')
    expect(message).toMatch(/call 1 of fn had not settled after \d+ ms when the measurement's deadline \(\d+ ms\)/)
    expect(message).not.toContain('Test timed out')
    expectStatus(run, 'measures normally after a call that never settled', 'passed')
  })

  test('process.exit inside fn fails the test instead of ending the worker', () => {
    expect(messageOf('process.exit inside fn')).toContain('fn called process.exit(0) on call 1')
    expectStatus(run, 'measures normally after process.exit', 'passed')
  })

  test('a runaway leak is stopped at the cap and reported as a leak', () => {
    expect(messageOf('a runaway leak of a megabyte per call')).toMatch(
      /Expected fn not to leak[\s\S]*stopped early after \d+ calls: memory retained since the start passed the/,
    )
    expectStatus(run, 'measures normally after a runaway leak', 'passed')
  })

  test('the run ends with exit code 1 and no measurement overlaps', () => {
    expect(run.exitCode, run.output).toBe(1)
    expect(run.output).not.toContain('already running')
    expect(run.tests.size).toBe(6)
  })
})
