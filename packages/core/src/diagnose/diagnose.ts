import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { getFullGc } from '../gc.js'
import type { LeakReport } from '../report.js'
import { type GrowthEntry, growingTypes } from './growth.js'
import { SyncInspector } from './inspector.js'
import { RetainerTree, retainerPath } from './retainers.js'
import { allocationSites, type SamplingProfile } from './sites.js'
import { type HeapGraph, markHeapObjects, parseHeapSnapshot, takeHeapSnapshot } from './snapshot.js'
import { SourceMapper } from './source-map.js'
import type { DiagnoseSettings, GrowingType, LeakDiagnosis, RetainerPath } from './types.js'

/** Enough leaked bytes for the sampling profiler (one sample per KiB on average) and clear type counts. */
const TARGET_LEAKED_BYTES = 256 * 1024
/** Diagnosis calls should take about this long at most. */
const CALLS_TIME_MS = 250
const MIN_CALLS = 30
const MIN_RUNAWAY_CALLS = 3
const MAX_CALLS = 20_000
const SAMPLING_INTERVAL_BYTES = 1024
const RETAINER_PATHS = 3

interface CallOutcome {
  callsDone: number
  error?: string
}

/** `settle`: let garbage go (GC; for async fns also the event loop). `gc: false` when a heap snapshot follows,
 * which collects garbage itself. */
type Step = { type: 'calls'; count: number } | { type: 'settle'; gc: boolean }

type StepInput = CallOutcome | undefined

/**
 * How many calls to make: enough leaked bytes to see, within a short time, and never more than an eighth of the
 * runaway limit of new memory (a leak of megabytes per call needs only a few calls to show).
 */
export function diagnosisCalls(report: LeakReport, settings: DiagnoseSettings, runawayBytes: number): number {
  if (settings.calls !== undefined) return settings.calls
  const bytesPerCall = Math.max(report.metrics.heap.perCall + report.metrics.external.perCall, 1)
  const msPerCall = report.durationMs / Math.max(1, report.calls + report.warmupCalls)
  const byBytes = Math.ceil(TARGET_LEAKED_BYTES / bytesPerCall)
  const byTime = Math.floor(CALLS_TIME_MS / Math.max(msPerCall, 1e-6))
  const byRunaway = Math.max(MIN_RUNAWAY_CALLS, Math.floor(runawayBytes / 8 / bytesPerCall))
  return Math.min(byRunaway, Math.max(MIN_CALLS, Math.min(byBytes, byTime, MAX_CALLS)))
}

/**
 * The diagnosis as a generator of steps, so that one body serves sync functions (steps run synchronously) and async
 * ones (steps awaited). Give every live object a heap-snapshot id (no snapshot needed), make the calls under the
 * sampling heap profiler, take one heap snapshot: objects with a newer id are what the calls left alive.
 */
