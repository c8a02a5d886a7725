import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import v8 from 'node:v8'
import { CallDriver, type CallsResult } from '../engine/calls.js'
import { now } from '../engine/clock.js'
import { drive, type StepRunner } from '../engine/drive.js'
import type { RetainedCap } from '../engine/retained.js'
import type { Steps } from '../engine/steps.js'
import { isOwnFile } from '../own-files.js'
import type { LeakDetails, LeakReport } from '../report.js'
import { describeError, isThenable } from '../util.js'
import { deoptimizeAll, runUnoptimized } from './deopt.js'
import { type GrowthEntry, growingTypes } from './growth.js'
import { type HeldType, type HolderFindings, HolderProbe } from './holders.js'
import { SyncInspector } from './inspector.js'
import { RetainerTree, retainerPath } from './retainers.js'
import { allocationSites, callIntoHolder, type SamplingProfile } from './sites.js'
import { type HeapGraph, markHeapObjects, parseHeapSnapshot, takeHeapSnapshot } from './snapshot.js'
import { listScripts, recordScripts, type ScriptTable, SourceMapper } from './source-map.js'
import type { DiagnoseSettings, GrowingType, LeakDiagnosis, RetainerPath } from './types.js'

/** Enough leaked bytes for the sampling profiler (one sample per KiB on average) and clear type counts. */
const TARGET_LEAKED_BYTES = 256 * 1024
/** Diagnosis calls take at most this long, and at most DIAGNOSIS_CALLS_SHARE of the time left. */
const CALLS_TIME_MS = 250
const DIAGNOSIS_CALLS_SHARE = 0.2
const MIN_CALLS = 30
const MAX_CALLS = 20_000
const SAMPLING_INTERVAL_BYTES = 1024
const RETAINER_PATHS = 3
/**
 * A diagnosis is started only with this much of the deadline left: deoptimising the code, a GC, the calls, a GC and
 * reading the profile took 250–350 ms in a Jest worker with another core busy, ~120 ms in Vitest on a quiet machine.
 */
const MIN_DIAGNOSIS_MS = 150
/** The diagnosis calls get at least this long. */
const MIN_CALLS_MS = 20
/** The walk over what fn reaches takes at most this long, and at most this share of the time left. */
const HOLDER_WALK_MS = 300
const HOLDER_WALK_SHARE = 0.1
/**
 * A heap snapshot, and reading it back, took 10–25 times as long as marking the heap's objects with ids (which runs
 * the same full GCs and heap walk, without writing anything). In a Vitest worker here: 1.6 s after a 138 ms mark with
 * 33,000 leaked Map entries (12×), 3.0 s after a 117 ms mark with 110,000 leaked listener closures (25×: closures
 * have many edges, which a snapshot writes and a mark only follows). The mark's time predicts what the snapshot would
 * cost on this heap, in this process; a snapshot that would not finish before the deadline is skipped.
 */
const SNAPSHOT_PER_MARK = 25
/**
 * Before the mark, one GC predicts it: the mark took 3–10 full GCs' time (Vitest: 115–180 ms after 12–15 ms GCs;
 * Jest: 300–500 ms after 35–50 ms). The mark is not started when mark and snapshot would not fit in the time left.
 */
const MARK_PER_GC = 10

/**
 * How many calls to make: enough leaked bytes to see, within a short time, and never more than the memory room allows
 * (a leak of megabytes per call needs only a few calls to show). None when not even one call fits.
 */
export function diagnosisCalls(
  report: LeakReport,
  settings: DiagnoseSettings,
  capLeftBytes: number,
  remainingMs: number,
): number {
  if (settings.calls !== undefined) return settings.calls
  const bytesPerCall = Math.max(report.metrics.heap.perCall + report.metrics.external.perCall, 1)
  const msPerCall = report.limits.msPerCall
  const byBytes = Math.ceil(TARGET_LEAKED_BYTES / bytesPerCall)
  const byTime = Math.floor(Math.min(CALLS_TIME_MS, remainingMs * DIAGNOSIS_CALLS_SHARE) / Math.max(msPerCall, 1e-6))
  const byCap = Math.floor(capLeftBytes / bytesPerCall)
  if (byCap < 1) return 0
  return Math.max(1, Math.min(byCap, Math.max(MIN_CALLS, Math.min(byBytes, MAX_CALLS)), Math.max(1, byTime)))
}

