/**
 * What a guard over the cap does before it stops a run while the event loop has work pending: sync calls that close
 * sockets, clear timers or close files let go of their memory and descriptors only when the loop turns. The first
 * check over the cap asks for a turn (the batch ends for a reading); only a check still over it after a reading stops
 * the run. The memory cap and the descriptor cap each keep one.
 */
export class TurnGate {
  private asked = false
  private readingsSinceAsked = 0

  constructor(
    /** True while the calls' memory or descriptors may be let go by work that runs when the event loop turns. */
    private readonly eventLoopPending: () => boolean,
  ) {}

  /** A reading ran (the event loop turned, when the measurement turns it). */
  noteReading(): void {
    this.readingsSinceAsked++
  }

  /** A check found the run under the cap: a later excess asks for a turn again. */
  under(): void {
    this.asked = false
  }

  /** Over the cap: true when a turn of the event loop must come first ('turn'), false when the run stops. */
  asksTurn(): boolean {
    if (!this.eventLoopPending() || (this.asked && this.readingsSinceAsked > 0)) return false
    if (!this.asked) this.readingsSinceAsked = 0
    this.asked = true
    return true
  }
}
