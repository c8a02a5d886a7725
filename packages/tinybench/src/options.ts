import { DEFAULT_BUDGET, type LeakOptions } from '@leakproof/core'

/** Memory budgets for one operation of a task. */
export interface MemoryBudget {
  /**
   * Bytes per operation still reachable after full GC (JS heap and external memory, each judged against it).
   * Default 0.25, the `@leakproof/core` default: one 64 B object every 256 operations is a leak.
   */
  retainedBytesPerOp?: number
  /** Bytes allocated per operation, garbage included. Default: no limit. */
  allocatedBytesPerOp?: number
}

/** Budgets after defaults: `allocatedBytesPerOp` is `undefined` when there is no limit. */
export interface ResolvedMemoryBudget {
  retainedBytesPerOp: number
  allocatedBytesPerOp: number | undefined
}

export interface MemoryOptions {
  /** Budgets for every task. */
  budget?: MemoryBudget
  /** Budgets for some tasks, by task name; they override `budget` key by key. */
  taskBudgets?: Readonly<Record<string, MemoryBudget>>
  /**
   * Target duration of the allocation pass per task, milliseconds (at least 1,200 calls are measured whatever it
   * takes). The pass runs a warm-up window and three measured ones of a third of this each, and goes on, up to four
   * times as long, until the last three agree: code the optimising compiler has not yet replaced allocates more.
   * Default 100, range 1–60,000.
   */
  allocationTimeMs?: number
  /** Measure retained memory with `@leakproof/core`'s `measureLeak`. Default true. */
  retained?: boolean
  /**
   * Options for `measureLeak` (batches, time budget, event loop…). Its `budget` is set from `retainedBytesPerOp`.
   * Default `{ diagnose: false, turnEventLoop: false }`: a benchmark needs the figure, not a heap-snapshot
   * diagnosis; and letting the event loop turn needs `async_hooks`, and on Node 20 enabling a hook even once makes
   * every later `await` in the process slower and 144 B bigger, which would distort the next tasks' timings (async
   * tasks still have the event loop turn between batches). Set `turnEventLoop: 'auto'` for operations that free
   * memory from timers, and run such benchmarks in a process of their own.
   */
  leak?: Omit<LeakOptions, 'budget'>
}

export interface ResolvedMemoryOptions {
  budget: ResolvedMemoryBudget
  taskBudgets: ReadonlyMap<string, MemoryBudget>
  allocationTimeMs: number
  retained: boolean
  leak: Omit<LeakOptions, 'budget'>
}

const LEAK_DEFAULTS: Omit<LeakOptions, 'budget'> = Object.freeze({ diagnose: false, turnEventLoop: false })

const OPTION_KEYS = ['budget', 'taskBudgets', 'allocationTimeMs', 'retained', 'leak']
const BUDGET_KEYS = ['retainedBytesPerOp', 'allocatedBytesPerOp']

function describe(value: unknown): string {
  if (value === null) return 'null'
  if (Array.isArray(value)) return 'an array'
  if (typeof value === 'string') return `the string ${JSON.stringify(value)}`
  if (typeof value === 'object') return 'an object'
  return `${typeof value} ${String(value)}`
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

function checkBytes(where: string, value: unknown): number {
  if (typeof value !== 'number' || Number.isNaN(value) || value < 0) {
    throw new TypeError(`@leakproof/tinybench: ${where} must be a number of bytes ≥ 0, got ${describe(value)}.`)
  }
  return value
}

function checkBudget(where: string, value: unknown): MemoryBudget {
  if (!isPlainObject(value)) {
    throw new TypeError(
      `@leakproof/tinybench: ${where} must be an object like { retainedBytesPerOp: 1, allocatedBytesPerOp: 4096 }, ` +
        `got ${describe(value)}.`,
    )
  }
  const budget: MemoryBudget = {}
  for (const [key, entry] of Object.entries(value)) {
    if (!BUDGET_KEYS.includes(key)) {
      throw new RangeError(
        `@leakproof/tinybench: unknown option ${where}.${key}. Valid options are: ${BUDGET_KEYS.join(', ')}.`,
      )
    }
    if (entry !== undefined) budget[key as keyof MemoryBudget] = checkBytes(`${where}.${key}`, entry)
  }
  return budget
}

/** Validates the options and fills in defaults. Throws a TypeError or RangeError that names the key. */
export function resolveMemoryOptions(options: unknown): ResolvedMemoryOptions {
  const resolved: ResolvedMemoryOptions = {
    budget: { retainedBytesPerOp: DEFAULT_BUDGET.heap, allocatedBytesPerOp: undefined },
    taskBudgets: new Map(),
    allocationTimeMs: 100,
    retained: true,
    leak: LEAK_DEFAULTS,
  }
  if (options === undefined) return resolved
  if (!isPlainObject(options)) {
    throw new TypeError(`@leakproof/tinybench: options must be an object, got ${describe(options)}.`)
  }
  for (const [key, value] of Object.entries(options)) {
    if (!OPTION_KEYS.includes(key)) {
      throw new RangeError(`@leakproof/tinybench: unknown option ${key}. Valid options are: ${OPTION_KEYS.join(', ')}.`)
    }
    if (value === undefined) continue
    if (key === 'budget') {
      resolved.budget = applyBudget(resolved.budget, checkBudget('budget', value))
    } else if (key === 'taskBudgets') {
      if (!isPlainObject(value)) {
        throw new TypeError(
          `@leakproof/tinybench: taskBudgets must be an object keyed by task name, got ${describe(value)}.`,
        )
      }
      resolved.taskBudgets = new Map(
        Object.entries(value).map(([name, budget]) => [
          name,
          checkBudget(`taskBudgets[${JSON.stringify(name)}]`, budget),
        ]),
      )
    } else if (key === 'allocationTimeMs') {
      if (typeof value !== 'number' || !(value >= 1 && value <= 60_000)) {
        throw new RangeError(
          `@leakproof/tinybench: allocationTimeMs must be a number from 1 to 60,000, got ${describe(value)}.`,
        )
      }
      resolved.allocationTimeMs = value
    } else if (key === 'retained') {
      if (typeof value !== 'boolean') {
        throw new TypeError(`@leakproof/tinybench: retained must be true or false, got ${describe(value)}.`)
      }
      resolved.retained = value
    } else {
      if (!isPlainObject(value)) {
        throw new TypeError(
          `@leakproof/tinybench: leak must be an object of measureLeak options, got ${describe(value)}.`,
        )
      }
      if ('budget' in value) {
        throw new RangeError(
          '@leakproof/tinybench: set the retained budget with budget.retainedBytesPerOp, not leak.budget.',
        )
      }
      resolved.leak = { ...LEAK_DEFAULTS, ...value }
    }
  }
  return resolved
}

/** `budget` with the keys that `override` sets replaced. */
export function applyBudget(budget: ResolvedMemoryBudget, override: MemoryBudget | undefined): ResolvedMemoryBudget {
  return {
    retainedBytesPerOp: override?.retainedBytesPerOp ?? budget.retainedBytesPerOp,
    allocatedBytesPerOp: override?.allocatedBytesPerOp ?? budget.allocatedBytesPerOp,
  }
}