function* diagnosisSteps(settings: DiagnoseSettings, calls: number): Generator<Step, LeakDiagnosis, StepInput> {
  const startedAt = performance.now()
  const notes: string[] = []
  const diagnosis: LeakDiagnosis = {
    depth: settings.depth,
    calls: 0,
    durationMs: 0,
    types: [],
    sites: [],
    retainers: [],
    notes,
  }
  const finish = () => {
    diagnosis.durationMs = performance.now() - startedAt
    return diagnosis
  }
  let inspector: SyncInspector
  try {
    inspector = new SyncInspector()
  } catch (error) {
    notes.push(`no diagnosis: the inspector could not be opened in this process (${describeError(error)}).`)
    return finish()
  }
  try {
    let wantTypes = settings.depth !== 'sites'
    let boundaryId = 0
    if (wantTypes) {
      // No settle first: marking starts with a precise full GC of its own.
      try {
        inspector.post('HeapProfiler.enable')
        boundaryId = markHeapObjects(inspector)
      } catch (error) {
        wantTypes = false
        notes.push(`growing types and retainers skipped: heap object ids unavailable (${describeError(error)}).`)
      }
    }
    let sampling = false
    try {
      inspector.post('HeapProfiler.startSampling', { samplingInterval: SAMPLING_INTERVAL_BYTES })
      sampling = true
    } catch (error) {
      notes.push(`allocation sites skipped: the sampling heap profiler did not start (${describeError(error)}).`)
    }
    const outcome = (yield { type: 'calls', count: calls }) as CallOutcome
    diagnosis.calls = outcome.callsDone
    if (outcome.error) {
      notes.push(
        `fn failed on diagnosis call ${outcome.callsDone + 1} (${outcome.error}); ` +
          `the diagnosis uses the ${outcome.callsDone} calls before it.`,
      )
    }
    yield { type: 'settle', gc: !wantTypes }

    // Snapshot before reading the profile, so the profile's own objects are not in the snapshot.
    let graph: HeapGraph | undefined
    let growth: GrowthEntry[] = []
    if (wantTypes && outcome.callsDone > 0) {
      try {
        const path = settings.heapSnapshotPath ?? temporarySnapshotPath()
        let bytes: Buffer
        try {
          bytes = takeHeapSnapshot(path)
          if (settings.heapSnapshotPath) diagnosis.heapSnapshotPath = path
        } catch (error) {
          if (!settings.heapSnapshotPath) throw error
          notes.push(`heap snapshot not written to ${settings.heapSnapshotPath}: ${describeError(error)}.`)
          const fallback = temporarySnapshotPath()
          bytes = takeHeapSnapshot(fallback)
          rmSync(fallback, { force: true })
        } finally {
          if (!settings.heapSnapshotPath) rmSync(path, { force: true })
        }
        graph = parseHeapSnapshot(bytes)
        growth = growingTypes(graph, boundaryId, outcome.callsDone)
      } catch (error) {
        notes.push(`growing types and retainers skipped: the heap snapshot failed (${describeError(error)}).`)
      }
    }
    let profile: SamplingProfile | undefined
    if (sampling) {
      try {
        profile = inspector.post<{ profile: SamplingProfile }>('HeapProfiler.getSamplingProfile').profile
      } catch (error) {
        notes.push(`allocation sites skipped: no sampling profile (${describeError(error)}).`)
      }
      try {
        inspector.post('HeapProfiler.stopSampling')
      } catch {
        // Already stopped: nothing to release.
      }
    }
    if (outcome.callsDone === 0) {
      notes.push('nothing to diagnose: fn failed on the first diagnosis call.')
      return finish()
    }

    let mapper: SourceMapper
    try {
      mapper = SourceMapper.fromInspector(inspector)
    } catch (error) {
      mapper = new SourceMapper(new Map())
      notes.push(`positions are in the code V8 ran, not mapped to the original source (${describeError(error)}).`)
    }
    const closureFile = (ordinal: number): string | undefined => {
      const location = graph?.locations.get(ordinal)
      if (!location) return undefined
      return mapper.map(String(location[0]), '', location[1], location[2]).file
    }
    diagnosis.types = growth.map((entry) => toGrowingType(entry, graph, mapper))
    if (profile) diagnosis.sites = allocationSites(profile, outcome.callsDone, mapper, diagnosis.types)
    if (graph && settings.depth === 'retainers' && growth.length > 0) {
      diagnosis.retainers = retainerPaths(graph, growth, closureFile)
    }
    if (wantTypes && growth.length === 0 && !notes.some((note) => note.includes('heap snapshot'))) {
      notes.push(
        `no type gained objects in ${outcome.callsDone} diagnosis calls: the growth may be external memory ` +
          'or too slow to show in this many calls (raise diagnose.calls).',
      )
    }
    return finish()
  } finally {
    try {
      inspector.post('HeapProfiler.disable')
    } catch {
      // The session is closed next anyway.
    }
    inspector.disconnect()
  }
}

let snapshotFiles = 0

function temporarySnapshotPath(): string {
  return join(tmpdir(), `leakproof-${process.pid}-${process.hrtime.bigint()}-${snapshotFiles++}.heapsnapshot`)
}

function toGrowingType(entry: GrowthEntry, graph: HeapGraph | undefined, mapper: SourceMapper): GrowingType {
  const { sampleNode, ...type } = entry
  const location = entry.kind === 'closure' ? graph?.locations.get(sampleNode) : undefined
  if (location) type.location = mapper.map(String(location[0]), '', location[1], location[2])
  return type
}

