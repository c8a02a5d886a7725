import { formatBytesPerOp } from './format.js'
import type { BudgetBreach, TaskMemory } from './result.js'

/** A task that failed its memory budget, or whose memory could not be measured. */
export interface BudgetFailure {
  name: string
  /** Budgets it went over (empty when it was not measured). */
  breaches: BudgetBreach[]
  /** Why it was not measured: the error a memory pass hit. */
  error?: Error
}

const METRIC_NOTES: Record<BudgetBreach['metric'], string> = {
  retained: 'still reachable after full GC',
  allocated: 'garbage included',
}

/** Thrown by `assertWithinBudget()` when tasks are over their memory budget. `failures` lists them. */
export class MemoryBudgetError extends Error {
  override name = 'MemoryBudgetError'
  readonly failures: BudgetFailure[]

  constructor(failures: BudgetFailure[]) {
    const count = failures.length
    const lines = failures.map((failure) => `  - ${JSON.stringify(failure.name)}: ${describeFailure(failure)}`)
    super(
      `${count} benchmark task${count === 1 ? ' is' : 's are'} over the memory budget:\n${lines.join('\n')}\n` +
        'Fix the task, or raise its budget: withMemory(bench, { budget: {...}, taskBudgets: { name: {...} } }).',
    )
    this.failures = failures
  }
}

function describeFailure(failure: BudgetFailure): string {
  if (failure.error) return `memory not measured (${failure.error.message})`
  return failure.breaches
    .map(
      (breach) =>
        `${breach.metric} ${formatBytesPerOp(breach.bytesPerOp)} > budget ${formatBytesPerOp(breach.budget)} ` +
        `(${METRIC_NOTES[breach.metric]})`,
    )
    .join(', ')
}

/** Tasks over budget, in task order. An errored memory pass counts as a failure: the budget was not verified. */
export function budgetFailures(results: readonly TaskMemory[]): BudgetFailure[] {
  const failures: BudgetFailure[] = []
  for (const result of results) {
    if (result.state === 'errored') failures.push({ name: result.name, breaches: [], error: result.error })
    else if (result.breaches.length > 0) failures.push({ name: result.name, breaches: result.breaches })
  }
  return failures
}
