import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { describe, expect, test } from 'vitest'
import type { LeakDiagnosis } from '../src/diagnose/types.js'
import { type LeakOptions, measureLeak } from '../src/index.js'
import { fetchAndCache } from './fixtures/diagnose/async-cache.js'
import { createCollector } from './fixtures/diagnose/collector.js'
import { subscribe } from './fixtures/diagnose/listener.js'
import { openSession } from './fixtures/diagnose/session-cache.js'

// Few calls: the measured leak stays small, and so does the heap the diagnosis snapshots.
const SMALL: LeakOptions = { callsPerBatch: 1000, batches: 6, warmupCalls: 1000, confirm: false, turnEventLoop: false }

/** 1-based line of the `// allocation: <marker>` comment in a fixture: where the test expects the diagnosis to point. */
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
  expect(report.diagnosis).toBeDefined()
  return report.diagnosis as LeakDiagnosis
}

describe('diagnosis of a module-level Map that gains an entry per call', () => {
  const diagnosis = diagnosisOf(openSession)

  test('names the type that grows, one per call, with its size', () => {
    const session = diagnosis.types.find((type) => type.name === 'Session')
    expect(session).toBeDefined()
    expect(session?.kind).toBe('object')
    expect(session?.countPerCall).toBeGreaterThan(0.95)
    expect(session?.countPerCall).toBeLessThan(1.05)
    expect(diagnosis.types[0]?.name).toBe('Session')
    // Found as the new entries of the Map that grew: no heap snapshot, so no self size.
    expect(diagnosis.methods).toContain('growth of what fn reaches')
    expect(session?.bytesPerCall).toBeUndefined()
  })

  test('points at the line of the TypeScript source that allocates it', () => {
    const site = diagnosis.sites[0]
    expect(site?.function).toBe('openSession')
    expect(site?.position.file).toMatch(/fixtures\/diagnose\/session-cache\.ts$/)
    expect(site?.position.mapped).toBe(true)
    expect(site?.precision).toBe('statement')
    expect(site?.position.line).toBe(markedLine('session-cache.ts', 'Session'))
  })

  test('shows a retainer path through the module variable', () => {
    const path = diagnosis.retainers.find((retainer) => retainer.target === 'Session')
    expect(path?.summary).toBe('session-cache.ts › sessions (Map) › entry › Session')
    expect(path?.steps.some((step) => step.edgeKind === 'variable' && step.edge === 'sessions')).toBe(true)
  })

  test('is JSON-serialisable', () => {
    expect(JSON.parse(JSON.stringify(diagnosis))).toEqual(diagnosis)
  })
})

describe('diagnosis of class instances pushed into an array a closure keeps', () => {
  const diagnosis = diagnosisOf(createCollector())

  test('names the class', () => {
    const item = diagnosis.types.find((type) => type.name === 'Item')
    expect(item?.countPerCall).toBeGreaterThan(0.95)
    expect(item?.countPerCall).toBeLessThan(1.05)
  })

  test('points at the allocating line inside the closure', () => {
    const site = diagnosis.sites.find((candidate) => candidate.position.file.endsWith('collector.ts'))
    expect(site?.function).toBe('collect')
    expect(site?.position.line).toBe(markedLine('collector.ts', 'Item'))
  })

  test('holds it through the closure variable', () => {
    const path = diagnosis.retainers.find((retainer) => retainer.target === 'Item')
    expect(path?.summary).toMatch(/ › items \(Array\) › \[\d+\] \(Item\)$/)
  })
})

describe('diagnosis of a listener closure held by a long-lived emitter', () => {
  const diagnosis = diagnosisOf(subscribe)

  test('names the listener closure and where it was created', () => {
    const listener = diagnosis.types.find((type) => type.kind === 'closure')
    expect(listener?.countPerCall).toBeGreaterThan(0.95)
    expect(listener?.location?.file).toMatch(/fixtures\/diagnose\/listener\.ts$/)
    expect(listener?.location?.line).toBe(markedLine('listener.ts', 'listener'))
  })

  test('points the allocation site at the line that subscribes', () => {
    const site = diagnosis.sites.find((candidate) => candidate.function === 'subscribe')
    expect(site?.position.line).toBe(markedLine('listener.ts', 'listener'))
  })

  test('holds it through the emitter variable and the event name', () => {
    const path = diagnosis.retainers.find((retainer) => retainer.target.endsWith('()'))
    expect(path?.summary).toMatch(/^listener\.ts › bus \(EventEmitter\) › \._events .*› \.tick /)
  })
})

describe('diagnosis of an async function', () => {
  test('runs asynchronously and finds the type and line', async () => {
    const pending = measureLeak(fetchAndCache, SMALL)
    expect(pending).toBeInstanceOf(Promise)
    const report = await pending
    expect(report.leaked).toBe(true)
    const diagnosis = report.diagnosis as LeakDiagnosis
    expect(diagnosis.types.map((type) => type.name)).toContain('CachedResult')
    const site = diagnosis.sites.find((candidate) => candidate.position.file.endsWith('async-cache.ts'))
    expect(site?.position.line).toBe(markedLine('async-cache.ts', 'CachedResult'))
    expect(diagnosis.retainers.find((path) => path.target === 'CachedResult')?.summary).toBe(
      'async-cache.ts › results (Map) › entry › CachedResult',
    )
  })
})
