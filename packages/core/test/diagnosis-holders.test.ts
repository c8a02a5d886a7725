import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import type { LeakDiagnosis } from '../src/diagnose/types.js'
import { formatLeakReport, type LeakOptions, measureLeak } from '../src/index.js'
import {
  appendImmutably,
  bag,
  fillGlobal,
  Registry,
  remember,
  rememberBesideProxy,
  service,
  track,
  trapCalls,
} from './fixtures/diagnose/holders.js'
import { clearJobs, enqueueJob } from './fixtures/diagnose/queue.js'
import { handleRequest } from './fixtures/diagnose/request.js'

// Few calls: the measured leak stays small. Real V8 and real inspector all the way: nothing is mocked.
const SMALL: LeakOptions = { callsPerBatch: 1000, batches: 6, warmupCalls: 1000, confirm: false, turnEventLoop: false }

function markedLine(fixture: string, marker: string): number {
  const path = fileURLToPath(new URL(`./fixtures/diagnose/${fixture}`, import.meta.url))
  const index = readFileSync(path, 'utf8')
    .split('\n')
    .findIndex((line) => line.includes(`// allocation: ${marker}`))
  if (index < 0) throw new Error(`no marker ${marker} in ${fixture}`)
  return index + 1
}

function diagnosisOf(fn: () => unknown, options: LeakOptions = SMALL): LeakDiagnosis {
  const report = measureLeak(fn, { ...options, turnEventLoop: false })
  expect(report.leaked).toBe(true)
  return report.diagnosis as LeakDiagnosis
}

describe('the holder of a leak, found by what grew among the things fn reaches (no heap snapshot)', () => {
  test.each([
    [
      'a module variable reassigned to a longer array',
      appendImmutably,
      'history',
      /^holders\.ts › history \(Array\) › \[\d+\] \(Entry\)$/,
    ],
    ['an object that gains a key per call', remember, 'byKey', /^holders\.ts › byKey \(Object\) › \.key\d+ \(Entry\)$/],
    ['a Set', track, 'seen', /^holders\.ts › seen \(Set\) › entry › Entry$/],
    [
      'a static Map of a class',
      () => Registry.add(),
      'Registry',
      /^holders\.ts › Registry \(Registry\(\)\) › \.all \(Map\) › entry › Entry$/,
    ],
    [
      'a module variable reached through an instance’s class',
      () => service.handle(),
      'served',
      /^holders\.ts › served \(Array\) › \[\d+\] \(Entry\)$/,
    ],
  ])('%s', (_name, fn, marker, summary) => {
    const diagnosis = diagnosisOf(fn)
    expect(diagnosis.methods).toContain('growth of what fn reaches')
    const entry = diagnosis.types.find((type) => type.name === 'Entry')
    expect(entry?.countPerCall).toBeGreaterThan(0.95)
    expect(entry?.countPerCall).toBeLessThan(1.05)
    expect(diagnosis.retainers[0]?.summary).toMatch(summary)
    const site = diagnosis.sites.find((candidate) => candidate.position.file.endsWith('holders.ts'))
    expect(site?.position.line).toBe(markedLine('holders.ts', marker))
  })

  test('a linked-list queue, on default options: the chain folded to one hop, the output a few KB', () => {
    const report = measureLeak(enqueueJob)
    clearJobs()
    if (report instanceof Promise) throw new Error('expected a synchronous measurement')
    expect(report.leaked).toBe(true)
    const diagnosis = report.diagnosis as LeakDiagnosis
    // Tens of thousands of `.next` hops, one step: `.next (Node) × 57,012`.
    expect(diagnosis.retainers[0]?.summary).toMatch(
      /^queue\.ts › pending \(Object\) › \.head \(Node\) › \.next \(Node\) × [\d,]{4,} › Node$/,
    )
    const next = diagnosis.retainers[0]?.steps.find((step) => step.edge === 'next')
    expect(next?.repeat).toBeGreaterThan(1000)
    expect(diagnosis.types.find((type) => type.name === 'Node')?.countPerCall).toBeCloseTo(1, 1)
    expect(formatLeakReport(report).length).toBeLessThan(4096)
    expect(JSON.stringify(report).length).toBeLessThan(16_384)
  })

  test('a property of the global object', () => {
    try {
      const diagnosis = diagnosisOf(fillGlobal)
      expect(diagnosis.types[0]?.name).toBe('Entry')
      expect(diagnosis.retainers[0]?.summary).toMatch(
        /^globalThis\.leakproofFixtureCache \(Array\) › \[\d+\] \(Entry\)$/,
      )
    } finally {
      delete (globalThis as { leakproofFixtureCache?: unknown }).leakproofFixtureCache
    }
  })

  test('never runs a proxy’s traps (user code) on the way', () => {
    const diagnosis = diagnosisOf(rememberBesideProxy)
    expect(trapCalls.count).toBe(0)
    expect(diagnosis.retainers[0]?.summary).toMatch(/^holders\.ts › besideProxy \(Map\) › entry › Object$/)
    expect(diagnosis.types.map((type) => type.name)).toEqual(expect.arrayContaining(['Object', 'Entry']))
  })

  test('a private field, which the walk cannot read, is left to the heap snapshot', () => {
    const diagnosis = diagnosisOf(() => bag.add(), { ...SMALL, deadlineMs: 30_000 })
    expect(diagnosis.methods).toContain('heap snapshot diff')
    expect(diagnosis.types.map((type) => type.name)).toContain('Entry')
    expect(diagnosis.notes.join('\n')).not.toContain('skipped')
  })
})

describe('a function V8 inlined into its caller during the measurement', () => {
  // Enough calls for V8 to optimise handleRequest with subscribe inlined. The diagnosis deoptimises fn itself and,
  // through the debugger, every other function: handleRequest is one fn calls, the test's arrow is fn.
  const diagnosis = diagnosisOf(
    () => {
      handleRequest()
    },
    { ...SMALL, callsPerBatch: 20_000 },
  )

  test('is still the allocation site, at the line that calls into the dependency that keeps the leak', () => {
    const site = diagnosis.sites[0]
    expect(site?.function).toBe('subscribe')
    expect(site?.position.line).toBe(markedLine('request-bus.ts', 'request listener'))
    expect(site?.calls?.package).toBe('node:events')
    expect(site?.stack[0]).toMatch(/^handleRequest \(test\/fixtures\/diagnose\/request\.ts:\d+\)$/)
    expect(diagnosis.notes.join('\n')).not.toContain('not deoptimised')
  })

  test('is held by the emitter’s listener array', () => {
    expect(diagnosis.retainers[0]?.summary).toMatch(
      /^request-bus\.ts › requests \(EventEmitter\) › \._events \(Object\) › \.done \(Array\) › \[\d+\] \(\(anonymous\)\(\)\)$/,
    )
    expect(diagnosis.retainers[0]?.steps.find((step) => step.edge === 'requests')?.package).toBe('node:events')
  })
})
