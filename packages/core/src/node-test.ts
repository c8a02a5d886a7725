// `@leakproof/core/node-test`: leak assertions that feel native under `node --test`. The test context names the
// entry and carries the figures (`t.diagnostic`); a leak fails the test with core's LeakError; with LEAKPROOF_OUTPUT
// set, every test file's process adds its entries to one JSON summary (and LEAKPROOF_HTML to its HTML page).
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  unlinkSync,
  writeFileSync,
} from 'node:fs'
import { dirname, isAbsolute, relative, resolve } from 'node:path'
import { LeakError, measureLeak as measure, type SyncLeakOptions } from './assert.js'
import { formatCount, formatPerCallShort } from './format.js'
import { renderHtmlReport } from './html/render.js'
import type { LeakOptions } from './options.js'
import { lineInFile } from './probes/stack.js'
import type { LeakReport } from './report.js'
import { METRIC_NAMES } from './report.js'
import { compareEntries, type LeakSummaryEntry, summaryJson } from './summary.js'

export { LeakError } from './assert.js'
export { LeakMeasurementError } from './errors.js'

/** The JSON summary every test file's process adds its entries to (relative to the working directory). */
export const OUTPUT_ENV = 'LEAKPROOF_OUTPUT'
/** The HTML page written from that summary as well (needs LEAKPROOF_OUTPUT). */
export const HTML_ENV = 'LEAKPROOF_HTML'

/**
 * The part of node:test's `TestContext` used here (`t` in `test('name', (t) => …)`). `fullName` is there from Node
 * 22.3 (and on 20.20, measured here), `filePath` from 22.6 (not on 20.20); older versions fall back to `name` and the process's test file.
 */
export interface NodeTestContext {
  readonly name: string
  readonly fullName?: string
  readonly filePath?: string
  readonly signal?: AbortSignal
  diagnostic(message: string): void
}

const entries: LeakSummaryEntry[] = []
const assertionsPerTest = new Map<string, number>()
let flushOnExit = false

function assertContext(t: unknown, caller: string): asserts t is NodeTestContext {
  const context = t as Partial<NodeTestContext> | undefined
  if (typeof context?.diagnostic !== 'function' || typeof context.name !== 'string') {
    throw new TypeError(
      `leakproof: ${caller} takes the test context first: test('name', async (t) => { await ${caller.replace('(t, fn)', '')}(t, fn) }).`,
    )
  }
}

/** The test file: the context's own (Node ≥ 22.6), else the file `node --test` runs in this process. */
function testFile(t: NodeTestContext): string | undefined {
  const file = t.filePath ?? process.argv[1]
  return file && existsSync(file) ? resolve(file) : undefined
}

function record(t: NodeTestContext, file: string | undefined, line: number | undefined, report: LeakReport): void {
  const test = t.fullName ?? t.name
  const relativeFile = file === undefined ? undefined : relative(process.cwd(), file).replaceAll('\\', '/')
  const key = `${relativeFile ?? ''}\0${test}`
  const index = (assertionsPerTest.get(key) ?? 0) + 1
  assertionsPerTest.set(key, index)
  entries.push({
    test,
    ...(relativeFile === undefined ? {} : { file: relativeFile }),
    ...(line === undefined ? {} : { line }),
    index,
    report,
  })
  const output = process.env[OUTPUT_ENV]
  if (output && !flushOnExit) {
    flushOnExit = true
    // Resolved now: a test may change the working directory before the process exits.
    const outputPath = resolve(output)
    const htmlPath = process.env[HTML_ENV] ? resolve(process.env[HTML_ENV]) : undefined
    process.once('exit', () => {
      try {
        writeLeakSummary(outputPath, { html: htmlPath })
      } catch (error) {
        process.stderr.write(`leakproof: could not write ${OUTPUT_ENV}=${output}: ${(error as Error).message}\n`)
        process.exitCode = 1
      }
    })
  }
}

/**
 * The diagnostic a measurement adds to its test: "leakproof: no leak — heap 0.03 B/call ≤ 0.25 B/call, external …;
 * 227,660 calls in 374 ms (sync)", every measured metric against its budget.
 */
export function diagnosticLine(report: LeakReport): string {
  const figures = METRIC_NAMES.filter((name) => report.metrics[name].measured).map((name) => {
    const metric = report.metrics[name]
    const relation = metric.exceeded ? '>' : '≤'
    return `${name} ${formatPerCallShort(metric.perCall, name)} ${relation} ${formatPerCallShort(metric.budget, name)}`
  })
  const verdict = report.leaked ? 'LEAK' : 'no leak'
  return (
    `leakproof: ${verdict} — ${figures.join(', ')}; ` +
    `${formatCount(report.calls)} calls in ${formatCount(report.durationMs)} ms (${report.mode})`
  )
}

function measureIn(
  t: NodeTestContext,
  fn: () => unknown,
  options: LeakOptions | undefined,
  then: (report: LeakReport) => void,
): LeakReport | Promise<LeakReport> {
  const file = testFile(t)
  // The assertion's line, read now: after an await the test file is no longer on the stack.
  const line = file === undefined ? undefined : lineInFile(file)
  const withSignal = options?.signal || !t.signal ? options : { ...options, signal: t.signal }
  const settle = (report: LeakReport) => {
    record(t, file, line, report)
    t.diagnostic(diagnosticLine(report))
    then(report)
    return report
  }
  const result = measure(fn, withSignal)
  return result instanceof Promise ? result.then(settle) : settle(result)
}

