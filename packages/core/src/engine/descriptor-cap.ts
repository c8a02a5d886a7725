import { clamp } from '../util.js'
import { now } from './clock.js'
import type { CapState } from './retained.js'
import { TurnGate } from './turn-gate.js'

/** The most descriptors a measurement may leave open before it stops as a leak. */
export const MAX_DESCRIPTORS = 1024
/** ... and never more than this share of the descriptors still free under the process's limit when it starts. */
const FREE_DESCRIPTORS_SHARE = 0.25
/** A bound lower than this would stop on a one-time step (a lazily opened DNS socket): under it, no cap. */
const MIN_DESCRIPTORS = 8
/**
 * Clock time between two counts while the count does not move: at most the time in which the fastest descriptor
 * leak (about 2 µs per `openSync` on a fast machine) could use up half of the bound, and never more than 2 ms.
 */
const FASTEST_OPEN_MS = 0.002
const MAX_QUIET_MS = 2
/** Calls between two looks at the clock, at most (a noop takes ~20 ns: a count every call would cost 200×). */
const MAX_CHECK_INTERVAL = 4096

/** The bound for a process that has `free` descriptors left (undefined: its limit is unknown). */
export function descriptorBound(free: number | undefined): number {
  if (free === undefined) return MAX_DESCRIPTORS
  return Math.min(MAX_DESCRIPTORS, Math.max(MIN_DESCRIPTORS, Math.floor(free * FREE_DESCRIPTORS_SHARE)))
}

/**
 * The guard on descriptors opened since the measurement started: a fast sync fn makes tens of thousands of calls a
 * pass, and a descriptor leak would reach EMFILE (fn throws: an error instead of a verdict) long before its end. It
 * counts every few calls (fewer the faster the count moved), but never more often than every few milliseconds of
 * clock time while the count stays flat, so cheap calls stay cheap.
 */
export class DescriptorCap {
  private callsSinceCheck = 0
  private checkEvery = 1
  private lastCheckAt = Number.NEGATIVE_INFINITY
  private lastCount = 0
  private lastRate = 0
  private readonly turns: TurnGate
  /** Descriptors opened since the start when the guard stopped the run. */
  countAtStop = 0

  constructor(
    /** Growth since the start past which the run stops. */
    public limit: number,
    /** Open descriptors now less those at the start; undefined when they cannot be counted. */
    private readonly count: () => number | undefined,
    /** True while descriptors may be closed by work that runs when the event loop turns (sockets, async fs). */
    eventLoopPending: () => boolean,
  ) {
    this.turns = new TurnGate(eventLoopPending)
  }

  noteReading(): void {
    this.turns.noteReading()
  }

  /** After a call: 'ok', 'turn' (a reading first, the descriptors may close then) or 'cap' (stop: a leak). */
  afterCall(): CapState {
    if (++this.callsSinceCheck < this.checkEvery) return 'ok'
    return this.check()
  }

  check(): CapState {
    const calls = Math.max(1, this.callsSinceCheck)
    this.callsSinceCheck = 0
    const headroom = Math.max(1, this.limit - this.lastCount)
    const at = now()
    if (this.lastRate === 0 && at - this.lastCheckAt < Math.min(MAX_QUIET_MS, (headroom / 2) * FASTEST_OPEN_MS)) {
      this.checkEvery = clamp(this.checkEvery * 2, 1, Math.min(MAX_CHECK_INTERVAL, Math.ceil(headroom / 2)))
      return 'ok'
    }
    const count = this.count()
    if (count === undefined) return 'ok'
    this.lastCheckAt = at
    this.lastRate = Math.max(0, count - this.lastCount) / calls
    this.lastCount = count
    // Calls until the next count: a quarter of what the bound has left at the latest rate, or (flat) at one a call.
    const left = Math.max(1, this.limit - count)
    const byRate = this.lastRate > 0 ? Math.floor(left / 4 / this.lastRate) : this.checkEvery * 2
    this.checkEvery = clamp(byRate, 1, Math.min(MAX_CHECK_INTERVAL, Math.ceil(left / 2)))
    if (count <= this.limit) {
      this.turns.under()
      return 'ok'
    }
    // Sockets closed by sync calls, files closed by callbacks: their descriptors go when the event loop turns.
    if (this.turns.asksTurn()) return 'turn'
    this.countAtStop = count
    return 'cap'
  }
}
