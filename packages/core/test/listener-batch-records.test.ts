import { EventEmitter } from 'node:events'
import { expect, it } from 'vitest'
import { getFullGc } from '../src/gc.js'
import { clearKeptWeakRefTargets, ListenerTracker } from '../src/probes/listeners.js'

/**
 * Under this, the tables are gone: kept, they are 4.2–4.3 MB for 100,000 targets. The rest of the heap in a Vitest
 * worker moves by up to ~0.6 MB over a test.
 */
const GONE = 1.5 * 1024 * 1024

/**
 * Heap growth (bytes) from before one batch of `calls` under an installed tracker to the reading after it, read as the
 * engine reads: WeakRef targets made in this job let go, a GC, dead targets pruned, a GC.
 */
function retainedAfterBatch(calls: () => void): { grew: number; listeners: number } {
  const gc = getFullGc()
  const tracker = new ListenerTracker()
  tracker.install()
  try {
    const heap = () => {
      clearKeptWeakRefTargets()
      gc()
      tracker.prune()
      gc()
      return process.memoryUsage().heapUsed
    }
    const before = heap()
    tracker.startBatch()
    tracker.recording = true
    calls()
    tracker.recording = false
    tracker.endBatch()
    return { grew: heap() - before, listeners: tracker.count().total }
  } finally {
    tracker.uninstall()
  }
}

// The listener tracker notes, while a batch of calls runs, every emitter the batch creates (listeners added to them
// belong to objects of the calls). Its WeakSet keeps the table size that its most entries at once needed, after GC
// has dropped the dead ones: kept until the next batch, it stood in every reading, and it changed size from batch
// to batch with the GCs, in steps of 16–256 KB that a clean HTTP client over keep-alive read as a leak.
it("a batch's record of the emitters it created is gone by the reading after it", () => {
  const { grew } = retainedAfterBatch(() => {
    // All alive at once, as the emitters of a batch of HTTP calls are between two GCs.
    const created: EventEmitter[] = []
    for (let i = 0; i < 100_000; i++) created.push(new EventEmitter())
    created.length = 0
  })
  // 4.2 MB when the set stayed into the reading; 12–14 KB with it gone.
  expect(grew).toBeLessThan(GONE)
})

// Targets the tracker found on its own (an EventTarget has no constructor hook, so an AbortSignal made per call is
// tracked, weakly) are kept in an array and indexed in a WeakMap, whose tables never shrink either: both are rebuilt
// from the targets still alive when the dead ones are pruned, before the reading.
it('the list and index of targets that died are gone by the reading after them', () => {
  const { grew, listeners } = retainedAfterBatch(() => {
    const controllers: AbortController[] = []
    for (let i = 0; i < 100_000; i++) {
      const controller = new AbortController()
      controller.signal.addEventListener('abort', () => {})
      controllers.push(controller)
    }
    controllers.length = 0
  })
  // 4.3 MB with the old index kept; 128–131 KB here run alone (most of it what the same loop leaves without
  // leakproof), once 620 KB in a run of the accuracy files.
  expect(grew).toBeLessThan(GONE)
  expect(listeners).toBe(0)
})