/**
 * `measureLeak` for a node:test test: measures `fn`, reports the figures through `t.diagnostic`, and records the
 * report under the test's name and file for LEAKPROOF_OUTPUT / `writeLeakSummary`. The test's signal stops it.
 */
export function measureLeak(
  t: NodeTestContext,
  fn: () => PromiseLike<unknown>,
  options?: LeakOptions,
): Promise<LeakReport>
export function measureLeak(t: NodeTestContext, fn: () => unknown, options: SyncLeakOptions): LeakReport
export function measureLeak(
  t: NodeTestContext,
  fn: () => unknown,
  options?: LeakOptions,
): LeakReport | Promise<LeakReport>
export function measureLeak(
  t: NodeTestContext,
  fn: () => unknown,
  options?: LeakOptions,
): LeakReport | Promise<LeakReport> {
  assertContext(t, 'measureLeak(t, fn)')
  return measureIn(t, fn, options, () => {})
}

/**
 * `assertNoLeak` for a node:test test: like `measureLeak(t, fn)`, and a confirmed leak throws core's `LeakError`
 * (the same message, `.report` with every figure), which fails the test as any assertion does. `await` it: the
 * result is a promise when `fn` is async or its calls schedule timers.
 */
export function assertNoLeak(t: NodeTestContext, fn: () => PromiseLike<unknown>, options?: LeakOptions): Promise<void>
export function assertNoLeak(t: NodeTestContext, fn: () => unknown, options: SyncLeakOptions): void
export function assertNoLeak(t: NodeTestContext, fn: () => unknown, options?: LeakOptions): void | Promise<void>
export function assertNoLeak(t: NodeTestContext, fn: () => unknown, options?: LeakOptions): void | Promise<void> {
  assertContext(t, 'assertNoLeak(t, fn)')
  const result = measureIn(t, fn, options, (report) => {
    if (!report.leaked) return
    const error = new LeakError(report)
    // Still `error.report`, but not printed: node:test shows an error's own enumerable properties after its stack.
    Object.defineProperty(error, 'report', { value: report, enumerable: false })
    throw error
  })
  if (result instanceof Promise) return result.then(() => undefined)
}

/** The assertions this process measured so far, in order (one `node --test` process runs one test file). */
export function leakSummaryEntries(): LeakSummaryEntry[] {
  return [...entries]
}

/** Which `node --test` run wrote a summary: the runner's process, parent of every test file's process. */
function runId(): string | undefined {
  return process.env.NODE_TEST_CONTEXT ? String(process.ppid) : undefined
}

const LOCK_STALE_MS = 10_000
const LOCK_WAIT_MS = 20_000

function sleep(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms)
}

/** Runs `write` while holding `<path>.lock`: the test files' processes end at about the same time. */
function withLock(path: string, write: () => void): void {
  const lock = `${path}.lock`
  const started = Date.now()
  for (;;) {
    try {
      closeSync(openSync(lock, 'wx'))
      break
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error
      try {
        if (Date.now() - statSync(lock).mtimeMs > LOCK_STALE_MS) unlinkSync(lock)
      } catch {
        // Released meanwhile.
      }
      if (Date.now() - started > LOCK_WAIT_MS) throw new Error(`${lock} is held by another process for too long`)
      sleep(10)
    }
  }
  try {
    write()
  } finally {
    unlinkSync(lock)
  }
}

interface WrittenSummary {
  entries?: LeakSummaryEntry[]
  nodeTest?: { run?: string }
}

/**
 * Writes the assertions this process measured to `path` as a leak summary (the reporters' JSON: `leakproof report`,
 * `summary` and `merge` read it). Under `node --test` every test file runs in its own process: each adds its
 * entries to the file the other files of the same run wrote (replacing those of its own file), under a lock file,
 * so the last one leaves the whole run's summary. `html`: also write the page of that summary there.
 * LEAKPROOF_OUTPUT (and LEAKPROOF_HTML) call this when the process exits.
 */
export function writeLeakSummary(path: string, options: { html?: string | undefined } = {}): void {
  const out = isAbsolute(path) ? path : resolve(process.cwd(), path)
  const run = runId()
  const mine = new Set(entries.map((entry) => entry.file ?? ''))
  mkdirSync(dirname(out), { recursive: true })
  withLock(out, () => {
    let kept: LeakSummaryEntry[] = []
    if (run !== undefined && existsSync(out)) {
      try {
        const written = JSON.parse(readFileSync(out, 'utf8')) as WrittenSummary
        if (written.nodeTest?.run === run && Array.isArray(written.entries)) {
          kept = written.entries.filter((entry) => !mine.has(entry.file ?? ''))
        }
      } catch {
        // Not ours, or half-written by a crashed run: this run starts it anew.
      }
    }
    const all = [...kept, ...entries].sort(compareEntries)
    const summary = summaryJson(all)
    const temporary = `${out}.${process.pid}.tmp`
    writeFileSync(temporary, `${JSON.stringify({ ...summary, nodeTest: { run: run ?? null } }, null, 2)}\n`)
    renameSync(temporary, out)
    if (options.html) {
      const html = isAbsolute(options.html) ? options.html : resolve(process.cwd(), options.html)
      writeFileSync(`${html}.${process.pid}.tmp`, renderHtmlReport(summary))
      renameSync(`${html}.${process.pid}.tmp`, html)
    }
  })
}
