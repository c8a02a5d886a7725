import { describe, expect, it } from 'vitest'
import { asyncCleanCases, cleanCases } from '../bench/cases.mjs'
import { measureLeak } from '../src/index.js'
import { expectSync, explain } from './sync.js'

// Each case runs several times: an accuracy test that passes only sometimes means the engine is wrong.
const RUNS = 3

describe('clean code is never flagged', () => {
  for (const testCase of cleanCases) {
    it(`sync: ${testCase.name}`, () => {
      for (let run = 0; run < RUNS; run++) {
        const report = expectSync(measureLeak(testCase.make()))
        expect(report.leaked, explain(report, run)).toBe(false)
        expect(report.metrics.heap.perCall).toBeLessThanOrEqual(report.metrics.heap.budget)
      }
    })
  }

  for (const testCase of asyncCleanCases) {
    it(`async: ${testCase.name}`, async () => {
      for (let run = 0; run < RUNS; run++) {
        const pending = measureLeak(testCase.make())
        expect(pending).toBeInstanceOf(Promise)
        const report = await pending
        expect(report.mode).toBe('async')
        expect(report.leaked, explain(report, run)).toBe(false)
      }
    })
  }
})
