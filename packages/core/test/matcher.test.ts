import { stripVTControlCharacters } from 'node:util'
import { describe, expect, it } from 'vitest'
import { createToLeakMatcher, type LeakReport } from '../src/index.js'

// The framework-neutral matcher, registered on Vitest's real expect (the adapters do the same).
const seen: LeakReport[] = []
expect.extend({ toLeak: createToLeakMatcher({ onReport: (report) => seen.push(report) }) })

interface LeakMatchers {
  toLeak(options?: object): unknown
}
const expectFn = (fn: unknown) => expect(fn) as unknown as LeakMatchers & { not: LeakMatchers }

const leaking = () => {
  const kept: object[] = []
  return () => {
    kept.push({})
  }
}
const clean = () => () => ({ garbage: [1, 2, 3] })

// Figures and timings vary run to run; the wording must not.
const normalise = (message: string) =>
  stripVTControlCharacters(message)
    .replace(/-?\d[\d,]*(\.\d+)?/g, 'N')
    .replace(/[▁▂▃▄▅▆▇█]+/g, '▁')

describe('toLeak', () => {
  it('.not passes for clean code and fails for a leak', () => {
    expectFn(clean()).not.toLeak()
    expect(() => expectFn(leaking()).not.toLeak()).toThrow(/Expected fn not to leak, but it does: heap/)
  })

  it('the positive form passes for a leak and fails for clean code', () => {
    expectFn(leaking()).toLeak()
    expect(() => expectFn(clean()).toLeak()).toThrow(/Expected fn to leak, but it did not/)
  })

  it('an async function gives a promise that must be awaited', async () => {
    const pending = expectFn(async () => {}).not.toLeak()
    expect(pending).toBeInstanceOf(Promise)
    await pending
  })

  it('reports every measurement to the onReport hook', () => {
    const before = seen.length
    expectFn(clean()).not.toLeak()
    expect(seen.length).toBe(before + 1)
    expect(JSON.parse(JSON.stringify(seen.at(-1)))).toEqual(seen.at(-1))
  })

  it('rejects a non-function with a clear error', () => {
    expect(() => expectFn(42).not.toLeak()).toThrow(
      'expect(fn).toLeak() expects a function to call repeatedly, got number 42',
    )
  })

  it('failure messages keep their wording', () => {
    let notMessage = ''
    let positiveMessage = ''
    try {
      expectFn(leaking()).not.toLeak({ confirm: false })
    } catch (error) {
      notMessage = (error as Error).message
    }
    try {
      expectFn(clean()).toLeak()
    } catch (error) {
      positiveMessage = (error as Error).message
    }
    expect(normalise(notMessage).split('\n').slice(0, 4).join('\n')).toMatchSnapshot()
    expect(normalise(positiveMessage).split('\n').slice(0, 4).join('\n')).toMatchSnapshot()
  })
})
