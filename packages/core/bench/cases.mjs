// Accuracy corpus shared by the core's accuracy tests and bench/accuracy.mjs. Plain JS so both can load it.
import { LRUCache } from 'lru-cache'

/**
 * A case builds a fresh function to measure (state lives in the closure, like a module would hold it).
 * @typedef {{ name: string, make: () => () => unknown }} AccuracyCase
 */

/** @type {AccuracyCase[]} */
export const cleanCases = [
  { name: 'noop', make: () => () => {} },
  {
    name: 'allocation-heavy garbage',
    make: () => () => {
      const rows = []
      for (let i = 0; i < 20; i++) rows.push({ id: i, label: `row ${i}`, tags: [i, i + 1] })
      return rows.length
    },
  },
  {
    name: 'lru-cache with max 1000 fed unique keys',
    make: () => {
      const cache = new LRUCache({ max: 1000 })
      let n = 0
      return () => {
        n++
        cache.set(`key-${n}`, { n })
      }
    },
  },
  {
    name: 'lazy one-time initialisation',
    make: () => {
      /** @type {Map<number, string> | undefined} */
      let table
      return () => {
        table ??= new Map(Array.from({ length: 5000 }, (_, i) => [i, `entry ${i}`]))
        return table.get(42)
      }
    },
  },
  {
    name: 'string-heavy parsing',
    make: () => {
      let n = 0
      return () => {
        n++
        const text = `{"id":${n},"name":"user-${n}","tags":["a","b","c"],"note":"${'x'.repeat(n % 50)}"}`
        const parsed = JSON.parse(text)
        return parsed.name.split('-').concat(parsed.tags).join('|').toUpperCase()
      }
    },
  },
  {
    name: 'bounded array that is refilled',
    make: () => {
      const recent = []
      let n = 0
      return () => {
        recent.push({ at: n++ })
        if (recent.length > 256) recent.length = 0
      }
    },
  },
]

/** @type {AccuracyCase[]} */
export const leakCases = [
  {
    name: 'one object per call',
    make: () => {
      const kept = []
      return () => {
        kept.push({})
      }
    },
  },
  {
    name: 'one object per 100 calls',
    make: () => {
      const kept = []
      let n = 0
      return () => {
        if (++n % 100 === 0) kept.push({})
      }
    },
  },
  {
    name: 'one string per call',
    make: () => {
      const kept = []
      let n = 0
      return () => {
        kept.push(`item-${n++}`)
      }
    },
  },
  {
    name: 'one closure per call',
    make: () => {
      const handlers = []
      let n = 0
      return () => {
        const id = n++
        handlers.push(() => id)
      }
    },
  },
  {
    name: 'one Map entry per call',
    make: () => {
      const seen = new Map()
      let n = 0
      return () => {
        seen.set(n, n++)
      }
    },
  },
]

/** @type {AccuracyCase[]} */
export const asyncCleanCases = [
  { name: 'async noop', make: () => async () => {} },
  {
    name: 'async function awaiting a timer',
    make: () => async () => {
      await new Promise((resolve) => setTimeout(resolve, 0))
      return { done: true }
    },
  },
]

/** @type {AccuracyCase[]} */
export const asyncLeakCases = [
  {
    name: 'async function that keeps one object per call',
    make: () => {
      const kept = []
      return async () => {
        await Promise.resolve()
        kept.push({})
      }
    },
  },
]
