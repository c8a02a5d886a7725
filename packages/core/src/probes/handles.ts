import { createHook } from 'node:async_hooks'
import { firstUserFrame } from './stack.js'

/**
 * Async resource types that are not handles or requests: they end on their own once the event loop turns (the
 * deferred-work tracker waits for them) or are bookkeeping of promises and ticks.
 */
const NOT_HANDLES = new Set(['PROMISE', 'TickObject', 'Microtask', 'Immediate'])

/** Creation stacks kept per type among live resources, and the most captured per type over a measurement. */
const STACKS_PER_TYPE = 3
const MAX_CAPTURES_PER_TYPE = 20
/**
 * Ticks whose creation stack is kept, for handles created inside a tick callback (a server's handle is created in
 * the `listen` tick, whose own stack has no user frame). Only the first ones: leaked handles from early calls stay.
 */
const MAX_TICK_STACKS = 64
const MAX_LINEAGE_STEPS = 8

interface Tick {
  trigger: number
  stack: string | undefined
}

interface TrackedHandle {
  type: string
  stack: string | undefined
}

/** Live tracked handles per type, and an example creation site (first user frame) per type when one was kept. */
export interface HandleCounts {
  total: number
  byType: Map<string, number>
}

/**
 * Counts the handles and requests (timers, sockets, servers, watchers, child processes…) that the measured calls
 * create and that are still alive. An `async_hooks` hook sees every creation, unref'd or not (which
 * `process.getActiveResourcesInfo()` does not), and its `destroy` event. Only resources created while `recording`
 * is on, or created by a callback of a tracked resource (a timer that re-arms itself), are counted, so the harness's
 * own timers stay out.
 *
 * `destroy` is delivered only when the event loop turns (and, for some handles, after a GC), so counts are
 * meaningful only when read after the event loop has turned.
 */
export class HandleTracker {
  recording = false
  private hookEnabled = false
  /** True once the calls created at least one handle or request. */
  sawHandles = false
  private readonly live = new Map<number, TrackedHandle>()
  private readonly capturesByType = new Map<string, number>()
  private readonly liveStacksByType = new Map<string, number>()
  /** Ticks created by the calls, with their trigger, while they are pending. */
  private readonly ticks = new Map<number, Tick>()
  private tickStacks = 0
  private readonly hook = createHook({
    init: (asyncId, type, triggerAsyncId) => {
      const owned = this.recording || this.live.has(triggerAsyncId) || this.ticks.has(triggerAsyncId)
      if (!owned) return
      if (type === 'TickObject') {
        const stack = this.tickStacks < MAX_TICK_STACKS ? firstUserFrame() : undefined
        if (stack !== undefined) this.tickStacks++
        this.ticks.set(asyncId, { trigger: triggerAsyncId, stack })
        return
      }
      if (NOT_HANDLES.has(type)) return
      this.sawHandles = true
      this.live.set(asyncId, { type, stack: this.maybeCaptureStack(type, triggerAsyncId) })
    },
    destroy: (asyncId) => {
      if (this.ticks.delete(asyncId)) return
      const handle = this.live.get(asyncId)
      if (handle === undefined) return
      this.live.delete(asyncId)
      if (handle.stack !== undefined) {
        this.liveStacksByType.set(handle.type, (this.liveStacksByType.get(handle.type) ?? 1) - 1)
      }
    },
  })

  /** Trackers whose hook is enabled right now, in this module instance (tests check that none stays on). */
  static enabledCount = 0

  enable(): void {
    if (!this.hookEnabled) HandleTracker.enabledCount++
    this.hookEnabled = true
    this.hook.enable()
  }

  disable(): void {
    if (this.hookEnabled) HandleTracker.enabledCount--
    this.hookEnabled = false
    this.hook.disable()
    this.recording = false
    this.live.clear()
    this.ticks.clear()
  }

  /** Live tracked handles, by type. Read after the event loop has turned and a GC ran. */
  count(): HandleCounts {
    const byType = new Map<string, number>()
    for (const handle of this.live.values()) byType.set(handle.type, (byType.get(handle.type) ?? 0) + 1)
    return { total: this.live.size, byType }
  }

  /** Creation sites (first user frame) of live tracked handles of a type, most frequent first. */
  stacksOf(type: string): string[] {
    const counts = new Map<string, number>()
    for (const handle of this.live.values()) {
      if (handle.type === type && handle.stack !== undefined) {
        counts.set(handle.stack, (counts.get(handle.stack) ?? 0) + 1)
      }
    }
    return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([stack]) => stack)
  }

  /** A stack costs a few microseconds: capture one only while few live handles of this type have one. */
  private maybeCaptureStack(type: string, triggerAsyncId: number): string | undefined {
    const captures = this.capturesByType.get(type) ?? 0
    if (captures >= MAX_CAPTURES_PER_TYPE || (this.liveStacksByType.get(type) ?? 0) >= STACKS_PER_TYPE) return undefined
    this.capturesByType.set(type, captures + 1)
    const stack = firstUserFrame() ?? this.stackOfTrigger(triggerAsyncId)
    if (stack !== undefined) this.liveStacksByType.set(type, (this.liveStacksByType.get(type) ?? 0) + 1)
    return stack
  }

  /** The creation stack of the tick (or handle) that led to this resource, following triggers a few steps up. */
  private stackOfTrigger(triggerAsyncId: number): string | undefined {
    let id = triggerAsyncId
    for (let step = 0; step < MAX_LINEAGE_STEPS; step++) {
      const handle = this.live.get(id)
      if (handle) return handle.stack
      const tick = this.ticks.get(id)
      if (!tick) return undefined
      if (tick.stack !== undefined) return tick.stack
      id = tick.trigger
    }
    return undefined
  }
}
