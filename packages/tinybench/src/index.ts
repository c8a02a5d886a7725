export type { AllocationFigures } from './allocation.js'
export type { BudgetFailure } from './budget.js'
export { MemoryBudgetError } from './budget.js'
export { formatBytesPerOp } from './format.js'
export type { MemoryBudget, MemoryOptions, ResolvedMemoryBudget } from './options.js'
export type { BenchMemory, MemoryBench, MemoryTableRow } from './plugin.js'
export { withMemory } from './plugin.js'
export type {
  BudgetBreach,
  RetainedFigures,
  TaskMemory,
  TaskMemoryErrored,
  TaskMemoryMeasured,
} from './result.js'
export type { MemoryColumn } from './table.js'
export { MEMORY_COLUMNS } from './table.js'
