import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, test } from 'vitest'
import { heapSnapshotCount } from '../src/diagnose/snapshot.js'
import type { LeakDiagnosis } from '../src/diagnose/types.js'
import { assertNoLeak, formatLeakReport, LeakError, measureLeak, resolveOptions } from '../src/index.js'
import { sumSquares } from './fixtures/diagnose/clean.js'
import { openSession } from './fixtures/diagnose/session-cache.js'

const SMALL = { callsPerBatch: 1000, batches: 6, warmupCalls: 1000, confirm: false, turnEventLoop: false } as const
const directory = mkdtempSync(join(tmpdir(), 'leakproof-diagnose-'))
afterAll(() => rmSync(directory, { recursive: true, force: true }))

describe('the passing path', () => {
  test('takes no heap snapshot and writes no file', () => {
    const path = join(directory, 'clean.heapsnapshot')
    const before = heapSnapshotCount()
    // Default batches and confirmation: a clean verdict must not hinge on one short pass.
    const report = measureLeak(sumSquares, { turnEventLoop: false, diagnose: { heapSnapshotPath: path } })
    expect(report.leaked).toBe(false)
    expect(report.diagnosis).toBeUndefined()
    expect(heapSnapshotCount()).toBe(before)
    expect(existsSync(path)).toBe(false)
  })
})

describe('options', () => {
  test('diagnose: false leaves a leak undiagnosed', () => {
    const before = heapSnapshotCount()
    const report = measureLeak(openSession, { ...SMALL, diagnose: false })
    expect(report.leaked).toBe(true)
    expect(report.diagnosis).toBeUndefined()
    expect(heapSnapshotCount()).toBe(before)
  })

  test("depth 'sites' finds allocation sites without a heap snapshot", () => {
    const before = heapSnapshotCount()
    const report = measureLeak(openSession, { ...SMALL, diagnose: { depth: 'sites' } })
    const diagnosis = report.diagnosis as LeakDiagnosis
    expect(heapSnapshotCount()).toBe(before)
    expect(diagnosis.types).toEqual([])
    expect(diagnosis.retainers).toEqual([])
    expect(diagnosis.sites[0]?.function).toBe('openSession')
  })

  test("depth 'types' finds types but no retainer paths", () => {
    const report = measureLeak(openSession, { ...SMALL, diagnose: { depth: 'types', calls: 500 } })
    const diagnosis = report.diagnosis as LeakDiagnosis
    expect(diagnosis.calls).toBe(500)
    expect(diagnosis.types[0]?.name).toBe('Session')
    expect(diagnosis.retainers).toEqual([])
  })

  test('heapSnapshotPath receives the snapshot taken after the diagnosis calls', () => {
    const path = join(directory, 'leak.heapsnapshot')
    // A snapshot that would not fit before the deadline is skipped (with a note): give it time on a busy machine.
    const report = measureLeak(openSession, { ...SMALL, deadlineMs: 30_000, diagnose: { heapSnapshotPath: path } })
    expect(report.diagnosis?.heapSnapshotPath).toBe(path)
    const snapshot = JSON.parse(readFileSync(path, 'utf8')) as { snapshot: { node_count: number } }
    expect(snapshot.snapshot.node_count).toBeGreaterThan(1000)
  })

  test('an unwritable heapSnapshotPath degrades to a note', () => {
    const path = join(directory, 'missing-folder', 'leak.heapsnapshot')
    // Time enough for the snapshot on a busy machine: this is about the file, not the deadline.
    const report = measureLeak(openSession, { ...SMALL, deadlineMs: 30_000, diagnose: { heapSnapshotPath: path } })
    const diagnosis = report.diagnosis as LeakDiagnosis
    expect(diagnosis.heapSnapshotPath).toBeUndefined()
    expect(diagnosis.notes.join('\n')).toContain('heap snapshot not written')
    expect(diagnosis.types[0]?.name).toBe('Session')
  })

  test.each([
    [{ diagnose: 'yes' }, /option diagnose must be true, false or an object/],
    [
      { diagnose: { depth: 'deep' } },
      /option diagnose.depth must be 'sites', 'types' or 'retainers', got the string "deep"/,
    ],
    [{ diagnose: { heapSnapshotPath: '' } }, /option diagnose.heapSnapshotPath must be a non-empty file path/],
    [{ diagnose: { calls: 0 } }, /option diagnose.calls must be an integer from 1 to 1,000,000, got 0/],
    [
      { diagnose: { depht: 'sites' } },
      /unknown option diagnose.depht. Valid options are: depth, heapSnapshotPath, calls/,
    ],
  ])('rejects %j', (options, message) => {
    expect(() => resolveOptions(options)).toThrow(message)
  })

  test('defaults to full depth', () => {
    expect(resolveOptions(undefined).diagnose).toEqual({
      depth: 'retainers',
      heapSnapshotPath: undefined,
      calls: undefined,
    })
    expect(resolveOptions({ diagnose: true }).diagnose).toMatchObject({ depth: 'retainers' })
  })
})

