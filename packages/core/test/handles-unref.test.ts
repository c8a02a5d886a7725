import dgram from 'node:dgram'
import { describe, expect, it } from 'vitest'
import { failingMetrics, formatLeakReport, measureLeak } from '../src/index.js'

// process.getActiveResourcesInfo() does not list unref'd handles; they are leaks all the same.
const RUNS = 3

describe("handles: unref'd handles", () => {
  it("fails on handles for an unref'd UDP socket per call that is never closed", async () => {
    for (let run = 0; run < RUNS; run++) {
      const sockets: dgram.Socket[] = []
      const report = await measureLeak(
        () => {
          const socket = dgram.createSocket('udp4')
          socket.unref()
          sockets.push(socket)
        },
        { callsPerBatch: 40, diagnose: false },
      )
      for (const socket of sockets) socket.close()
      const text = formatLeakReport(report)
      expect(failingMetrics(report), text).toEqual(['heap', 'handles'])
      expect(report.details.handles.map((detail) => detail.type)).toEqual(['UDPWRAP'])
      expect(report.details.handles[0]?.stacks[0]).toContain('handles-unref.test.ts')
    }
  })

  it("fails on handles for an unref'd timer per call", async () => {
    for (let run = 0; run < RUNS; run++) {
      const timers: NodeJS.Timeout[] = []
      const report = await measureLeak(
        () => {
          timers.push(setInterval(() => {}, 60_000).unref())
        },
        { callsPerBatch: 200, budget: { heap: 4096 }, diagnose: false },
      )
      for (const timer of timers) clearInterval(timer)
      expect(failingMetrics(report), formatLeakReport(report)).toEqual(['handles'])
      expect(report.details.handles[0]?.type).toBe('Timeout')
    }
  })

  it('passes when the socket is closed', async () => {
    for (let run = 0; run < RUNS; run++) {
      const report = await measureLeak(() => {
        const socket = dgram.createSocket('udp4')
        socket.unref()
        socket.close()
      })
      expect(failingMetrics(report), formatLeakReport(report)).toEqual([])
    }
  })
})
