import type { ResolvedOptions } from '../options.js'
import { DeferredWorkTracker } from '../probes/deferred.js'
import { HandleTracker } from '../probes/handles.js'
import { clearKeptWeakRefTargets, ListenerTracker } from '../probes/listeners.js'
import type { MeasurementLease } from './lease.js'

/** Handles and listeners the calls left behind, with their breakdown by type and by target and event. */
export interface Leftovers {
  handles: number
  listeners: number
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

  leftovers(): Leftovers {
    const handles = this.handles?.count()
    const listeners = this.listeners.count()
    return {
      handles: handles?.total ?? 0,
      handleTypes: handles?.byType ?? new Map<string, number>(),
      listeners: listeners.total,
      listenerKeys: listeners.byKey,
    }
  }

  /** Lets objects held only by WeakRefs made in this job go in the next GC (see clearKeptWeakRefTargets). */
  releaseWeakRefs(): void {
    clearKeptWeakRefTargets()
  }
}