describe('errors in fn during the diagnosis', () => {
  test('keep the leak verdict and say what happened', () => {
    let calls = 0
    let failAfter = Number.POSITIVE_INFINITY
    const flaky = () => {
      calls++
      if (calls > failAfter) throw new Error('backend went away')
      return openSession()
    }
    measureLeak(flaky, { ...SMALL, diagnose: false })
    // The same options make the same number of calls: let the 201st call after the measurement fail.
    failAfter = calls * 2 + 200
    const report = measureLeak(flaky, { ...SMALL, diagnose: {} })
    expect(report.leaked).toBe(true)
    const diagnosis = report.diagnosis as LeakDiagnosis
    expect(diagnosis.calls).toBe(200)
    expect(diagnosis.notes.join('\n')).toContain('fn failed on diagnosis call 201 (Error: backend went away)')
    expect(diagnosis.types.map((type) => type.name)).toContain('Session')
  })

  test('on the first diagnosis call leave a diagnosis that says so', () => {
    let calls = 0
    let failAfter = Number.POSITIVE_INFINITY
    const flaky = () => {
      if (++calls > failAfter) throw new Error('boom')
      return openSession()
    }
    measureLeak(flaky, { ...SMALL, diagnose: false })
    failAfter = calls * 2
    const report = measureLeak(flaky, SMALL)
    expect(report.leaked).toBe(true)
    expect(report.diagnosis?.calls).toBe(0)
    expect(report.diagnosis?.notes.join('\n')).toContain('nothing to diagnose')
  })
})

describe('the failure message', () => {
  test('shows the top entries of each part and points to report.diagnosis', () => {
    let error: unknown
    try {
      assertNoLeak(openSession, SMALL)
    } catch (caught) {
      error = caught
    }
    expect(error).toBeInstanceOf(LeakError)
    const message = (error as LeakError).message
    expect(message).toContain('report.diagnosis')
    const line = readFileSync(new URL('./fixtures/diagnose/session-cache.ts', import.meta.url), 'utf8')
      .split('\n')
      .findIndex((text) => text.includes('// allocation: Session'))
    // After one line on how it was found, the diagnosis gives the three answers, one line each: what, where, held by.
    const lines = message.split('\n')
    const first = lines.findIndex((text) => text.startsWith('    what:'))
    expect(lines[first - 1]).toMatch(/^ {2}diagnosis: /)
    const answers = lines.slice(first, first + 3)
    expect(answers.map((text) => text.split(':')[0]?.trim())).toEqual(['what', 'where', 'held by'])
    expect(answers[0]).toMatch(/^ {4}what: +Session 1\.00\/call/)
    expect(answers[1]).toMatch(
      new RegExp(`^ {4}where: +openSession test/fixtures/diagnose/session-cache\\.ts:${line + 1}\\b`),
    )
    expect(answers[2]).toMatch(/^ {4}held by: session-cache\.ts › sessions \(Map\) › entry › Session$/)
    const text = formatLeakReport((error as LeakError).report)
    expect(text.split('\n').length).toBeLessThan(40)
  })
})
