import { afterEach, describe, expect, test } from 'vitest'

const retained: object[] = []
afterEach(() => {
  retained.length = 0
})

const clean = () => ({ id: 1 }).id
const leak = () => {
  retained.push({ id: retained.length })
}

describe('toLeak registered by the setup entry', () => {
  test('a clean sync fn passes and its report lands on task.meta', ({ task }) => {
    const result = expect(clean).not.toLeak()
    // Sync: nothing to await (Vitest hands back its assertion object, typed void).
    expect(result).not.toBeInstanceOf(Promise)
    expect(task.meta.leakproof).toHaveLength(1)
    expect(task.meta.leakproof?.[0]?.leaked).toBe(false)
    // What Vitest sends to reporters must survive JSON.
    expect(JSON.parse(JSON.stringify(task.meta.leakproof))).toEqual(task.meta.leakproof)
  })

  test('a leaking sync fn throws the toLeak message', ({ task }) => {
    expect(() => expect(leak).not.toLeak()).toThrow(/Expected fn not to leak, but it does: heap/)
    expect(task.meta.leakproof?.[0]?.leaked).toBe(true)
  })

  test('an awaited async fn passes and reports mode async', async ({ task }) => {
    await expect(async () => {
      await Promise.resolve()
      return clean()
    }).not.toLeak()
    expect(task.meta.leakproof?.[0]?.mode).toBe('async')
  })

  test('a value that is not a function fails with what to pass', () => {
    expect(() => expect(42).not.toLeak()).toThrow('expects a function to call repeatedly, got number 42')
  })
})
