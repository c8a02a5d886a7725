import { EventEmitter } from 'node:events'
import { describe, expect, test } from 'vitest'
import { createLeakySessionCache } from '../src/session-cache.js'
import { serveNewVisitor } from './requests.js'

// Expected to FAIL: this is the leak leakproof is here to catch (run `pnpm demo` to see the report).
describe('session cache v1', () => {
  test('serving new visitors does not leak', () => {
    const bus = new EventEmitter()
    bus.setMaxListeners(0)
    const cache = createLeakySessionCache(bus)
    expect(() => serveNewVisitor(cache)).not.toLeak()
  })
})
