import { formatCount } from '@leakproof/core'
import { formatBytesPerOp, formatDecimal } from './format.js'
import type { ResolvedMemoryOptions } from './options.js'
import type { TaskMemory } from './result.js'

/** Names of the columns added to `bench.table()` rows. Units are in the names. */
export const MEMORY_COLUMNS = {
  allocated: 'Allocated (B/op)',
  retained: 'Retained (B/op)',
  gcCount: 'GCs (per 1k ops)',
  gcTime: 'GC time (ns/op)',
  budget: 'Memory budget',
} as const

export type MemoryColumn = (typeof MEMORY_COLUMNS)[keyof typeof MEMORY_COLUMNS]

const NOT_AVAILABLE = 'N/A'

/** The memory cells of one table row. */
export function memoryCells(memory: TaskMemory | undefined): Record<MemoryColumn, string> {
  if (!memory) {
    return {
      [MEMORY_COLUMNS.allocated]: NOT_AVAILABLE,
      [MEMORY_COLUMNS.retained]: NOT_AVAILABLE,
      [MEMORY_COLUMNS.gcCount]: NOT_AVAILABLE,
      [MEMORY_COLUMNS.gcTime]: NOT_AVAILABLE,
      [MEMORY_COLUMNS.budget]: 'not measured',
    }
  }
  if (memory.state === 'errored') {
    return {
      [MEMORY_COLUMNS.allocated]: NOT_AVAILABLE,
      [MEMORY_COLUMNS.retained]: NOT_AVAILABLE,
      [MEMORY_COLUMNS.gcCount]: NOT_AVAILABLE,
      [MEMORY_COLUMNS.gcTime]: NOT_AVAILABLE,
      [MEMORY_COLUMNS.budget]: `error: ${memory.error.message}`,
    }
  }
  const { allocation, retained, breaches } = memory
  return {
    [MEMORY_COLUMNS.allocated]: formatDecimal(allocation.bytesPerOp),
    [MEMORY_COLUMNS.retained]: retained ? formatDecimal(retained.bytesPerOp) : NOT_AVAILABLE,
    [MEMORY_COLUMNS.gcCount]: formatDecimal(allocation.gcCountPerOp * 1000),
    [MEMORY_COLUMNS.gcTime]: formatDecimal(allocation.gcTimeNsPerOp),
    [MEMORY_COLUMNS.budget]: breaches.length === 0 ? 'ok' : `OVER: ${breaches.map((b) => b.metric).join(', ')}`,
  }
}

/** How each column was obtained, one line per column, for printing under the table. */
export function memoryLegend(settings: ResolvedMemoryOptions): string {
  const { budget, taskBudgets } = settings
  const allocatedBudget =
    budget.allocatedBytesPerOp === undefined ? 'no limit' : `≤ ${formatBytesPerOp(budget.allocatedBytesPerOp)}`
  const overrides = taskBudgets.size > 0 ? `; own budgets for ${[...taskBudgets.keys()].join(', ')}` : ''
  return [
    `${MEMORY_COLUMNS.allocated}: bytes freed by every GC (v8.GCProfiler) plus live-heap growth, over ≥ ${formatCount(1200)} ` +
      `calls (~${formatCount(settings.allocationTimeMs)} ms) in a pass of its own after the timed run, minus the ` +
      `measuring loop's own allocation; compiled code not counted.`,
    `${MEMORY_COLUMNS.retained}: JS heap + external bytes still reachable per call after full GC ` +
      '(@leakproof/core measureLeak: slope over post-GC samples, re-measured when suspect).',
    `${MEMORY_COLUMNS.gcCount}, ${MEMORY_COLUMNS.gcTime}: collections V8 ran during the allocation pass and their ` +
      'pause time (v8.GCProfiler cost).',
    `${MEMORY_COLUMNS.budget}: retained ≤ ${formatBytesPerOp(budget.retainedBytesPerOp)}, allocated ${allocatedBudget}` +
      `${overrides}. Tasks over budget fail bench.memory.assertWithinBudget().`,
  ].join('\n')
}
