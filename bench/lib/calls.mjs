// Shared by the approaches and the reference: load a case, call its fn (sync or async), read memory.
import { setImmediate as nextTurn } from 'node:timers/promises'
import { pathToFileURL } from 'node:url'

/** Imports a case module and runs its setup. */
export async function loadCase(file) {
  const testCase = await import(pathToFileURL(file).href)
  for (const key of ['fn', 'label', 'metric', 'reason']) {
    if (testCase[key] === undefined) throw new Error(`${file}: case must export ${key}`)
  }
  await testCase.setup?.()
  return testCase
}

function isThenable(value) {
  return (
    value !== null && (typeof value === 'object' || typeof value === 'function') && typeof value.then === 'function'
  )
}

/**
 * Calls fn `count` times, one after another (awaiting each call when fn is async). Returns the calls done.
 * `turnEventLoop` lets timers and immediates run every ~10 ms, as they would in an application; calls stop early
 * at `deadline` (a performance.now() value).
 */
export async function callMany(fn, count, { turnEventLoop = false, deadline = Number.POSITIVE_INFINITY } = {}) {
  let done = 0
  let lastTurn = performance.now()
  while (done < count && ((done & 63) !== 0 || performance.now() < deadline)) {
    const result = fn()
    done++
    if (isThenable(result)) await result
    if (turnEventLoop && (done & 63) === 0 && performance.now() - lastTurn > 10) {
      await nextTurn()
      lastTurn = performance.now()
    }
  }
  return done
}

/** Calls per millisecond of fn, measured over about `ms` milliseconds or `maxCalls` (these calls are warm-up too). */
export async function callsPerMs(fn, ms, options, maxCalls = Number.POSITIVE_INFINITY) {
  const started = performance.now()
  let calls = 0
  let chunk = 1
  while (performance.now() - started < ms && calls < maxCalls) {
    calls += await callMany(fn, chunk, options)
    chunk = Math.min(chunk * 2, 4096)
  }
  return calls / (performance.now() - started)
}

export function maxRssKb() {
  return process.resourceUsage().maxRSS
}