/**
 * The diagnosis as a generator of steps, so that one body serves sync functions (steps run synchronously) and async
 * ones (steps awaited). Deoptimise everything, so that every function is a frame of its own; note the sizes of what fn
 * can reach (holders.ts); make the calls under the sampling heap profiler; read the sizes again: what grew holds the
 * leak. Only when nothing it reaches grew (or a snapshot file was asked for), and the deadline leaves time for it,
 * give every live object a heap-snapshot id, make more calls and take a heap snapshot: objects with a newer id are
 * what the calls left alive.
 */
function* diagnosisSteps(
  fn: unknown,
  settings: DiagnoseSettings,
  calls: number,
  endsAt: number,
  callsDone: () => void,
  details?: LeakDetails,
): Steps<LeakDiagnosis> {
  const startedAt = now()
  const notes: string[] = []
  const methods: string[] = []
  const diagnosis: LeakDiagnosis = {
    depth: settings.depth,
    calls: 0,
    durationMs: 0,
    methods,
    types: [],
    sites: [],
    retainers: [],
    notes,
  }
  const phasesMs: Record<string, number> = {}
  diagnosis.phasesMs = phasesMs
  let phaseStart = startedAt
  const phase = (name: string) => {
    const at = now()
    phasesMs[name] = Math.round((phasesMs[name] ?? 0) + at - phaseStart)
    phaseStart = at
  }
  const finish = () => {
    diagnosis.durationMs = now() - startedAt
    return diagnosis
  }
  let inspector: SyncInspector
  try {
    inspector = new SyncInspector()
  } catch (error) {
    notes.push(`no diagnosis: the inspector could not be opened in this process (${describeError(error)}).`)
    return finish()
  }
  let probe: HolderProbe | undefined
  try {
    // The debugger this enables lists the scripts compiled so far, for the source maps and the holder walk.
    const scripts: ScriptTable = new Map()
    const notDeoptimized = inspector.collect('Debugger.scriptParsed', recordScripts(scripts), () =>
      deoptimizeAll(inspector),
    )
    if (notDeoptimized) {
      notes.push(
        `functions optimised during the measurement were not deoptimised (${notDeoptimized}): an allocation site may ` +
          'be named after the caller a function was inlined into.',
      )
    }
    const mapper = new SourceMapper(scripts, (table) => listScripts(inspector, table))
    // Where the handles and listeners that grew were created, in the user's source.
    for (const detail of [...(details?.handles ?? []), ...(details?.listeners ?? [])]) {
      detail.stacks = detail.stacks.map((frame) => mapper.mapFrame(frame))
    }
    phase('deopt')
    const gcMs = (yield { type: 'gc' }) as number
    phase('gc')
    // Deoptimising a large program can take most of a short deadline: what is left must hold the calls, a GC and the
    // profile, or the diagnosis would run past it.
    if (endsAt - now() < 3 * gcMs + MIN_CALLS_MS) {
      notes.push(
        `no diagnosis: preparing it (deoptimising the code) took ${Math.round(now() - startedAt)} ms of the ` +
          'deadline and left too little for the calls; give the test more time (its timeout, or deadlineMs).',
      )
      return finish()
    }

    const wantTypes = settings.depth !== 'sites'
    if (wantTypes) {
      try {
        const walkMs = Math.min(HOLDER_WALK_MS, Math.max(0, endsAt - now()) * HOLDER_WALK_SHARE)
        probe = HolderProbe.explore(inspector, fn, (scriptId) => mapper.scriptUrl(scriptId), now() + walkMs)
      } catch (error) {
        notes.push(`holders not looked for: the walk from fn failed (${describeError(error)}).`)
      }
      phase('holders')
    }
    // A snapshot file was asked for: the heap is marked before the calls, so that one snapshot serves the diff too.
    let snapshot: PlannedSnapshot | undefined
    if (wantTypes && settings.heapSnapshotPath) {
      snapshot = planSnapshot(inspector, gcMs, endsAt, notes)
      phase('mark')
    }
    let sampling = false
    try {
      inspector.post('HeapProfiler.enable')
      inspector.post('HeapProfiler.startSampling', { samplingInterval: SAMPLING_INTERVAL_BYTES })
      sampling = true
      methods.push('sampling heap profiler')
    } catch (error) {
      notes.push(`allocation sites skipped: the sampling heap profiler did not start (${describeError(error)}).`)
    }
    // The calls were sized for CALLS_TIME_MS at the measurement's pace; unoptimised they may be slower.
    const callsEndAt = now() + Math.max(1, Math.min(2 * CALLS_TIME_MS, (endsAt - now()) * DIAGNOSIS_CALLS_SHARE * 2))
    const outcome = (yield { type: 'calls', count: calls, stopAt: callsEndAt }) as CallsResult
    diagnosis.calls = outcome.callsDone
    if (outcome.error) {
      notes.push(
        `fn failed on diagnosis call ${outcome.callsDone + 1} (${outcome.error}); ` +
          `the diagnosis uses the ${outcome.callsDone} calls before it.`,
      )
    }
    // Optimisation back on: the rest (reading a profile, perhaps a snapshot) is leakproof's own code.
    callsDone()
    phase('calls')
    if (outcome.callsDone === 0) {
      notes.push('nothing to diagnose: fn failed on the first diagnosis call.')
      return finish()
    }
    // The profile keeps the samples of objects still alive: a GC first drops the garbage. One GC, not a reading with
    // the event loop turning: nothing is judged here.
    if (!snapshot) yield { type: 'gc' }
    phase('settle')
    let graph: HeapGraph | undefined
    let growth: GrowthEntry[] = []
    if (snapshot) {
      // Before reading the profile, so the profile's own objects are not in the snapshot.
      ;({ graph, growth } = snapshotGrowth(snapshot, settings, outcome.callsDone, endsAt, diagnosis, phase))
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
    phase('profile')

    let held: HolderFindings | undefined
    if (probe) {
      try {
        held = probe.findings(outcome.callsDone)
      } catch (error) {
        notes.push(`holders not found: reading what fn reaches failed (${describeError(error)}).`)
      }
      probe.release()
      probe = undefined
      phase('holders')
    }
    const found = held !== undefined && held.types.length > 0
    if (found && growth.length === 0) {
      methods.push('growth of what fn reaches')
      diagnosis.types = (held as HolderFindings).types.map((type) => fromHeldType(type, mapper))
      if (settings.depth === 'retainers') diagnosis.retainers = (held as HolderFindings).retainers
    }
    if (wantTypes && !found && !snapshot) {
      // Nothing fn reaches grew: the holder is elsewhere (a runtime queue, a native handle, a cache it cannot see).
      const planned = planSnapshot(inspector, gcMs, endsAt, notes, held)
      phase('mark')
      if (planned) {
        const more = (yield {
          type: 'calls',
          count: outcome.callsDone,
          stopAt: now() + Math.max(1, Math.min(CALLS_TIME_MS, (endsAt - now()) * DIAGNOSIS_CALLS_SHARE)),
        }) as CallsResult
        phase('calls')
        diagnosis.calls += more.callsDone
        if (more.callsDone > 0) {
          ;({ graph, growth } = snapshotGrowth(planned, settings, more.callsDone, endsAt, diagnosis, phase))
        }
      }
    }
    // Closures leakproof itself created (its awaits' callbacks, a pending reading's timer) are not the user's leak.
    if (graph) growth = growth.filter((entry) => !isOwnClosure(entry, graph as HeapGraph, mapper))
    if (graph && growth.length > 0) {
      methods.push('heap snapshot diff')
      diagnosis.types = growth.map((entry) => toGrowingType(entry, graph, mapper))
      if (settings.depth === 'retainers') {
        const closureFile = (ordinal: number): string | undefined => {
          const location = graph?.locations.get(ordinal)
          if (!location) return undefined
          return mapper.map(String(location[0]), '', location[1], location[2]).file
        }
        diagnosis.retainers = retainerPaths(graph, growth, closureFile)
      }
    }
    if (profile) diagnosis.sites = allocationSites(profile, outcome.callsDone, mapper, diagnosis.types)
    const [topSite] = diagnosis.sites
    const [topPath] = diagnosis.retainers
    if (topSite && topPath) diagnosis.sites[0] = callIntoHolder(topSite, topPath, mapper)
    phase('explain')
    if (wantTypes && diagnosis.types.length === 0 && !notes.some((note) => note.includes('heap snapshot'))) {
      notes.push(
        `no type gained objects in ${diagnosis.calls} diagnosis calls: the growth may be external memory ` +
          'or too slow to show in this many calls (raise diagnose.calls).',
      )
    }
    return finish()
  } finally {
    probe?.release()
    try {
      inspector.post('HeapProfiler.disable')
    } catch {
      // The session is closed next anyway.
    }
    inspector.disconnect()
  }
}

interface PlannedSnapshot {
  boundaryId: number
  /** What the snapshot and reading it back are expected to take, from the mark's time. */
  estimateMs: number
}

/** Marks the heap's objects with ids, when the mark and the snapshot after it fit before the deadline. */
function planSnapshot(
  inspector: SyncInspector,
  gcMs: number,
  endsAt: number,
  notes: string[],
  held?: HolderFindings,
): PlannedSnapshot | undefined {
  const markEstimateMs = gcMs * MARK_PER_GC
  const searched = held
    ? `no holder found among the ${held.visited.toLocaleString('en-US')} objects fn reaches` +
      `${held.truncated ? ' (the walk was cut short)' : ''}; `
    : ''
  if (markEstimateMs * (1 + SNAPSHOT_PER_MARK) + CALLS_TIME_MS > endsAt - now()) {
    notes.push(searched + skippedForTime(markEstimateMs * (1 + SNAPSHOT_PER_MARK), endsAt - now()))
    return undefined
  }
  try {
    // No settle first: marking starts with a precise full GC of its own.
    inspector.post('HeapProfiler.enable')
    const markedAt = now()
    const boundaryId = markHeapObjects(inspector)
    return { boundaryId, estimateMs: (now() - markedAt) * SNAPSHOT_PER_MARK }
  } catch (error) {
    notes.push(`${searched}growing types and retainers skipped: heap object ids unavailable (${describeError(error)}).`)
    return undefined
  }
}

/** Takes the snapshot (when it still fits) and reads what grew since the mark over `calls` calls. */
function snapshotGrowth(
  planned: PlannedSnapshot,
  settings: DiagnoseSettings,
  calls: number,
  endsAt: number,
  diagnosis: LeakDiagnosis,
  phase: (name: string) => void,
): { graph?: HeapGraph; growth: GrowthEntry[] } {
  const { notes } = diagnosis
  if (planned.estimateMs > endsAt - now()) {
    notes.push(skippedForTime(planned.estimateMs, endsAt - now()))
    return { growth: [] }
  }
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
    phase('snapshot')
    const graph = parseHeapSnapshot(bytes)
    const growth = growingTypes(graph, planned.boundaryId, calls)
    phase('parse')
    return { graph, growth }
  } catch (error) {
    notes.push(`growing types and retainers skipped: the heap snapshot failed (${describeError(error)}).`)
    return { growth: [] }
  }
}

