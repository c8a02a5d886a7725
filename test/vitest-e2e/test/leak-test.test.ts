import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { LeakSummaryJson } from '@leakproof/core'
import { beforeAll, expect, test } from 'vitest'
import { expectStatus, type FixtureRun, normalizeMessage, runFixture } from './run-fixture.ts'

let run: FixtureRun

beforeAll(async () => {
  run = await runFixture('leak-test')
})

test('leakTest passes clean sync and async fns, without the setup file', () => {
  expectStatus(run, 'leakTest clean sync fn passes', 'passed')
  expectStatus(run, 'leakTest clean async fn passes', 'passed')
})

test('leakTest fails a leaking fn with the toLeak message', () => {
  const result = expectStatus(run, 'leakTest leaking fn fails', 'failed')
  expect(normalizeMessage(result.failureMessages[0] ?? '')).toMatchSnapshot()
  expect(run.exitCode).toBe(1)
})

test('leakTest passes options to the measurement and supports .skip', () => {
  expectStatus(run, 'leakTest options reach the measurement', 'passed')
  expectStatus(run, 'leakTest skipped leakTest does not run', 'skipped')
  const summary = JSON.parse(readFileSync(join(run.resultsDir, 'leaks.json'), 'utf8')) as LeakSummaryJson
  const withOptions = summary.entries.find((entry) => entry.test === 'leakTest > options reach the measurement')
  // batches: 6 → a baseline sample plus six.
  expect(withOptions?.report.passes[0]?.samples).toHaveLength(7)
  expect(summary.entries).toHaveLength(4)
})

test('no deprecation warning from Vitest', () => {
  expect(run.output).not.toContain('deprecated')
})
