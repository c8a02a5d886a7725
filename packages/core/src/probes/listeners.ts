import { EventEmitter, getEventListeners } from 'node:events'
import vm from 'node:vm'
import { firstUserFrame } from './stack.js'

/**
 * Creation stacks kept per target label and event, and the most captured per label and event over a measurement
 * (not per target: an `AbortSignal` made per call is a new target every call, and a function that made one per call
 * took ~56 µs a call with a stack each, ~20 µs without).
 */
const STACKS_PER_KEY = 3
const MAX_CAPTURES_PER_KEY = 8

type ListenerTarget = EventEmitter | EventTarget

interface TrackedTarget {
  /** Strong for `process` and the emitters the user passed in; weak for emitters the calls touched. */
  target: ListenerTarget | WeakRef<ListenerTarget>
  label: string
  /** Listener count per event when tracking began. */
  baseline: Map<string | symbol, number>
  /** Events seen added (an EventTarget cannot list its events). */
  events: Set<string | symbol>
}

/** Listeners added and not removed since tracking began, in total and per "target\0event" key. */
export interface ListenerCounts {
  total: number
  byKey: Map<string, number>
}

const ADD_METHODS = ['addListener', 'on', 'prependListener', 'once', 'prependOnceListener'] as const

/**
 * Counts event listeners that the measured calls add and do not remove: on `process`, on emitters the user names,
 * and on any `EventEmitter` or `EventTarget` the calls add a listener to that was not created in the same batch of
 * calls (listeners on an object the calls create belong to that object; if the object leaks, heap and handles say so).
 *
 * While installed it wraps `EventEmitter.prototype` add methods, `EventEmitter.init` (to know which emitters a batch
 * created) and `EventTarget.prototype.addEventListener`. The wrappers call the original and only note the target
 * while `recording` is on. Removal needs no wrapper: counts are read from the targets themselves at sample time, so
 * `off`, `removeAllListeners` and fired `once` listeners are all seen. `uninstall` restores the originals.
 */
export class ListenerTracker {
  recording = false
  private targets: TrackedTarget[] = []
  /** Rebuilt when targets are pruned: a WeakMap's table keeps the size its most entries needed (see `endBatch`). */
  private byTarget = new WeakMap<object, TrackedTarget>()
  /** Emitters created during the current batch of calls. */
  private createdThisBatch = new WeakSet<object>()
  private readonly stacks = new Map<string, Map<string, number>>()
  /** Stacks captured per label and event (keyed by the event itself: building a string key per add costs ~1 µs). */
  private readonly captures = new Map<string, Map<string | symbol, number>>()
  private restore: (() => void) | undefined
  private inWrapper = false

  /** Tracks `target` from now on, with a strong reference (for `process` and emitters given in options). */
  watch(target: ListenerTarget, label: string): void {
    if (this.byTarget.has(target)) return
    const tracked: TrackedTarget = {
      target,
      label,
      baseline: countsOf(target, new Set()),
      events: new Set(),
    }
    this.byTarget.set(target, tracked)
    this.targets.push(tracked)
  }

