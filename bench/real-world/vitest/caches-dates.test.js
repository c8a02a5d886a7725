// Two caches and a date library: caches fed the unique keys real traffic brings, dates formatted per request.
import dayjs from 'dayjs'
import { LRUCache } from 'lru-cache'
import NodeCache from 'node-cache'
import { describe, expect, test } from 'vitest'

const userFor = (id) => ({ id, name: `user ${id}`, roles: ['reader'] })

describe('lru-cache', () => {
  let userId = 0

  // Sync calls, but lru-cache's TTL clock sets a timer, so the assertion returns a promise (the forgotten-await
  // guard said so when these were written without `await`).
  test('leaks: a cache with a TTL but no max, fed unique keys', async () => {
    const users = new LRUCache({ ttl: 60 * 60 * 1000 })
    await expect(() => {
      const id = ++userId
      if (!users.has(id)) users.set(id, userFor(id))
      return users.get(id)
    }).not.toLeak()
  })

  test('clean: a cache with max 500, fed unique keys', async () => {
    const users = new LRUCache({ max: 500, ttl: 60 * 60 * 1000 })
    await expect(() => {
      const id = ++userId
      if (!users.has(id)) users.set(id, userFor(id))
      return users.get(id)
    }).not.toLeak()
  })
})

describe('node-cache', () => {
  let userId = 0

  test('leaks: a cache created per request and never closed', async () => {
    await expect(() => {
      const cache = new NodeCache({ stdTTL: 60 })
      const id = ++userId
      cache.set(id, userFor(id))
      return cache.get(id)
    }).not.toLeak()
  })

  test('clean: a cache created per request and closed at its end', async () => {
    await expect(() => {
      const cache = new NodeCache({ stdTTL: 60 })
      const id = ++userId
      cache.set(id, userFor(id))
      const user = cache.get(id)
      cache.close()
      return user
    }).not.toLeak()
  })
})

describe('dayjs', () => {
  let timestamp = Date.UTC(2026, 0, 1)

  test('leaks: formatted dates memoised by timestamp', () => {
    const labels = new Map()
    expect(() => {
      timestamp += 60_000
      if (!labels.has(timestamp)) labels.set(timestamp, dayjs(timestamp).format('YYYY-MM-DD HH:mm'))
      return labels.get(timestamp)
    }).not.toLeak()
  })

  test('clean: dates parsed, shifted and formatted per request', () => {
    expect(() => {
      timestamp += 60_000
      return dayjs(timestamp).add(1, 'day').startOf('hour').format('YYYY-MM-DD HH:mm')
    }).not.toLeak()
  })
})
