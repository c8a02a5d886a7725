import { beforeAll, describe, expect, test } from 'vitest'
import { expectStatus, type FixtureRun, runFixture } from './run-fixture.ts'

let run: FixtureRun

beforeAll(async () => {
  run = await runFixture('metrics')
})

const headline = (name: string) => expectStatus(run, name, 'failed').failureMessages[0]?.split('\n')[2] ?? ''

describe('leaks beyond the JS heap fail on their own metric, in a real Vitest run', () => {
  test('the run fails', () => {
    expect(run.exitCode).toBe(1)
  })

  test('a kept Buffer fails on external memory, about 1 KiB per call', () => {
    expect(headline('external a Buffer kept per call fails')).toMatch(/external 1,0\d\d B\/call > budget 0\.25 B\/call/)
  })

  test('an uncleared interval fails on handles, naming Timeout', () => {
    expect(headline('handles an interval never cleared fails')).toMatch(
      /handles 1\.00 handles\/call > budget 0\.01 handles\/call \(Timeout 1\.00\/call\)/,
    )
  })

  test("a process 'exit' listener per call fails on listeners, naming the event", () => {
    expect(headline("listeners process.on('exit') per call fails")).toMatch(
      /listeners 1\.00 listeners\/call > budget 0\.01 listeners\/call \(process 'exit' 1\.00\/call\)/,
    )
  })

  test('the fixed twins pass', () => {
    expectStatus(run, 'external a bounded Buffer pool passes', 'passed')
    expectStatus(run, 'handles an interval cleared passes', 'passed')
    expectStatus(run, "listeners process.on('exit') removed passes", 'passed')
  })
})
