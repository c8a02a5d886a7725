// A logger, an event emitter and an observable library: per-request loggers, listeners and subscriptions.
// The same tests as vitest/logging-events.test.js, in CommonJS with Jest's globals.
const { closeSync, readdirSync, readlinkSync, rmSync } = require('node:fs')
const { tmpdir } = require('node:os')
const { join } = require('node:path')
const EventEmitter = require('eventemitter3')
const pino = require('pino')
const { BehaviorSubject, filter, map } = require('rxjs')

// The bench's hygiene, not the user's test: the descriptors the file-destination test leaks on purpose are closed
// after it, or the tests after it in the same process fail with EMFILE (a quiet run made 20,000 calls: the limit).
function closeDescriptorsOf(file) {
  for (const fd of readdirSync('/proc/self/fd')) {
    try {
      if (readlinkSync(`/proc/self/fd/${fd}`) === file) closeSync(Number(fd))
    } catch {
      // Closed meanwhile, or the descriptor readdir itself used.
    }
  }
}

describe('pino', () => {
  const lines = []
  const logger = pino({ level: 'info' }, { write: (line) => lines.splice(0, lines.length, line) })
  let requestId = 0

  test('leaks: a child logger per request kept in a map', () => {
    const requestLoggers = new Map()
    expect(() => {
      const id = ++requestId
      const log = logger.child({ requestId: id })
      requestLoggers.set(id, log)
      log.info({ path: '/items', status: 200 }, 'request handled')
    }).not.toLeak()
  })

  test('clean: a child logger per request, dropped after it', () => {
    expect(() => {
      const log = logger.child({ requestId: ++requestId })
      log.info({ path: '/items', status: 200 }, 'request handled')
    }).not.toLeak()
  })

  // A file descriptor per call: it fails on descriptors (the descriptor cap stops it after ~1,024 calls), whatever
  // the heap each destination leaves behind. It passed before descriptors were measured.
  test('leaks: a file destination opened per request and never closed', async () => {
    const file = join(tmpdir(), `leakproof-real-world-pino-${process.pid}.log`)
    try {
      await expect(() => {
        const log = pino(pino.destination({ dest: file, sync: true }))
        log.info({ path: '/items', status: 200 }, 'request handled')
      }).not.toLeak()
    } finally {
      closeDescriptorsOf(file)
      rmSync(file, { force: true })
    }
  })
})

describe('eventemitter3', () => {
  const bus = new EventEmitter()
  let reloads = 0
  const handleRequest = () => bus.emit('request')

  test('leaks: a listener per request on a shared bus, never removed', () => {
    expect(() => {
      bus.on('config-changed', () => reloads++)
      handleRequest()
    }).not.toLeak()
  })

  test('clean: a listener per request, removed when the request ends', () => {
    bus.removeAllListeners('config-changed')
    expect(() => {
      const onConfigChanged = () => reloads++
      bus.on('config-changed', onConfigChanged)
      handleRequest()
      bus.off('config-changed', onConfigChanged)
    }).not.toLeak()
  })
})

describe('rxjs', () => {
  const prices = new BehaviorSubject({ symbol: 'ACME', price: 100 })
  let latest = 0

  test('leaks: a subscription per request to a shared subject, never unsubscribed', () => {
    expect(() => {
      prices
        .pipe(
          filter((quote) => quote.symbol === 'ACME'),
          map((quote) => quote.price * 1.2),
        )
        .subscribe((price) => {
          latest = price
        })
    }).not.toLeak()
  })

  test('clean: a subscription per request, unsubscribed at the end', () => {
    expect(() => {
      const subscription = prices
        .pipe(
          filter((quote) => quote.symbol === 'ACME'),
          map((quote) => quote.price * 1.2),
        )
        .subscribe((price) => {
          latest = price
        })
      subscription.unsubscribe()
    }).not.toLeak()
    expect(latest).toBe(120)
  })
})
