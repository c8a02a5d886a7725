import { EventEmitter } from 'node:events'
import { describe, expect, test } from 'vitest'
import { createSessionCache } from '../src/session-cache.js'
import { serveNewVisitor } from './requests.js'

describe('session cache', () => {
  test('serving new visitors does not leak', () => {
    const bus = new EventEmitter()
    const cache = createSessionCache(bus, 100)
    expect(() => serveNewVisitor(cache)).not.toLeak()
    cache.close()
  })

  test('keeps at most maxSessions sessions', () => {
    const cache = createSessionCache(new EventEmitter(), 10)
    for (let i = 0; i < 100; i++) serveNewVisitor(cache)
    expect(cache.size).toBe(10)
    cache.close()
  })

  test('close() detaches from the bus', () => {
    const bus = new EventEmitter()
    const cache = createSessionCache(bus)
    expect(bus.listenerCount('logout')).toBe(1)
    cache.close()
    expect(bus.listenerCount('logout')).toBe(0)
  })
})
