import type { ResolvedOptions } from '../options.js'
import { DeferredWorkTracker } from '../probes/deferred.js'
import {
  type DescriptorGroup,
  type DescriptorLabel,
  DescriptorProbe,
  descriptorLimit,
  newDescriptorGroups,
} from '../probes/descriptors.js'
import { HandleTracker } from '../probes/handles.js'
import { clearKeptWeakRefTargets, ListenerTracker } from '../probes/listeners.js'
import type { MeasurementLease } from './lease.js'

/**
 * Handles, listeners and file descriptors the calls left behind, with the breakdown of handles by type and of
 * listeners by target and event (descriptors are labelled only at the end: see `descriptorGroups`).
 */
export interface Leftovers {
  handles: number
  listeners: number
  /** Open descriptors now less those open when the measurement started (0 when descriptors are not measured). */
  descriptors: number
  handleTypes: ReadonlyMap<string, number>
  listenerKeys: ReadonlyMap<string, number>
}

/**
 * The probes a measurement installs — the deferred-work tracker (timers and immediates the calls schedule), the
 * handle tracker and the listener tracker — and whether the event loop must turn between batches. Every install is
 * registered with the lease, which undoes it on every exit path.
 */
export class Instruments {
  /** Timers, immediates and ticks the calls schedule; undefined once switched off (quiet calls) or never on. */
  deferred: DeferredWorkTracker | undefined
  /** Handles the calls leave alive; switched off after warm-up when the calls created none. */
  handles: HandleTracker | undefined
  readonly listeners = new ListenerTracker()
  /** Open file descriptors; undefined where they cannot be counted (Windows), or with `turnEventLoop: false`. */
  readonly descriptors: DescriptorProbe | undefined
  /** Open descriptors when the measurement started, the probe's own left out. */
  private readonly descriptorsAtStart: number = 0
  private descriptorLabelsAtStart: Map<number, DescriptorLabel> | undefined
  private lastDescriptors = 0
  /** Set when a count failed during the measurement (no descriptor free, even the reserve's): not measured then. */
  private descriptorsLost = false
  /** False with `turnEventLoop: false`: a closed handle is reported destroyed only when the event loop turns. */
  readonly measuresHandles: boolean
  /** True once the harness decided to let the event loop turn between batches. */
  turnEventLoop: boolean
  /** True once an instrument was switched off for being quiet. */
  switchedOff = false

  constructor(
    private readonly options: ResolvedOptions,
    lease: MeasurementLease,
  ) {
    this.measuresHandles = options.turnEventLoop !== false
    this.turnEventLoop = options.turnEventLoop === true
    if (options.turnEventLoop !== false) {
      const deferred = new DeferredWorkTracker()
      const handles = new HandleTracker()
      lease.installed('the deferred-work hook', () => deferred.disable())
      lease.installed('the handle hook', () => handles.disable())
      deferred.enable()
      handles.enable()
      this.deferred = deferred
      this.handles = handles
      // Like handles, not with turnEventLoop: false: sockets and async file APIs close on a turn of the event loop.
      const descriptors = new DescriptorProbe()
      lease.installed('the descriptor reserve', () => descriptors.close())
      const atStart = descriptors.count()
      if (atStart !== undefined) {
        this.descriptors = descriptors
        this.descriptorsAtStart = atStart
        this.descriptorLabelsAtStart = descriptors.labels()
      } else {
        descriptors.close()
      }
    }
    this.listeners.watch(process, 'process')
    for (const { label, target } of options.emitters) this.listeners.watch(target, label)
    lease.installed('the listener wrappers', () => this.listeners.uninstall())
    this.listeners.install()
  }

  /** Turns recording of handles and listeners on or off; returns the previous setting. */
  setRecording(on: boolean): boolean {
    const previous = this.listeners.recording
    this.listeners.recording = on
    if (this.handles) this.handles.recording = on
    return previous
  }

  /** Runs `body` with the harness's own resources (its timers) out of the records. */
  unrecorded<T>(body: () => T): T {
    const deferredWas = this.deferred?.recording ?? false
    const was = this.setRecording(false)
    if (this.deferred) this.deferred.recording = false
    try {
      return body()
    } finally {
      this.setRecording(was)
      if (this.deferred) this.deferred.recording = deferredWas
    }
  }

