import { beforeAll, describe, expect, test } from 'vitest'
import { expectStatus, type FixtureRun, outcome, runFixture } from './run-fixture.ts'

/**
 * Every failure message of a test, joined. Vitest 4.1 and 5 report a custom matcher's unawaited promise with
 * leakproof's message only (Vitest 5 checks only its own async assertions, `.resolves`, `.rejects` and `expect.poll`),
 * but a later Vitest may add its own message next to it: check what leakproof says, wherever it lands.
 */
const messagesOf = (test: { failureMessages: string[] }) => test.failureMessages.join('\n')

let run: FixtureRun

beforeAll(async () => {
  run = await runFixture('guards')
})

describe('forgotten await', () => {
  test('an unawaited async toLeak fails its own test and says to await it', () => {
    for (const name of ['forgotten await on a clean async fn', 'forgotten await on a leaking async fn']) {
      const messages = messagesOf(expectStatus(run, name, 'failed'))
      expect(messages).toContain('leakproof: the promise returned by expect(fn).not.toLeak() was not awaited')
      expect(messages).toContain('Write `await expect(fn).not.toLeak()`')
    }
  })

  test('the verdict is reported with it', () => {
    expect(messagesOf(outcome(run, 'forgotten await on a clean async fn'))).toContain('It would have passed: heap')
    expect(messagesOf(outcome(run, 'forgotten await on a leaking async fn'))).toContain(
      'Expected fn not to leak, but it does',
    )
  })

  test('a sync fn whose timers make the measurement async is caught too, with the reason', () => {
    const result = expectStatus(run, 'forgotten await on a sync fn that schedules timers', 'failed')
    expect(messagesOf(result)).toContain('fn is sync, but its calls scheduled timers or immediates')
  })

  test('the next test is not blamed, and an awaited assertion passes', () => {
    expectStatus(run, 'the test after a forgotten await is not blamed', 'passed')
    expectStatus(run, 'awaited async fn passes', 'passed')
    expect(run.output).not.toContain('Unhandled Rejection')
  })
})

test('a call slower than the test allows fails with the deadline, before the test times out', () => {
  const messages = messagesOf(expectStatus(run, 'a call slower than the test allows fails with the deadline', 'failed'))
  expect(messages).toMatch(/call 1 of fn had not settled after \d+ ms when the measurement's deadline \(\d+ ms\)/)
  expect(messages).not.toContain('Test timed out')
  expect(messages).not.toContain('was not awaited')
  expectStatus(run, 'the test after it measures normally', 'passed')
})

describe('concurrent tests', () => {
  test('an async fn in describe.concurrent fails with the reason', () => {
    const result = expectStatus(run, 'concurrent group async fn in a concurrent test fails with the reason', 'failed')
    expect(messagesOf(result)).toContain('cannot judge an async measurement inside a concurrent test')
    expect(messagesOf(result)).toContain('the other tests of the concurrent group run in the same worker')
  })

  test('a fn that returns a promise in test.concurrent fails after measuring', () => {
    const result = expectStatus(
      run,
      'async fn behind a sync wrapper in test.concurrent fails after measuring',
      'failed',
    )
    expect(messagesOf(result)).toContain('cannot judge an async measurement inside a concurrent test')
  })

  test('a sync fn in a concurrent test is measured (sync measurement blocks its neighbours)', () => {
    expectStatus(run, 'concurrent group sync fn in a concurrent test is measured', 'passed')
  })
})

test('the run exits 1', () => {
  expect(run.exitCode, run.output).toBe(1)
})