function fromHeldType(type: HeldType, mapper: SourceMapper): GrowingType {
  const { location, ...rest } = type
  const grown: GrowingType = rest
  if (location) grown.location = mapper.map(location.scriptId, '', location.line, location.column)
  return grown
}

function skippedForTime(neededMs: number, leftMs: number): string {
  const ms = (value: number) => `${Math.max(0, Math.round(value)).toLocaleString('en-US')} ms`
  return (
    `growing types and retainers skipped: a heap snapshot of this heap would take about ${ms(neededMs)} and the ` +
    `deadline leaves ${ms(leftMs)} (give the test more time to get them).`
  )
}

let snapshotFiles = 0

function temporarySnapshotPath(): string {
  return join(tmpdir(), `leakproof-${process.pid}-${process.hrtime.bigint()}-${snapshotFiles++}.heapsnapshot`)
}

function isOwnClosure(entry: GrowthEntry, graph: HeapGraph, mapper: SourceMapper): boolean {
  if (entry.kind !== 'closure') return false
  const location = graph.locations.get(entry.sampleNode)
  return location !== undefined && isOwnFile(mapper.scriptUrl(String(location[0])))
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

export interface DiagnoseInput {
  report: LeakReport
  settings: DiagnoseSettings
  /** The measurement's runner: the same calls (under the same deadline, cap and lease), readings and driver. */
  runner: StepRunner
  cap: RetainedCap
}

/**
 * Diagnoses a confirmed leak within what is left of the measurement's deadline: synchronously when the measurement
 * stayed synchronous, with awaits otherwise. Never throws for the diagnosis's own failures: they become notes.
 */
export function diagnose({ report, settings, runner, cap }: DiagnoseInput): LeakDiagnosis | Promise<LeakDiagnosis> {
  const endsAt = runner.lease.endsAt
  const leftMs = endsAt - now()
  if (leftMs < MIN_DIAGNOSIS_MS) {
    // A verdict that needed the diagnosis's share of the deadline (a pending leak confirmed late) leaves it none.
    return {
      ...failed(settings, 'no time'),
      notes: [
        `no diagnosis: the verdict used the deadline's time (${Math.max(0, Math.round(leftMs))} ms left, a diagnosis ` +
          `needs about ${MIN_DIAGNOSIS_MS} ms); give the test more time (its timeout, or deadlineMs) to see where it ` +
          'was allocated and what holds it.',
      ],
    }
  }
  const calls = diagnosisCalls(report, settings, diagnosisRoom(cap), leftMs)
  if (calls === 0) {
    return {
      ...failed(settings, 'no room'),
      notes: [
        'no diagnosis: memory is at the cap or near the heap limit, and one more call could exhaust it ' +
          '(the figures above say what leaked; a heap snapshot of this heap would need memory it does not have).',
      ],
    }
  }
  runner.calls.catchErrors = true
  // Every function its own frame in the profile: fn, what it calls, and the harness's call loop.
  const optimize = runUnoptimized([runner.calls.fn], CallDriver.callPath)
  runner.lease.installed('the optimisation flags', optimize)
  const restore = () => {
    runner.calls.catchErrors = false
    optimize()
  }
  try {
    const result = drive(diagnosisSteps(runner.calls.fn, settings, calls, endsAt, optimize, report.details), runner)
    if (!isThenable(result)) {
      restore()
      return result
    }
    return (result as Promise<LeakDiagnosis>).then(
      (value) => {
        restore()
        return value
      },
      (error: unknown) => {
        restore()
        return failed(settings, error)
      },
    )
  } catch (error) {
    restore()
    return failed(settings, error)
  }
}

/**
 * Memory the diagnosis's calls may add: up to a quarter past the cap (a leak stopped by the cap has used it up, and a
 * few hundred calls show it), and never more than a quarter of the heap still free under the heap limit.
 */
function diagnosisRoom(cap: RetainedCap): number {
  const { heap_size_limit: limit, used_heap_size: used } = v8.getHeapStatistics()
  return Math.max(0, Math.min(cap.limitBytes * 1.25 - cap.retainedNow(), (limit - used) / 4))
}

function failed(settings: DiagnoseSettings, error: unknown): LeakDiagnosis {
  return {
    depth: settings.depth,
    calls: 0,
    durationMs: 0,
    methods: [],
    types: [],
    sites: [],
    retainers: [],
    notes: [`diagnosis failed: ${describeError(error)}.`],
  }
}
