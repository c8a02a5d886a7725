import type { CallsResult } from './calls.js'
import type { Reading } from './sample.js'

/**
 * What the engine and the diagnosis ask their driver to do. They are written once as generators of these steps, so
 * the same logic runs a sync function synchronously and an async one with awaits.
 */
export type Step =
  /** Call fn `count` times, stopping early at `stopAt` (clock time). */
  | { type: 'calls'; count: number; stopAt: number }
  /** A post-GC reading (after the event loop turned, when it must). */
  | { type: 'sample' }
  /** Run the reading code a few hundred times without a GC, so V8 has compiled it before the first reading. */
  | { type: 'warm-harness' }
  /** From here on V8 optimises nothing new (see optimization.ts); undone when the measurement ends. */
  | { type: 'hold-optimization' }
  /** One full GC, nothing else (the diagnosis's settling before a profile or a snapshot); returns its ms. */
  | { type: 'gc' }

export type StepResult = CallsResult | Reading | number | undefined

export type Steps<R> = Generator<Step, R, StepResult>