/** Paths for the leading types that users write (objects, closures), then others if there are few. */
function retainerPaths(
  graph: HeapGraph,
  growth: readonly GrowthEntry[],
  closureFile: (ordinal: number) => string | undefined,
): RetainerPath[] {
  const tree = new RetainerTree(graph, ['(Stack roots)', '(Handle scope)'])
  let fullTree: RetainerTree | undefined
  const userTypes = growth.filter(
    (entry) => (entry.kind === 'object' || entry.kind === 'closure') && !entry.name.startsWith('system / '),
  )
  const chosen = [...userTypes, ...growth.filter((entry) => !userTypes.includes(entry))].slice(0, RETAINER_PATHS)
  const paths: RetainerPath[] = []
  for (const entry of chosen) {
    let path = retainerPath(tree, graph, entry.sampleNode, entry.name, closureFile)
    if (!path) {
      fullTree ??= new RetainerTree(graph)
      path = retainerPath(fullTree, graph, entry.sampleNode, entry.name, closureFile)
    }
    if (path) paths.push(path)
  }
  return paths
}

function describeError(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error)
}

// ---------------------------------------------------------------------------------------------------------------
// Drivers

/** Calls fn; named so the allocation-site search can cut leakproof's own frames off the stack. */
function leakproofDiagnosisCall(fn: () => unknown): unknown {
  return fn()
}

function callsSync(fn: () => unknown, count: number): CallOutcome {
  for (let done = 0; done < count; done++) {
    try {
      leakproofDiagnosisCall(fn)
    } catch (error) {
      return { callsDone: done, error: describeError(error) }
    }
  }
  return { callsDone: count }
}

async function callsAsync(fn: () => unknown, count: number, timeoutMs: number): Promise<CallOutcome> {
  for (let done = 0; done < count; done++) {
    let timer: NodeJS.Timeout | undefined
    try {
      await Promise.race([
        Promise.resolve(leakproofDiagnosisCall(fn)),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`did not settle within ${timeoutMs} ms`)), timeoutMs)
        }),
      ])
    } catch (error) {
      return { callsDone: done, error: describeError(error) }
    } finally {
      clearTimeout(timer)
    }
  }
  return { callsDone: count }
}

const nextMacrotask = () => new Promise<void>((resolve) => setImmediate(resolve))

async function settleAsync(gc: () => void): Promise<void> {
  gc()
  await nextMacrotask()
  gc()
  await new Promise<void>((resolve) => setTimeout(resolve, 0))
  gc()
}

export interface DiagnoseInput {
  fn: () => unknown
  report: LeakReport
  settings: DiagnoseSettings
  callTimeoutMs: number
  runawayBytes: number
}

/** Diagnoses a sync fn synchronously. Never throws: failures become notes. */
export function diagnoseSync({ fn, report, settings, runawayBytes }: DiagnoseInput): LeakDiagnosis {
  const gc = getFullGc()
  const calls = diagnosisCalls(report, settings, runawayBytes)
  return guarded(settings, () => {
    const steps = diagnosisSteps(settings, calls)
    let input: StepInput
    try {
      for (;;) {
        const step = steps.next(input)
        if (step.done) return step.value
        if (step.value.type === 'calls') {
          input = callsSync(fn, step.value.count)
        } else {
          if (step.value.gc) {
            gc()
            gc()
          }
          input = undefined
        }
      }
    } finally {
      // Runs the generator's cleanup (profiler off, session closed) if a step threw.
      steps.return(failed(settings, 'stopped'))
    }
  })
}

/** Diagnoses an async fn (or one whose memory is released by the event loop): calls are awaited. */
export async function diagnoseAsync({
  fn,
  report,
  settings,
  callTimeoutMs,
  runawayBytes,
}: DiagnoseInput): Promise<LeakDiagnosis> {
  const gc = getFullGc()
  const calls = diagnosisCalls(report, settings, runawayBytes)
  const steps = diagnosisSteps(settings, calls)
  let input: StepInput
  try {
    for (;;) {
      const step = steps.next(input)
      if (step.done) return step.value
      if (step.value.type === 'calls') {
        input = await callsAsync(fn, step.value.count, callTimeoutMs)
      } else {
        await settleAsync(gc)
        input = undefined
      }
    }
  } catch (error) {
    return failed(settings, error)
  } finally {
    // Runs the generator's cleanup (profiler off, session closed) if a step threw.
    steps.return(failed(settings, 'stopped'))
  }
}

function guarded(settings: DiagnoseSettings, body: () => LeakDiagnosis): LeakDiagnosis {
  try {
    return body()
  } catch (error) {
    return failed(settings, error)
  }
}

function failed(settings: DiagnoseSettings, error: unknown): LeakDiagnosis {
  return {
    depth: settings.depth,
    calls: 0,
    durationMs: 0,
    types: [],
    sites: [],
    retainers: [],
    notes: [`diagnosis failed: ${describeError(error)}.`],
  }
}
