import { createHook } from 'node:async_hooks'

/** Async resource types whose callbacks free memory only once the event loop turns. */
const DEFERRED_TYPES = new Set(['Timeout', 'Immediate', 'TickObject', 'Microtask'])

interface TimeoutLike {
  _idleTimeout?: unknown
  _repeat?: unknown
}

/**
 * Tracks the timers, immediates and ticks that the measured calls schedule and that have not run yet.
 *
 * It only records while `recording` is on, so the harness's own timers are not counted. It is an async hook, which
 * slows every async resource creation a little, so it is enabled only while needed: during calibration (to detect
 * deferred work) and, when detected, for the rest of the run.
 */
export class DeferredWorkTracker {
  recording = false
  /** True once a call scheduled a timer, an immediate or a tick. */
  sawWork = false
  private hookEnabled = false
  /** asyncId → longest wait (ms) before the callback runs; Infinity for intervals. */
  private readonly pending = new Map<number, number>()
  private readonly hook = createHook({
    init: (asyncId, type, _trigger, resource) => {
      if (!this.recording || !DEFERRED_TYPES.has(type)) return
      this.sawWork = true
      this.pending.set(asyncId, waitOf(type, resource as TimeoutLike))
    },
    destroy: (asyncId) => {
      this.pending.delete(asyncId)
    },
  })

  /** Trackers whose hook is enabled right now, in this module instance (tests check that none stays on). */
  static enabledCount = 0

  enable(): void {
    if (!this.hookEnabled) DeferredWorkTracker.enabledCount++
    this.hookEnabled = true
    this.hook.enable()
  }

  disable(): void {
    if (this.hookEnabled) DeferredWorkTracker.enabledCount--
    this.hookEnabled = false
    this.hook.disable()
    this.recording = false
    this.pending.clear()
  }

  /** Longest wait among pending callbacks that will run within `limitMs`, or -1 when there are none. */
  longestSettleableWait(limitMs: number): number {
    let longest = -1
    for (const wait of this.pending.values()) {
      if (wait <= limitMs && wait > longest) longest = wait
    }
    return longest
  }
}

function waitOf(type: string, resource: TimeoutLike): number {
  if (type !== 'Timeout') return 0
  if (typeof resource._repeat === 'number') return Number.POSITIVE_INFINITY
  return typeof resource._idleTimeout === 'number' && resource._idleTimeout > 0 ? resource._idleTimeout : 1
}
