import { type LeakReport, measureLeak } from '@leakproof/core'
import type { Bench, ConsoleTableConverter, Fn, FnHook, FnOptions, Task } from 'tinybench'
import { type AllocationFigures, isThenable, measureAllocation } from './allocation.js'
import { type BudgetFailure, budgetFailures, MemoryBudgetError } from './budget.js'
import { emptyOperations, type IterationHooks, operation } from './operation.js'
import {
  applyBudget,
  type MemoryOptions,
  type ResolvedMemoryBudget,
  type ResolvedMemoryOptions,
  resolveMemoryOptions,
} from './options.js'
import { findBreaches, type RetainedFigures, type TaskMemory } from './result.js'
import { memoryCells, memoryLegend } from './table.js'

/** A row of `bench.table()`, with the memory columns added. */
export type MemoryTableRow = Record<string, number | string | undefined>

/** What `withMemory` adds to a bench as `bench.memory`. */
export interface BenchMemory {
  /** Memory figures of the tasks measured so far, in task order. */
  readonly results: TaskMemory[]
  /** The memory figures of one task (by task or name); `undefined` before its run phase ended. */
  of(task: Task | string): TaskMemory | undefined
  /**
   * `bench.table(convert)` with the memory columns added to each row: allocated and retained bytes per operation,
   * GCs per 1,000 operations, GC time per operation and the budget verdict.
   */
  table(convert?: ConsoleTableConverter): Array<MemoryTableRow | null>
  /** How each memory column was obtained, one line per column: print it under the table. */
  legend(): string
  /** Tasks over their budget, and tasks whose memory could not be measured. */
  failures(): BudgetFailure[]
  /** Throws a `MemoryBudgetError` listing the tasks over budget; returns quietly when all are within it. */
  assertWithinBudget(): void
}

export type MemoryBench<B extends Bench = Bench> = B & { readonly memory: BenchMemory }

function toError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error))
}

function describe(value: unknown): string {
  if (value === null) return 'null'
  return typeof value === 'object' ? 'an object that is not a tinybench Bench' : `${typeof value} ${String(value)}`
}

function checkBench(bench: unknown): asserts bench is Bench {
  const candidate = bench as Partial<Bench> | null
  const isBench =
    typeof candidate === 'object' &&
    candidate !== null &&
    typeof candidate.add === 'function' &&
    typeof candidate.getTask === 'function' &&
    typeof candidate.table === 'function' &&
    Array.isArray(candidate.tasks)
  if (!isBench) {
    throw new TypeError(`@leakproof/tinybench: withMemory(bench) expects a tinybench Bench, got ${describe(bench)}.`)
  }
  if ('memory' in candidate) {
    throw new TypeError('@leakproof/tinybench: withMemory was already applied to this bench.')
  }
  if (candidate.concurrency === 'bench') {
    throw new TypeError(
      "@leakproof/tinybench: concurrency: 'bench' runs tasks at the same time, so one task's memory pass would " +
        "count the others' allocations and slow their timed runs. Use concurrency: null or 'task'.",
    )
  }
  if (candidate.tasks.length > 0) {
    throw new TypeError(
      `@leakproof/tinybench: call withMemory(bench) before bench.add(): tinybench keeps a task's function ` +
        `private, so the plugin must see it being added (already added: ${candidate.tasks.map((t) => JSON.stringify(t.name)).join(', ')}).`,
    )
  }
}

/**
 * Adds memory figures to every task added to `bench` from now on, measured in passes of their own after each
 * task's timed run (from the task's `afterAll` hook, so the timed loop is untouched):
 *
 * - allocated bytes per operation, GC count and GC time per operation (`v8.GCProfiler` over a tight loop);
 * - retained bytes per operation after full GC (`@leakproof/core`'s `measureLeak`).
 *
 * Read them with `bench.memory.table()`, `bench.memory.results` or `bench.memory.of(task)`; gate CI with
 * `bench.memory.assertWithinBudget()`. Call it before `bench.add()`. `concurrency: 'bench'` is not supported.
 */
