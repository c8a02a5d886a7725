import type { FnHook, Task } from 'tinybench'
import { isThenable } from './allocation.js'

/** A task's per-iteration hooks, called around each operation exactly as tinybench calls them in the run phase. */
export interface IterationHooks {
  beforeEach?: FnHook | undefined
  afterEach?: FnHook | undefined
}

const RESOLVED = Promise.resolve()

/**
 * One operation as tinybench runs it: `beforeEach`, the task function (with the task as `this`), `afterEach`.
 * The result is a thenable only when one of the three returned one.
 */
export function operation(task: Task, body: () => unknown, hooks: IterationHooks): () => unknown {
  const { beforeEach, afterEach } = hooks
  if (!beforeEach && !afterEach) return body
  const after = () => afterEach?.call(task, 'run')
  const bodyThenAfter = () => {
    let result: unknown
    try {
      result = body()
    } catch (error) {
      after()
      throw error
    }
    if (isThenable(result)) return Promise.resolve(result).finally(after)
    const afterResult = after()
    return isThenable(afterResult) ? Promise.resolve(afterResult).then(() => result) : result
  }
  return () => {
    const before = beforeEach?.call(task, 'run')
    return isThenable(before) ? Promise.resolve(before).then(bodyThenAfter) : bodyThenAfter()
  }
}

/**
 * The operation with the measured work taken out: same hooks, and a body that returns nothing (sync) or an
 * already-resolved promise (async). What it allocates is the harness's, not the task's.
 */
export function emptyOperations(task: Task, hooks: IterationHooks): { sync: () => unknown; async: () => unknown } {
  return {
    sync: operation(task, () => undefined, hooks),
    async: operation(task, () => RESOLVED, hooks),
  }
}
