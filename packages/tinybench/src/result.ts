import type { LeakReport } from '@leakproof/core'
import type { AllocationFigures } from './allocation.js'
import type { ResolvedMemoryBudget } from './options.js'

/** Memory still reachable after full GC, per operation, from `@leakproof/core`'s `measureLeak`. */
export interface RetainedFigures {
  /** JS heap + external bytes retained per operation. */
  bytesPerOp: number
  /** JS heap bytes retained per operation (slope of post-GC heap over the judged batches). */
  heapBytesPerOp: number
  /** External and ArrayBuffer bytes (Buffers, typed arrays) retained per operation. */
  externalBytesPerOp: number
  /** True when `@leakproof/core` judged the growth a leak against `retainedBytesPerOp` (re-measured to confirm). */
  exceeded: boolean
  /** The full report: calls, batches, samples, verdict. */
  report: LeakReport
}

/** A budget a task went over. */
export interface BudgetBreach {
  metric: 'retained' | 'allocated'
  /** The measured figure, bytes per operation. */
  bytesPerOp: number
  /** The budget, bytes per operation. */
  budget: number
}

interface TaskMemoryBase {
  /** The task's name. */
  name: string
  /** The budgets the task was judged against. */
  budget: ResolvedMemoryBudget
}

/** Both passes ran. */
export interface TaskMemoryMeasured extends TaskMemoryBase {
  state: 'measured'
  allocation: AllocationFigures
  /** `undefined` when the `retained` option is off. */
  retained: RetainedFigures | undefined
  /** Budgets the task went over; empty when it stayed within them. */
  breaches: BudgetBreach[]
  /** Wall time of the memory passes, milliseconds (outside the timed run). */
  durationMs: number
}

/** The task function (or a hook) threw during a memory pass. */
export interface TaskMemoryErrored extends TaskMemoryBase {
  state: 'errored'
  error: Error
}

/** The memory figures of one task. */
export type TaskMemory = TaskMemoryMeasured | TaskMemoryErrored

/** Budgets a measured task went over. */
export function findBreaches(
  allocation: AllocationFigures,
  retained: RetainedFigures | undefined,
  budget: ResolvedMemoryBudget,
): BudgetBreach[] {
  const breaches: BudgetBreach[] = []
  if (retained?.exceeded) {
    breaches.push({ metric: 'retained', bytesPerOp: retained.bytesPerOp, budget: budget.retainedBytesPerOp })
  }
  if (budget.allocatedBytesPerOp !== undefined && allocation.bytesPerOp > budget.allocatedBytesPerOp) {
    breaches.push({ metric: 'allocated', bytesPerOp: allocation.bytesPerOp, budget: budget.allocatedBytesPerOp })
  }
  return breaches
}