  install(): void {
    if (this.restore) return
    const tracker = this
    const emitterProto = EventEmitter.prototype as unknown as Record<string, unknown>
    const originals = new Map<string, unknown>()
    const wrappers = new Map<string, unknown>()
    for (const name of ADD_METHODS) {
      const original = emitterProto[name]
      if (typeof original !== 'function') continue
      originals.set(name, original)
      // `on` and `addListener` are one function: keep them one wrapper so `on === addListener` still holds.
      const existing = [...originals.entries()].find(([other, fn]) => other !== name && fn === original)
      const wrapper =
        existing !== undefined
          ? wrappers.get(existing[0])
          : named(original, function (this: EventEmitter, event: string | symbol, ...rest: unknown[]) {
              if (tracker.recording && !tracker.inWrapper) tracker.safelyNoteAdd(this, event)
              const wasInWrapper = tracker.inWrapper
              tracker.inWrapper = true
              try {
                return original.call(this, event, ...rest)
              } finally {
                tracker.inWrapper = wasInWrapper
              }
            })
      wrappers.set(name, wrapper)
      emitterProto[name] = wrapper
    }
    const emitterStatics = EventEmitter as unknown as { init: (this: object, ...args: unknown[]) => unknown }
    const originalInit = emitterStatics.init
    const initWrapper = named(originalInit, function (this: object, ...args: unknown[]) {
      if (tracker.recording) tracker.createdThisBatch.add(this)
      return originalInit.apply(this, args)
    })
    emitterStatics.init = initWrapper
    const targetProto = globalThis.EventTarget?.prototype as unknown as Record<string, unknown> | undefined
    const originalAddEventListener = targetProto?.addEventListener
    let addEventListenerWrapper: unknown
    if (targetProto && typeof originalAddEventListener === 'function') {
      addEventListenerWrapper = named(
        originalAddEventListener,
        function (this: EventTarget, event: string, ...rest: unknown[]) {
          if (tracker.recording && !tracker.inWrapper) tracker.safelyNoteAdd(this, event)
          return originalAddEventListener.call(this, event, ...rest)
        },
      )
      targetProto.addEventListener = addEventListenerWrapper
    }
    this.restore = () => {
      // Put an original back only where our wrapper is still in place: a later patch by someone else stays.
      for (const [name, original] of originals) {
        if (emitterProto[name] === wrappers.get(name)) emitterProto[name] = original
      }
      if (emitterStatics.init === initWrapper) emitterStatics.init = originalInit
      if (targetProto && targetProto.addEventListener === addEventListenerWrapper) {
        targetProto.addEventListener = originalAddEventListener
      }
    }
  }

  uninstall(): void {
    this.recording = false
    this.restore?.()
    this.restore = undefined
  }

  /** A new batch of calls begins: emitters created before it are long-lived from now on. */
  startBatch(): void {
    this.createdThisBatch = new WeakSet()
  }

  /**
   * The batch's calls are done: its set of created emitters goes before the reading. A WeakSet's table keeps the
   * size its most entries at once needed (dead entries leave it only as slots), so a batch that created thousands
   * of emitters left 16–256 KB behind, more or less from batch to batch as GCs fell: an HTTP request per call over a
   * keep-alive agent read steps of 32 KB and was called a leak in 5 of 6 runs (0 of 6 with the set dropped here).
   */
  endBatch(): void {
    this.createdThisBatch = new WeakSet()
  }

  /**
   * Forgets the targets that were collected; returns how many. Call after a GC and before reading memory, then GC
   * again if any were forgotten, so the tracker's own records of dead targets are not read as retained memory.
   */
  prune(): number {
    // Counted first: this runs between a GC and a reading, so it allocates only when it has something to forget.
    let removed = 0
    for (const tracked of this.targets) if (!isAlive(tracked)) removed++
    if (removed > 0) this.reindex(this.targets.filter(isAlive))
    return removed
  }

  /**
   * Keeps the targets still alive in a fresh array and a fresh WeakMap: neither table shrinks as its entries die, and
   * the old ones, sized by every target a batch touched, go with the next GC. 50,000 `AbortSignal`s that got a
   * listener in one batch left 2.6 MB of them behind.
   */
  private reindex(alive: TrackedTarget[]): void {
    const byTarget = new WeakMap<object, TrackedTarget>()
    for (const tracked of alive) {
      const target = tracked.target instanceof WeakRef ? tracked.target.deref() : tracked.target
      if (target !== undefined) byTarget.set(target, tracked)
    }
    this.targets = alive
    this.byTarget = byTarget
  }

  /** Listeners added since tracking began on the tracked targets that are still alive. */
  count(): ListenerCounts {
    const byKey = new Map<string, number>()
    let total = 0
    for (let index = this.targets.length - 1; index >= 0; index--) {
      const tracked = this.targets[index] as TrackedTarget
      const target = tracked.target instanceof WeakRef ? tracked.target.deref() : tracked.target
      // Collected: its listeners went with it (prune forgets it).
      if (target === undefined) continue
      const events = new Set([...tracked.baseline.keys(), ...tracked.events])
      let counts: Map<string | symbol, number>
      try {
        counts = countsOf(target, events)
      } catch {
        continue
      }
      for (const [event, count] of counts) {
        const added = count - (tracked.baseline.get(event) ?? 0)
        if (added === 0) continue
        const key = listenerKey(tracked.label, event)
        byKey.set(key, (byKey.get(key) ?? 0) + added)
        total += added
      }
    }
    return { total, byKey }
  }

