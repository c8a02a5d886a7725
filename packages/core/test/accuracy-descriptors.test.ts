import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { fileURLToPath } from 'node:url'
import { afterAll, describe, expect, it } from 'vitest'
import { failingMetrics, formatLeakReport, measureLeak } from '../src/index.js'
import { newDescriptorGroups } from '../src/probes/descriptors.js'
import { expectSync } from './sync.js'

const RUNS = 3
// The verdict is what is under test here; diagnosis (which runs only after it) has its own tests.
const NO_DIAGNOSIS = { diagnose: false } as const
const counted = process.platform === 'linux' || process.platform === 'darwin'
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'leakproof-fd-'))
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }))

/** Closes what a leaking case left open, so the next case starts with the descriptors it had. */
function closeAll(fds: number[]): void {
  for (const fd of fds.splice(0)) fs.closeSync(fd)
}

describe.runIf(counted)('descriptors: files', () => {
  it('a file opened per call and never closed is a leak that names the path pattern', () => {
    for (let run = 0; run < RUNS; run++) {
      const fds: number[] = []
      let calls = 0
      try {
        const report = expectSync(
          measureLeak(() => {
            fds.push(fs.openSync(path.join(dir, `log-${calls++}.txt`), 'w'))
          }, NO_DIAGNOSIS),
        )
        const text = formatLeakReport(report)
        expect(report.metrics.descriptors.exceeded, text).toBe(true)
        expect(report.metrics.descriptors.perCall, text).toBeCloseTo(1, 1)
        const pattern = `${dir}/log-*.txt`
        expect(report.details.descriptors[0]?.kind, text).toBe('file')
        expect(report.details.descriptors[0]?.target, text).toBe(pattern)
        expect(text).toContain(`file ${pattern} 1.00/call`)
      } finally {
        closeAll(fds)
      }
    }
  })

  it('a file opened and closed per call is clean', () => {
    for (let run = 0; run < RUNS; run++) {
      let calls = 0
      const report = expectSync(
        measureLeak(() => {
          fs.closeSync(fs.openSync(path.join(dir, `closed-${calls++ % 16}.txt`), 'w'))
        }, NO_DIAGNOSIS),
      )
      const text = formatLeakReport(report)
      expect(report.metrics.descriptors.measured, text).toBe(true)
      expect(failingMetrics(report), text).toEqual([])
    }
  })

  it('fs.promises.open and close per call (async) is clean', async () => {
    for (let run = 0; run < RUNS; run++) {
      const report = await measureLeak(async () => {
        const handle = await fs.promises.open(path.join(dir, 'async.txt'), 'w')
        await handle.close()
      }, NO_DIAGNOSIS)
      const text = formatLeakReport(report)
      expect(report.mode).toBe('async')
      expect(report.metrics.descriptors.measured, text).toBe(true)
      expect(report.metrics.descriptors.exceeded, text).toBe(false)
    }
  })
})

describe.runIf(counted)('descriptors: sockets', () => {
  it('a server listened on port 0 and closed per call leaves no descriptor open', async () => {
    for (let run = 0; run < RUNS; run++) {
      const report = await measureLeak(async () => {
        const server = net.createServer()
        await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
        await new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())))
      }, NO_DIAGNOSIS)
      const text = formatLeakReport(report)
      expect(report.metrics.descriptors.measured, text).toBe(true)
      // Heap is not what is under test (see handles-server.test.ts: Node 22 keeps a few bytes per server).
      expect(report.metrics.descriptors.exceeded, text).toBe(false)
      expect(report.metrics.descriptors.perCall, text).toBeLessThanOrEqual(report.metrics.descriptors.budget)
    }
  })

  it('a connection left open per call is a leak that names sockets', async () => {
    const server = net.createServer()
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    const { port } = server.address() as net.AddressInfo
    const accepted: net.Socket[] = []
    server.on('connection', (socket) => accepted.push(socket))
    const clients: net.Socket[] = []
    try {
      for (let run = 0; run < RUNS; run++) {
        const report = await measureLeak(async () => {
          const client = net.connect(port, '127.0.0.1')
          clients.push(client)
          await new Promise((resolve) => client.once('connect', resolve))
        }, NO_DIAGNOSIS)
        for (const socket of [...clients.splice(0), ...accepted.splice(0)]) socket.destroy()
        const text = formatLeakReport(report)
        expect(report.metrics.descriptors.exceeded, text).toBe(true)
        // The client's end and the server's.
        expect(report.metrics.descriptors.perCall, text).toBeGreaterThan(1.5)
        expect(report.details.descriptors[0]?.kind, text).toBe('socket')
        expect(text).toMatch(/^ {4}socket \d\.\d\d\/call \(/m)
      }
    } finally {
      server.close()
    }
  })
})