export function withMemory<B extends Bench>(bench: B, options?: MemoryOptions): MemoryBench<B> {
  checkBench(bench)
  const settings = resolveMemoryOptions(options)
  const store = new Map<Task, TaskMemory>()
  /** Inside `runSync()`: hooks must return synchronously, so the leak measurement never waits for timers. */
  let syncRunDepth = 0

  const withSyncFlag = <T>(run: () => T): T => {
    syncRunDepth++
    try {
      return run()
    } finally {
      syncRunDepth--
    }
  }

  const measureTask = (task: Task, fn: Fn, hooks: IterationHooks): void | Promise<void> => {
    const startedAt = performance.now()
    const budget = applyBudget(settings.budget, settings.taskBudgets.get(task.name))
    const fail = (error: unknown) => {
      store.set(task, { state: 'errored', name: task.name, budget, error: toError(error) })
    }
    const finish = (allocation: AllocationFigures, retained: RetainedFigures | undefined) => {
      store.set(task, {
        state: 'measured',
        name: task.name,
        budget,
        allocation,
        retained,
        breaches: findBreaches(allocation, retained, budget),
        durationMs: performance.now() - startedAt,
      })
    }
    const sync = syncRunDepth > 0
    const op = operation(task, () => fn.call(task), hooks)
    try {
      const allocation = measureAllocation(op, emptyOperations(task, hooks), { timeMs: settings.allocationTimeMs })
      if (isThenable(allocation)) {
        return allocation
          .then(async (figures) => finish(figures, await measureRetained(op, budget, settings, sync)))
          .catch(fail)
      }
      const retained = measureRetained(op, budget, settings, sync)
      if (isThenable(retained)) return retained.then((figures) => finish(allocation, figures), fail)
      finish(allocation, retained)
    } catch (error) {
      fail(error)
    }
  }

  // tinybench's own Bench type: the wrappers return `this`, which is the caller's `B`.
  const target: Bench = bench
  const originalAdd = target.add
  const originalRunSync = target.runSync
  target.add = function add(this: Bench, name: string, fn: Fn, fnOpts: FnOptions = {}) {
    if (typeof fn !== 'function') {
      throw new TypeError(`@leakproof/tinybench: bench.add(${JSON.stringify(name)}, fn) needs a function.`)
    }
    const userAfterAll = fnOpts.afterAll
    const hooks: IterationHooks = { beforeEach: fnOpts.beforeEach, afterEach: fnOpts.afterEach }
    const afterAll: FnHook = function (this: Task, mode) {
      const user = userAfterAll?.call(this, mode)
      // Measure once the run phase's timed iterations are over; skip warm-up and aborted tasks.
      if (mode !== 'run') return user
      const measure = () => (this.result.state === 'aborted' ? undefined : measureTask(this, fn, hooks))
      return isThenable(user) ? Promise.resolve(user).then(measure) : measure()
    }
    originalAdd.call(this, name, fn, { ...fnOpts, afterAll })
    const task = this.getTask(name)
    if (task) {
      const taskRunSync = task.runSync
      task.runSync = function runSync(this: Task) {
        return withSyncFlag(() => taskRunSync.call(this))
      }
    }
    return this
  }
  target.runSync = function runSync(this: Bench) {
    return withSyncFlag(() => originalRunSync.call(this))
  }

  const results = () => bench.tasks.flatMap((task) => store.get(task) ?? [])
  /** Tasks that errored in tinybench before their run phase ended have no figures: their budget is unverified. */
  const failures = () => {
    const found = budgetFailures(results())
    for (const task of bench.tasks) {
      const result = task.result
      if (!store.has(task) && result.state === 'errored') {
        found.push({ name: task.name, breaches: [], error: result.error })
      }
    }
    return found
  }
  const memory: BenchMemory = {
    get results() {
      return results()
    },
    of(task) {
      const found = typeof task === 'string' ? bench.getTask(task) : task
      return found ? store.get(found) : undefined
    },
    table(convert) {
      const rows = convert ? bench.table(convert) : bench.table()
      const tasks = bench.tasks
      return rows.map((row, index) => {
        const task = tasks[index]
        return row === null ? null : { ...row, ...memoryCells(task ? store.get(task) : undefined) }
      })
    },
    legend: () => memoryLegend(settings),
    failures,
    assertWithinBudget() {
      if (store.size === 0 && !bench.tasks.some((task) => task.result.state === 'errored')) {
        throw new Error(
          '@leakproof/tinybench: no task has memory figures yet: await bench.run() (or call bench.runSync()) first.',
        )
      }
      const found = failures()
      if (found.length > 0) throw new MemoryBudgetError(found)
    },
  }
  Object.defineProperty(bench, 'memory', { value: memory, enumerable: false })
  return bench as MemoryBench<B>
}

function measureRetained(
  op: () => unknown,
  budget: ResolvedMemoryBudget,
  settings: ResolvedMemoryOptions,
  sync: boolean,
): RetainedFigures | undefined | Promise<RetainedFigures> {
  if (!settings.retained) return undefined
  const perOp = budget.retainedBytesPerOp
  const report = measureLeak(op, {
    ...settings.leak,
    budget: { heap: perOp, external: perOp },
    ...(sync ? { turnEventLoop: false } : {}),
  })
  return isThenable(report) ? report.then(retainedFigures) : retainedFigures(report)
}

function retainedFigures(report: LeakReport): RetainedFigures {
  const { heap, external } = report.metrics
  return {
    bytesPerOp: heap.perCall + external.perCall,
    heapBytesPerOp: heap.perCall,
    externalBytesPerOp: external.perCall,
    exceeded: heap.exceeded || external.exceeded,
    report,
  }
}
