import { once } from 'node:events'
import { createServer, get, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { PassThrough, Readable, Writable } from 'node:stream'
import { pipeline } from 'node:stream/promises'
import { describe, expect, it } from 'vitest'
import { formatLeakReport, measureLeak } from '../src/index.js'

// Lifecycles that clean up are clean (issue #20, item 2), on default options; a server listened and closed per call is in
// handles-server.test.ts. Each runs several times: an accuracy
// test that passes only sometimes means the engine is wrong. The noisier lifecycles (a TCP pair, an HTTP server with a
// request, a file stream) are bench corpus cases (bench/cases/syn-clean-*), where their verdicts are tracked run by
// run. Keep-alive requests (also a corpus case) were one of them: in a bare Node 20 process a leak in 5 of 6 runs, from steps of 32 KB of
// the listener tracker's own record of a batch's emitters (listener-batch-records.test.ts), 0 of 6 since; in a Vitest
// worker they read clean before and after.
const RUNS = 3

async function streamPipeline(): Promise<number> {
  let bytes = 0
  await pipeline(
    Readable.from(['a', 'b', 'c']),
    new PassThrough(),
    new Writable({
      write(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length
        callback()
      },
    }),
  )
  return bytes
}

function getOnce(port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/items/7' }, (response) => {
      response.resume()
      response.on('end', resolve)
    }).on('error', reject)
  })
}

describe('lifecycles that clean up', () => {
  it('an HTTP request per call to one server, sockets reused by the keep-alive agent, is clean', async () => {
    const server: Server = createServer((_request, response) => response.end('{"ok":true}'))
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    const { port } = server.address() as AddressInfo
    try {
      for (let run = 0; run < RUNS; run++) {
        const report = await measureLeak(() => getOnce(port))
        expect(report.leaked, formatLeakReport(report)).toBe(false)
      }
    } finally {
      server.closeAllConnections()
      await new Promise((resolve) => server.close(resolve))
    }
  })

  it('a stream pipeline opened and ended per call is clean', async () => {
    for (let run = 0; run < RUNS; run++) {
      const report = await measureLeak(streamPipeline)
      expect(report.mode).toBe('async')
      expect(report.leaked, formatLeakReport(report)).toBe(false)
    }
  })

  it('the same pipeline with its streams kept is a leak', async () => {
    const kept: Readable[] = []
    const report = await measureLeak(async () => {
      const source = Readable.from(['a', 'b', 'c'])
      kept.push(source)
      await pipeline(source, new PassThrough(), new Writable({ write: (_chunk, _encoding, callback) => callback() }))
    })
    expect(report.leaked, formatLeakReport(report)).toBe(true)
    expect(report.metrics.heap.exceeded).toBe(true)
  })
})