  /** Where listeners of a key were added (first user frame), most frequent first. */
  stacksOf(key: string): string[] {
    const counts = this.stacks.get(key)
    if (!counts) return []
    return [...counts.entries()].sort((a, b) => b[1] - a[1]).map(([stack]) => stack)
  }

  /** Never lets the tracking throw into the user's `on()` call (an emitter with an odd `listenerCount`). */
  private safelyNoteAdd(target: ListenerTarget, event: string | symbol): void {
    try {
      this.noteAdd(target, event)
    } catch {
      // Not tracked: its listeners go uncounted, the call goes on as without leakproof.
    }
  }

  private noteAdd(target: ListenerTarget, event: string | symbol): void {
    if (typeof target !== 'object' || target === null) return
    let tracked = this.byTarget.get(target)
    if (tracked === undefined) {
      if (this.createdThisBatch.has(target)) return
      tracked = {
        target: new WeakRef(target),
        label: labelOf(target),
        baseline: countsOf(target, new Set([event])),
        events: new Set(),
      }
      this.byTarget.set(target, tracked)
      this.targets.push(tracked)
    }
    tracked.events.add(event)
    let byEvent = this.captures.get(tracked.label)
    if (byEvent === undefined) {
      byEvent = new Map()
      this.captures.set(tracked.label, byEvent)
    }
    const captures = byEvent.get(event) ?? 0
    if (captures >= MAX_CAPTURES_PER_KEY) return
    byEvent.set(event, captures + 1)
    this.captureStack(listenerKey(tracked.label, event))
  }

  /** A stack costs a few microseconds: only the first few adds per target and event get one. */
  private captureStack(key: string): void {
    const stack = firstUserFrame()
    if (stack === undefined) return
    let counts = this.stacks.get(key)
    if (counts === undefined) {
      counts = new Map()
      this.stacks.set(key, counts)
    }
    if (counts.has(stack) || counts.size < STACKS_PER_KEY) counts.set(stack, (counts.get(stack) ?? 0) + 1)
  }
}

function isAlive(tracked: TrackedTarget): boolean {
  return !(tracked.target instanceof WeakRef) || tracked.target.deref() !== undefined
}

/** The key of a target and event in `ListenerCounts.byKey`. */
export function listenerKey(label: string, event: string | symbol): string {
  return `${label}\u0000${String(event)}`
}

export function splitListenerKey(key: string): { target: string; event: string } {
  const at = key.indexOf('\u0000')
  return { target: key.slice(0, at), event: key.slice(at + 1) }
}

function countsOf(target: ListenerTarget, extraEvents: Set<string | symbol>): Map<string | symbol, number> {
  const counts = new Map<string | symbol, number>()
  if (target instanceof EventEmitter) {
    for (const event of new Set([...target.eventNames(), ...extraEvents])) {
      counts.set(event, target.listenerCount(event))
    }
  } else {
    for (const event of extraEvents) {
      if (typeof event === 'string') counts.set(event, getEventListeners(target, event).length)
    }
  }
  return counts
}

function labelOf(target: object): string {
  if (target === process) return 'process'
  const name = (target as { constructor?: { name?: unknown } }).constructor?.name
  return typeof name === 'string' && name !== '' ? name : 'EventEmitter'
}

function named<T extends (...args: never[]) => unknown>(original: unknown, wrapper: T): T {
  const source = original as { name: string; length: number }
  Object.defineProperty(wrapper, 'name', { value: source.name, configurable: true })
  Object.defineProperty(wrapper, 'length', { value: source.length, configurable: true })
  return wrapper
}

let weakRefContext: { script: vm.Script; context: vm.Context } | undefined

/**
 * Lets the next GC collect objects held only by `WeakRef`s created since the last microtask checkpoint. V8 keeps a
 * WeakRef's target alive until the end of the current job; a sync measurement is one long job, so without this
 * every emitter the tracker (or the user's code) wrapped in a WeakRef would survive GC until the measurement ends.
 * A checkpoint of a separate context's microtask queue clears V8's kept-objects list.
 */
export function clearKeptWeakRefTargets(): void {
  weakRefContext ??= {
    script: new vm.Script('0'),
    context: vm.createContext({}, { microtaskMode: 'afterEvaluate' }),
  }
  weakRefContext.script.runInContext(weakRefContext.context)
}
