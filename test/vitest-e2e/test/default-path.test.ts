import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { beforeAll, describe, expect, test } from 'vitest'
import { expectStatus, type FixtureRun, runFixture } from './run-fixture.ts'

// One file of leak tests and clean tests sharing module state, on default options and Vitest's default timeouts.
let run: FixtureRun
let durations: Map<string, number>

beforeAll(async () => {
  run = await runFixture('default-path')
  const report = JSON.parse(readFileSync(join(run.resultsDir, 'vitest.json'), 'utf8')) as {
    testResults: { assertionResults: { fullName: string; duration: number }[] }[]
  }
  durations = new Map(report.testResults.flatMap((file) => file.assertionResults.map((t) => [t.fullName, t.duration])))
})

const LEAKS = [
  'leaks a session per call',
  'leaks a log line per request, behind setTimeout(0)',
  'leaks a listener per call',
]
const CLEAN = ['clean parsing', 'clean an LRU cache of 5,000 entries fed a new key per call', 'clean an async fetch']

describe('several leak tests and clean tests in one file, default options and timeouts', () => {
  test.each(LEAKS)('%s: fails as a leak, with its figures', (name) => {
    const result = expectStatus(run, name, 'failed')
    expect(result.failureMessages[0]).toMatch(/Expected fn not to leak, but it does: (heap|listeners) /)
    expect(result.failureMessages[0]).not.toContain('timed out')
  })

  test.each(CLEAN)('%s: passes', (name) => {
    expectStatus(run, name, 'passed')
  })

  test('a leak under a 1 s timeout fails as a leak within it, and the clean test after it passes', () => {
    const result = expectStatus(run, 'a leak under a 1 s timeout', 'failed')
    expect(result.failureMessages[0]).toContain('Expected fn not to leak')
    expect(durations.get('a leak under a 1 s timeout')).toBeLessThan(1000)
    expectStatus(run, 'a clean test right after it', 'passed')
  })

  test('every test ends within its timeout', () => {
    for (const [name, duration] of durations) {
      const timeout = name === 'a leak under a 1 s timeout' ? 1000 : 5000
      expect(duration, name).toBeLessThan(timeout)
    }
    expect(durations.size).toBe(8)
  })

  test('the run fails because of the leaks, and only them', () => {
    expect(run.exitCode, run.output).toBe(1)
    expect(run.output).not.toContain('already running')
  })
})