  /** Around one call of fn (sync part): what it schedules or creates is the calls'. */
  beginCall(): boolean {
    if (this.deferred) this.deferred.recording = true
    return this.setRecording(true)
  }

  endCall(wasRecording: boolean): void {
    if (this.deferred) this.deferred.recording = false
    this.setRecording(wasRecording)
  }

  startBatch(): void {
    this.listeners.startBatch()
  }

  /** After a batch's calls, before its reading: the per-batch records go, so the reading does not count them. */
  endBatch(): void {
    this.listeners.endBatch()
  }

  /** True when the calls left timers or immediates that free memory only once the event loop turns. */
  hasSettleableWork(): boolean {
    return (this.deferred?.longestSettleableWait(this.options.settleTimersMs) ?? -1) >= 0
  }

  /** Longest pending wait (ms) among the calls' timers that will run within `settleTimersMs`, or -1. */
  longestSettleableWait(): number {
    return this.deferred?.longestSettleableWait(this.options.settleTimersMs) ?? -1
  }

  /** True when a sync measurement must continue with awaits (closed handles, timers that free memory). */
  needsEventLoop(callsMade: number): boolean {
    if (this.turnEventLoop) return false
    if (this.handles?.sawHandles) return true
    return callsMade > 1 && this.hasSettleableWork()
  }

  /**
   * After a sample in warm-up: an instrument that saw nothing is switched off, to keep calls fast (the async hooks
   * fire for every promise).
   */
  stopIfQuiet(): void {
    if (this.handles && !this.handles.sawHandles) {
      this.handles.disable()
      this.handles = undefined
      this.switchedOff = true
    }
    if (!this.deferred || this.options.turnEventLoop === false) return
    // Quiet: no call scheduled a timer or an immediate (async code that only awaits), or, for sync calls, none
    // is left pending. Its hook fires for every promise, and its destroy tracking costs a weak callback each.
    const quiet = this.turnEventLoop ? !this.deferred.sawWork : !this.hasSettleableWork()
    if (quiet && this.options.turnEventLoop === 'auto') {
      this.deferred.disable()
      this.deferred = undefined
      this.switchedOff = true
    }
  }

  /**
   * Forgets listener targets that were collected; returns how many. Call after a GC and GC again when any were
   * forgotten, so the tracker's own records of dead targets are not read as retained memory.
   */
  prune(): number {
    return this.listeners.prune()
  }

  /** What the calls left behind now. `countDescriptors: false` repeats the last descriptor count (cheaper). */
  leftovers(countDescriptors = true): Leftovers {
    const handles = this.handles?.count()
    const listeners = this.listeners.count()
    return {
      handles: handles?.total ?? 0,
      handleTypes: handles?.byType ?? new Map<string, number>(),
      listeners: listeners.total,
      listenerKeys: listeners.byKey,
      descriptors: countDescriptors ? this.descriptorsNow() : this.lastDescriptors,
    }
  }

  /** Descriptors still free under the process's limit when the measurement started; undefined when unknown. */
  descriptorsFreeAtStart(): number | undefined {
    const limit = this.descriptors ? descriptorLimit() : undefined
    return limit === undefined ? undefined : Math.max(0, limit - this.descriptorsAtStart)
  }

  /** True when descriptors were counted at every reading of this measurement. */
  get measuresDescriptors(): boolean {
    return this.descriptors !== undefined && !this.descriptorsLost
  }

  /** Open descriptors now less those open at the start; the last count when this one failed. */
  descriptorsNow(): number {
    if (!this.descriptors || this.descriptorsLost) return this.lastDescriptors
    const count = this.descriptors.count()
    if (count === undefined) this.descriptorsLost = true
    else this.lastDescriptors = count - this.descriptorsAtStart
    return this.lastDescriptors
  }

  /** The descriptors open now that were not at the start, labelled and grouped (call at the end: ~5 µs each). */
  descriptorGroups(): DescriptorGroup[] {
    const start = this.descriptorLabelsAtStart
    const end = this.measuresDescriptors ? this.descriptors?.labels() : undefined
    return start && end ? newDescriptorGroups(start, end) : []
  }

  /** Lets objects held only by WeakRefs made in this job go in the next GC (see clearKeptWeakRefTargets). */
  releaseWeakRefs(): void {
    clearKeptWeakRefTargets()
  }
}