describe('descriptors: no leak, no growth', () => {
  it('a noop reads 0 descriptors per call (measured on Linux and macOS, not elsewhere)', () => {
    const report = expectSync(measureLeak(() => {}, NO_DIAGNOSIS))
    expect(failingMetrics(report), formatLeakReport(report)).toEqual([])
    expect(report.metrics.descriptors.measured).toBe(counted)
    expect(report.metrics.descriptors.perCall).toBe(0)
    for (const sample of report.passes.flatMap((pass) => pass.samples)) expect(sample.descriptors).toBe(0)
  })
})

// A fast sync fn makes tens of thousands of calls a pass: a descriptor leak must stop as a leak before EMFILE, which
// would make fn throw (an error, not a verdict). Real descriptors, in a child process with a low limit.
const core = fileURLToPath(new URL('../dist/index.mjs', import.meta.url))
const program = `
  import { openSync } from 'node:fs'
  const { measureLeak } = await import(${JSON.stringify(core)})
  const report = measureLeak(() => openSync('/dev/null', 'r'), { diagnose: false })
  console.log(JSON.stringify({
    leaked: report.leaked,
    descriptors: report.metrics.descriptors,
    stop: report.limits.stop,
    maxDescriptors: report.limits.maxDescriptors,
    verdict: report.verdict,
    details: report.details.descriptors,
  }))
`

describe.runIf(process.platform === 'linux')('descriptors: the cap', () => {
  it('stops a fast descriptor leak before EMFILE (ulimit -n 256) with a leak verdict', () => {
    const run = spawnSync(
      'sh',
      ['-c', `ulimit -n 256 && exec "${process.execPath}" --input-type=module -e "$0"`, program],
      { encoding: 'utf8' },
    )
    expect(run.status, run.stderr).toBe(0)
    const result = JSON.parse(run.stdout.trim().split('\n').at(-1) ?? '{}')
    expect(result.leaked, run.stdout).toBe(true)
    expect(result.stop, run.stdout).toBe('descriptors')
    expect(result.descriptors.exceeded).toBe(true)
    // A quarter of what was free under 256.
    expect(result.maxDescriptors).toBeGreaterThan(20)
    expect(result.maxDescriptors).toBeLessThanOrEqual(64)
    expect(result.verdict).toMatch(/^stopped early after [\d,]+ calls: [\d,]+ descriptors left open/)
    expect(result.details[0]).toMatchObject({ kind: 'file', target: '/dev/null' })
  })
})

describe('descriptors: grouping what was left open', () => {
  it('groups files by path with runs of digits as *, keeping the directory they share, and leaves out the old', () => {
    const label = (kind: string, target: string) => ({ kind, target })
    const start = new Map([
      [3, label('anon_inode', 'eventpoll')],
      [4, label('file', '/tmp/a1/log-0.txt')],
    ])
    const end = new Map([
      [3, label('anon_inode', 'eventpoll')],
      // Number 4 reused for a new file: new.
      [4, label('file', '/tmp/a1/log-1.txt')],
      [5, label('file', '/tmp/a1/log-22.txt')],
      [6, label('file', '/var/run-3/x.txt')],
      [7, label('file', '/var/run-4/x.txt')],
      [8, label('socket', '')],
      [9, label('file', '/tmp/a1/log-333.txt')],
      [10, label('file', '/tmp/app-17.log')],
      [11, label('file', '/tmp/app-17.log')],
    ])
    expect(newDescriptorGroups(start, end)).toEqual([
      { kind: 'file', target: '/tmp/a1/log-*.txt', example: '/tmp/a1/log-1.txt', count: 3 },
      { kind: 'file', target: '/var/run-*/x.txt', example: '/var/run-3/x.txt', count: 2 },
      // The same file opened again and again: its path as it is.
      { kind: 'file', target: '/tmp/app-17.log', example: '/tmp/app-17.log', count: 2 },
      { kind: 'socket', target: '', example: '', count: 1 },
    ])
  })
})
