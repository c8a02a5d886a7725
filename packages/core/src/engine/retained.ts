import v8 from 'node:v8'
import { clamp } from '../util.js'
import type { DescriptorCap } from './descriptor-cap.js'
import { TurnGate } from './turn-gate.js'

/**
 * Default cap on heap + external growth during one measurement. A leak big enough to reach it is plain long before
 * (24 MiB is 390,000 leaked `{}`s); a bigger heap only makes every GC slower (~1.4 ms per MB live) and the diagnosis's
 * heap snapshot longer (~5 µs per object), and the cap keeps a leak test's peak RSS near its process's baseline.
 */
export const DEFAULT_MAX_RETAINED_BYTES = 24 * 1024 * 1024
/** The cap never takes more than this share of the heap still free under the heap limit when the run starts. */
const FREE_HEAP_SHARE = 0.25
/** Past this share of the heap limit a run stops whatever its cap: the next calls could exhaust the heap. */
const HEAP_LIMIT_SHARE = 0.8
/**
 * The next calls are not made when what they may allocate (the last calls' growth, this many times over) exceeds the
 * heap still free: a function that retains 50 MB per call under --max-old-space-size=128 is stopped after its first.
 */
const NEXT_CALLS_MARGIN = 1.5
/** Calls whose retained memory may be one-time (lazy initialisation): the cap restarts once after them. */
const ONE_TIME_CALLS = 2
const MAX_CHECK_INTERVAL = 1024

/**
 * 'turn': over the cap while the event loop has work pending (sync calls that close sockets or clear timers free
 * their memory only when it turns): the batch ends for a reading, and the run stops only if the cap is still passed
 * after it.
 */
export type CapState = 'ok' | 'turn' | 'cap' | 'heap-limit'

function totalBytes(): { total: number; used: number; limit: number } {
  const stats = v8.getHeapStatistics()
  return {
    total: stats.used_heap_size + stats.external_memory,
    used: stats.used_heap_size,
    limit: stats.heap_size_limit,
  }
}

/** The cap that applies in this process: the option, or the default, lowered to fit the free heap. */
export function effectiveCap(requested: number | undefined): number {
  const { used, limit } = totalBytes()
  const fit = Math.max(1024 * 1024, Math.floor((limit - used) * FREE_HEAP_SHARE))
  return Math.min(requested ?? DEFAULT_MAX_RETAINED_BYTES, fit)
}

/**
 * The guard on memory retained since the measurement started, live from the first call. After every call (every
 * few calls once it knows how fast the heap moves) it compares the cheap total of heap and external bytes, garbage
 * included, with the start; only over the cap does it run a GC to see what is really retained.
 */
export class RetainedCap {
  readonly limitBytes: number
  private baseline: number
  private lastTotal: number
  private callsSinceCheck = 0
  private checkEvery = 1
  private rebased = false
  /** Set when a check over the cap asked for a turn of the event loop; cleared under the cap. */
  private readonly turns: TurnGate
  /** Memory the first calls retained that the cap was restarted after (a lazy initialisation, or a huge leak). */
  oneTimeBytes = 0
  /** Post-GC retained bytes when the cap stopped the run. */
  retainedAtStop = 0
  /** What a 'cap' stop was for: memory, or descriptors (the descriptor guard, when one is given). */
  stoppedBy: 'memory' | 'descriptors' = 'memory'

  constructor(
    requested: number | undefined,
    private readonly gc: () => void,
    /** True while the memory of the calls may be held by work that runs when the event loop turns. */
    eventLoopPending: () => boolean = () => false,
    /** The guard on descriptors left open, checked with memory. */
    readonly descriptors?: DescriptorCap,
  ) {
    this.turns = new TurnGate(eventLoopPending)
    this.limitBytes = effectiveCap(requested)
    this.baseline = totalBytes().total
    this.lastTotal = this.baseline
  }

  /** A reading ran (the event loop turned, when the measurement turns it). */
  noteReading(): void {
    this.turns.noteReading()
    this.descriptors?.noteReading()
  }

  /** Retained since the start (garbage included unless a GC just ran). */
  retainedNow(): number {
    return totalBytes().total - this.baseline
  }

  /** After a call: 'ok' to go on, or why to stop. `callNumber` counts every call of the measurement. */
  afterCall(callNumber: number): CapState {
    if (this.descriptors) {
      const state = this.descriptors.afterCall()
      if (state !== 'ok') return this.descriptorState(state)
    }
    if (++this.callsSinceCheck < this.checkEvery) return 'ok'
    return this.checkMemory(callNumber)
  }

  check(callNumber: number): CapState {
    if (this.descriptors) {
      const state = this.descriptors.check()
      if (state !== 'ok') return this.descriptorState(state)
    }
    return this.checkMemory(callNumber)
  }

  private descriptorState(state: CapState): CapState {
    if (state === 'cap') this.stoppedBy = 'descriptors'
    return state
  }

  private checkMemory(callNumber: number): CapState {
    const { total, used, limit } = totalBytes()
    const grown = total - this.lastTotal
    const calls = Math.max(1, this.callsSinceCheck)
    this.callsSinceCheck = 0
    this.lastTotal = total
    // Fewer calls between checks when the heap moves fast: never more than a quarter of the cap between two.
    const perCall = Math.max(grown, 0) / calls
    const interval = perCall > 0 ? Math.floor(this.limitBytes / 4 / perCall) : this.checkEvery * 2
    this.checkEvery = clamp(Math.min(interval, this.checkEvery * 2), 1, MAX_CHECK_INTERVAL)
    // The calls until the next check could allocate this much: more than the heap has left is a crash, not a verdict.
    const nextSteps = perCall * this.checkEvery * NEXT_CALLS_MARGIN
    if (total - this.baseline <= this.limitBytes && used <= limit * HEAP_LIMIT_SHARE && nextSteps <= limit - used) {
      return 'ok'
    }
    // Garbage counts in the cheap reading: only a post-GC reading may stop the run.
    this.gc()
    const after = totalBytes()
    this.lastTotal = after.total
    const retained = after.total - this.baseline
    if (after.used > after.limit * HEAP_LIMIT_SHARE || nextSteps > after.limit - after.used) {
      this.retainedAtStop = retained + this.oneTimeBytes
      return 'heap-limit'
    }
    if (retained <= this.limitBytes) {
      this.turns.under()
      return 'ok'
    }
    // Closed handles and due timers let go of their memory on the next turn: a reading first, then judge.
    if (this.turns.asksTurn()) return 'turn'
    if (!this.rebased && callNumber <= ONE_TIME_CALLS) {
      // The very first calls may build a large one-time structure: judge the calls after them instead.
      this.rebased = true
      this.oneTimeBytes = retained
      this.baseline = after.total
      this.checkEvery = 1
      return 'ok'
    }
    this.retainedAtStop = retained + this.oneTimeBytes
    return 'cap'
  }
}
