import { describe, expect, test } from 'vitest'
import { e2ePools, expectStatus, outcome, runFixture } from './run-fixture.ts'

describe.each(e2ePools())('pool %s, no flags', (pool) => {
  test('finds the leak, passes clean fns, leaves no global gc', async () => {
    const run = await runFixture('pools', { env: { LEAKPROOF_POOL: pool } })
    expect(run.output).toContain(`pool: ${pool}`)
    expectStatus(run, 'runs in the configured pool', 'passed')
    expectStatus(run, 'runs without --expose-gc', 'passed')
    expectStatus(run, 'leaking fn fails', 'failed')
    expect(outcome(run, 'leaking fn fails').failureMessages[0]).toContain('Expected fn not to leak, but it does')
    expectStatus(run, 'clean fn passes', 'passed')
    expectStatus(run, 'clean async fn passes', 'passed')
    expectStatus(run, 'no global gc is left behind', 'passed')
    expect(run.exitCode).toBe(1)
  })
})
