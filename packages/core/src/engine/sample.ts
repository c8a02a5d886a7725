import { type MemoryReading, noteSettled, readMemory, readTotalBytes } from '../probes/memory.js'
import { nextMacrotask, now, sleep } from './clock.js'
import type { Instruments, Leftovers } from './instruments.js'
import type { MeasurementLease } from './lease.js'

/** A post-GC reading: heap and external memory, and the handles, listeners and descriptors the calls left behind. */
export interface Reading extends MemoryReading, Leftovers {}

/** Runs of the reading code (without GC) before the first reading, so V8 has compiled it. */
const HARNESS_WARMUP_ROUNDS = 300
/** Of those, the rounds that count descriptors too (a count costs 4–30 µs: its code warms in far fewer). */
const DESCRIPTOR_WARMUP_ROUNDS = 30

/**
 * Warms the harness's own sampling code: its first runs allocate feedback vectors, baseline code and maps that
 * otherwise grow the heap by ~1–2 KB per reading for dozens of readings (0.1 B/call for a noop).
 */
export function warmHarness(instruments: Instruments): void {
  for (let round = 0; round < HARNESS_WARMUP_ROUNDS; round++) {
    instruments.releaseWeakRefs()
    instruments.prune()
    readMemory()
    instruments.leftovers(round < DESCRIPTOR_WARMUP_ROUNDS)
    readTotalBytes()
  }
}

/**
 * A reading with no JS of the calls running in between: one full Mark-Compact frees everything unreachable (a second
 * finds nothing more: the accuracy corpus reads the same with one or two, and it would double a clean verdict's cost).
 */
export function sampleSync(instruments: Instruments, gc: () => void): Reading {
  instruments.releaseWeakRefs()
  gc()
  if (instruments.prune() > 0) gc()
  noteSettled()
  return { ...readMemory(), ...instruments.leftovers() }
}

/**
 * A reading after the event loop turned: the calls' pending timers and immediates (those due within
 * `settleTimersMs`) run first, then a timer turn, GC, a macrotask (finalizers and weak callbacks free more), GC. Two
 * GCs, not three: in a Jest worker each costs 35–40 ms, and a pass takes eleven readings.
 */
export async function sampleAfterEventLoop(
  instruments: Instruments,
  gc: () => void,
  lease: MeasurementLease,
  settleTimersMs: number,
): Promise<Reading> {
  const settleUntil = Math.min(now() + settleTimersMs + 50, lease.endsAt)
  for (let wait = instruments.longestSettleableWait(); wait >= 0 && now() < settleUntil; ) {
    await (wait === 0 ? nextMacrotask() : sleep(Math.min(wait, 50, Math.max(1, settleUntil - now()))))
    if (lease.aborted) throw lease.abortError()
    wait = instruments.longestSettleableWait()
  }
  // Due timers of the calls run, then GC, a macrotask (finalizers and weak callbacks free more), GC.
  await sleep(0)
  instruments.releaseWeakRefs()
  gc()
  await nextMacrotask()
  gc()
  if (instruments.prune() > 0) gc()
  noteSettled()
  if (lease.aborted) throw lease.abortError()
  const memory = readMemory()
  // Handles freed by the last GC report their destruction on the next turn of the event loop.
  if (instruments.handles) await nextMacrotask()
  return { ...memory, ...instruments.leftovers() }
}
