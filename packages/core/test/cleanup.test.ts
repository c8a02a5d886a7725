import { EventEmitter } from 'node:events'
import { describe, expect, it } from 'vitest'
import { measureLeak } from '../src/index.js'
import { DeferredWorkTracker } from '../src/probes/deferred.js'
import { HandleTracker } from '../src/probes/handles.js'

interface Installed {
  methods: unknown[]
  init: unknown
  addEventListener: unknown
}

function installed(): Installed {
  const proto = EventEmitter.prototype
  return {
    methods: [proto.on, proto.addListener, proto.prependListener, proto.once, proto.prependOnceListener],
    init: (EventEmitter as unknown as { init: unknown }).init,
    addEventListener: EventTarget.prototype.addEventListener,
  }
}

function processListenerCounts(): Record<string, number> {
  return Object.fromEntries(process.eventNames().map((name) => [String(name), process.listenerCount(name)]))
}

function expectNothingLeftInstalled(before: Installed, listenersBefore: Record<string, number>): void {
  expect(installed()).toEqual(before)
  expect(EventEmitter.prototype.on).toBe(EventEmitter.prototype.addListener)
  expect(HandleTracker.enabledCount).toBe(0)
  expect(DeferredWorkTracker.enabledCount).toBe(0)
  expect(processListenerCounts()).toEqual(listenersBefore)
}

describe('cleanup: nothing the harness installs stays active', () => {
  it('after a sync measurement', () => {
    const before = installed()
    const listeners = processListenerCounts()
    measureLeak(() => new EventEmitter().on('x', () => {}), { turnEventLoop: false })
    expectNothingLeftInstalled(before, listeners)
  })

  it('after an async measurement with timers and listeners', async () => {
    const before = installed()
    const listeners = processListenerCounts()
    const bus = new EventEmitter()
    await measureLeak(async () => {
      bus.once('tick', () => {})
      await new Promise((resolve) => setTimeout(resolve, 0))
      bus.emit('tick')
    })
    expectNothingLeftInstalled(before, listeners)
  })

  it('while the patches are installed, during the calls', () => {
    const before = installed()
    let during: Installed | undefined
    measureLeak(
      () => {
        during ??= installed()
      },
      { turnEventLoop: false, callsPerBatch: 10, batches: 4, confirm: false },
    )
    // The test can fail: the calls do see wrapped methods, which are gone afterwards.
    expect(during?.methods[0]).not.toBe(before.methods[0])
    expect(installed()).toEqual(before)
  })

  it('when fn throws on the first call', () => {
    const before = installed()
    const listeners = processListenerCounts()
    expect(() =>
      measureLeak(() => {
        throw new Error('boom')
      }),
    ).toThrow(/fn threw on call 1/)
    expectNothingLeftInstalled(before, listeners)
  })

  it('when fn throws on a later call', () => {
    const before = installed()
    const listeners = processListenerCounts()
    let calls = 0
    expect(() =>
      measureLeak(
        () => {
          calls++
          if (calls === 500) throw new Error('boom')
        },
        { turnEventLoop: false },
      ),
    ).toThrow(/fn threw on call 500/)
    expectNothingLeftInstalled(before, listeners)
  })

  it('when an async fn rejects after timers ran', async () => {
    const before = installed()
    const listeners = processListenerCounts()
    let calls = 0
    await expect(
      measureLeak(async () => {
        calls++
        await new Promise((resolve) => setTimeout(resolve, 0))
        if (calls === 50) throw new Error('boom')
      }),
    ).rejects.toThrow(/fn rejected on call 50/)
    expectNothingLeftInstalled(before, listeners)
  })

  it('leaves a sync function that creates a handle turning the event loop, then cleans up', async () => {
    const before = installed()
    const listeners = processListenerCounts()
    const pending = measureLeak(() => {
      clearTimeout(setTimeout(() => {}, 10_000))
    })
    expect(pending).toBeInstanceOf(Promise)
    await pending
    expectNothingLeftInstalled(before, listeners)
  })
})
