import v8 from 'node:v8'
import { COMPILED_CODE_SPACES, getFullGc } from '@leakproof/core'

/** Calibration doubles the calls until one chunk takes this long; the windows check the clock once per chunk. */
const CHUNK_MS = 1
const MAX_CHUNK_CALLS = 100_000
/** Enough calls that the windows' fixed cost (a few hundred bytes of statistics objects) vanishes per call. */
const MIN_CALLS_PER_WINDOW = 400
const MAX_CALLS_PER_WINDOW = 5_000_000
/** The median of the last this many windows gives bytes per operation, once they agree. */
const WINDOWS = 3
/**
 * Windows run until the last WINDOWS agree, at most this many: the pass takes 4/3 of the target time, at most 4×.
 * Until the optimising compiler's code is installed an operation allocates more (allocation mementos behind
 * literals, boxed numbers): on a loaded machine that can take several windows, and a median over the first three
 * then reads 20 % high.
 */
const MAX_WINDOWS = 12
/**
 * Windows agree when their bytes per call differ by at most this many bytes, or this fraction of their median. Warm
 * windows of a steady operation differ by under 0.15 %; a function still waiting for optimised code on a loaded
 * machine can read 18 % high for three windows in a row while drifting down by ~0.4 % a window.
 */
const AGREE_BYTES = 0.5
const AGREE_FRACTION = 0.005

export interface AllocationSettings {
  /** Target duration of the measured calls, milliseconds. */
  timeMs: number
}

/** What one operation allocated, measured in a pass of its own (never inside the timed run). */
export interface AllocationFigures {
  /**
   * Bytes allocated per operation, garbage included: what every GC in the pass freed (`v8.GCProfiler`) plus the
   * growth of the live heap, divided by the calls, minus the measuring loop's own allocation. Compiled code is
   * not counted.
   */
  bytesPerOp: number
  /** Garbage collections V8 ran per operation during the pass (scavenges and mark-compacts). */
  gcCountPerOp: number
  /** GC pause time per operation during the pass, nanoseconds (sum of `v8.GCProfiler` costs / calls). */
  gcTimeNsPerOp: number
  /** Calls in the windows the figures come from (calibration and warm-up windows excluded). */
  calls: number
  /** Garbage collections during the measured calls. */
  gcCount: number
  /** Their total pause time, milliseconds. */
  gcTimeMs: number
  /** What the measuring loop itself allocates per call (0 for sync calls; promise machinery for async), subtracted. */
  loopBytesPerOp: number
  /** `'async'` when an operation returned a thenable (each call was awaited). */
  mode: 'sync' | 'async'
}

interface SpaceUsage {
  space_name?: string
  space_used_size?: number
  spaceName?: string
  spaceUsedSize?: number
}

/** Live object bytes in the spaces that count. Accepts both `getHeapSpaceStatistics` and GCProfiler naming. */
function objectBytes(spaces: readonly SpaceUsage[]): number {
  let total = 0
  for (const space of spaces) {
    const name = space.space_name ?? space.spaceName ?? ''
    if (!COMPILED_CODE_SPACES.has(name)) total += space.space_used_size ?? space.spaceUsedSize ?? 0
  }
  return total
}

interface GcProfile {
  statistics: ReadonlyArray<{
    cost: number
    beforeGC: { heapSpaceStatistics: readonly SpaceUsage[] }
    afterGC: { heapSpaceStatistics: readonly SpaceUsage[] }
  }>
}

interface Window {
  profiler: v8.GCProfiler
  startBytes: number
}

interface WindowResult {
  calls: number
  bytes: number
  gcCount: number
  gcTimeMs: number
}

function openWindow(): Window {
  const profiler = new v8.GCProfiler()
  const startBytes = objectBytes(v8.getHeapSpaceStatistics())
  profiler.start()
  return { profiler, startBytes }
}

/** Every byte allocated in the window was either freed by one of its GCs or is still in the heap at its end. */
function closeWindow(window: Window, calls: number): WindowResult {
  const endBytes = objectBytes(v8.getHeapSpaceStatistics())
  const profile = window.profiler.stop() as unknown as GcProfile
  let freed = 0
  let costMicros = 0
  for (const gc of profile.statistics) {
    freed += objectBytes(gc.beforeGC.heapSpaceStatistics) - objectBytes(gc.afterGC.heapSpaceStatistics)
    costMicros += gc.cost
  }
  return {
    calls,
    bytes: freed + endBytes - window.startBytes,
    gcCount: profile.statistics.length,
    gcTimeMs: costMicros / 1000,
  }
}

export function isThenable(value: unknown): value is PromiseLike<unknown> {
  return (
    (typeof value === 'object' || typeof value === 'function') &&
    value !== null &&
    typeof (value as { then?: unknown }).then === 'function'
  )
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2
}

function agree(windows: readonly WindowResult[]): boolean {
  const perCall = windows.map((w) => w.bytes / w.calls)
  const spread = Math.max(...perCall) - Math.min(...perCall)
  return spread <= Math.max(AGREE_BYTES, AGREE_FRACTION * Math.abs(median(perCall)))
}

/**
 * True once the windows so far are enough: the last WINDOWS agree, or MAX_WINDOWS have run. The first window is always
 * warm-up (never among the last WINDOWS), and so are windows before the agreeing ones.
 */
function settled(windows: readonly WindowResult[]): boolean {
  return windows.length >= MAX_WINDOWS || (windows.length > WINDOWS && agree(windows.slice(-WINDOWS)))
}

function settledWindows(next: () => WindowResult): WindowResult[] {
  const windows: WindowResult[] = []
  do windows.push(next())
  while (!settled(windows))
  return windows.slice(-WINDOWS)
}

async function settledWindowsAsync(next: () => Promise<WindowResult>): Promise<WindowResult[]> {
  const windows: WindowResult[] = []
  do windows.push(await next())
  while (!settled(windows))
  return windows.slice(-WINDOWS)
}

function medianCalls(windows: readonly WindowResult[]): number {
  return Math.round(median(windows.map((w) => w.calls)))
}

function figures(measured: WindowResult[], loop: WindowResult[], mode: 'sync' | 'async'): AllocationFigures {
  const loopBytesPerOp = Math.max(0, median(loop.map((w) => w.bytes / w.calls)))
  const calls = measured.reduce((sum, w) => sum + w.calls, 0)
  const gcCount = measured.reduce((sum, w) => sum + w.gcCount, 0)
  const gcTimeMs = measured.reduce((sum, w) => sum + w.gcTimeMs, 0)
  return {
    bytesPerOp: Math.max(0, median(measured.map((w) => w.bytes / w.calls)) - loopBytesPerOp),
    gcCountPerOp: gcCount / calls,
    gcTimeNsPerOp: (gcTimeMs * 1e6) / calls,
    calls,
    gcCount,
    gcTimeMs,
    loopBytesPerOp,
    mode,
  }
}

function runSync(op: () => unknown, calls: number): void {
  for (let i = 0; i < calls; i++) op()
}

async function runAsync(op: () => unknown, calls: number): Promise<void> {
  for (let i = 0; i < calls; i++) await op()
}

/** Calls per chunk: doubled until a chunk takes about CHUNK_MS (these calls also warm the loop up). */
function chunkSizeSync(op: () => unknown): number {
  let chunk = 1
  while (chunk < MAX_CHUNK_CALLS) {
    const startedAt = performance.now()
    runSync(op, chunk)
    if (performance.now() - startedAt >= CHUNK_MS) break
    chunk *= 2
  }
  return chunk
}

async function chunkSizeAsync(op: () => unknown): Promise<number> {
  let chunk = 1
  while (chunk < MAX_CHUNK_CALLS) {
    const startedAt = performance.now()
    await runAsync(op, chunk)
    if (performance.now() - startedAt >= CHUNK_MS) break
    chunk *= 2
  }
  return chunk
}

/**
 * Runs chunks of calls until the window has lasted `windowMs` and made enough calls. Time decides, not a
 * calibrated count, so one GC pause during calibration cannot shrink the pass.
 */
function timedWindowSync(op: () => unknown, chunk: number, windowMs: number): WindowResult {
  const window = openWindow()
  const startedAt = performance.now()
  let calls = 0
  do {
    runSync(op, chunk)
    calls += chunk
  } while (calls < MAX_CALLS_PER_WINDOW && (calls < MIN_CALLS_PER_WINDOW || performance.now() - startedAt < windowMs))
  return closeWindow(window, calls)
}

async function timedWindowAsync(op: () => unknown, chunk: number, windowMs: number): Promise<WindowResult> {
  const window = openWindow()
  const startedAt = performance.now()
  let calls = 0
  do {
    await runAsync(op, chunk)
    calls += chunk
  } while (calls < MAX_CALLS_PER_WINDOW && (calls < MIN_CALLS_PER_WINDOW || performance.now() - startedAt < windowMs))
  return closeWindow(window, calls)
}

function countedWindowSync(op: () => unknown, calls: number): WindowResult {
  const window = openWindow()
  runSync(op, calls)
  return closeWindow(window, calls)
}

async function countedWindowAsync(op: () => unknown, calls: number): Promise<WindowResult> {
  const window = openWindow()
  await runAsync(op, calls)
  return closeWindow(window, calls)
}

/**
 * Measures the bytes `op` allocates per call. `loopOp` is `op` with the measured work taken out (same hooks, same
 * kind of return value): what it allocates is the harness's, measured over as many calls, and subtracted. Sync when
 * `op` is sync, a Promise when it returns a thenable.
 */
export function measureAllocation(
  op: () => unknown,
  loopOp: { sync: () => unknown; async: () => unknown },
  settings: AllocationSettings,
): AllocationFigures | Promise<AllocationFigures> {
  const gc = getFullGc()
  const first = op()
  if (isThenable(first)) return measureAsync(op, loopOp.async, settings, gc, first)
  const chunk = chunkSizeSync(op)
  const windowMs = settings.timeMs / WINDOWS
  gc()
  const measured = settledWindows(() => timedWindowSync(op, chunk, windowMs))
  const loopCalls = medianCalls(measured)
  runSync(loopOp.sync, Math.min(loopCalls, 10_000))
  gc()
  const loop = settledWindows(() => countedWindowSync(loopOp.sync, loopCalls))
  return figures(measured, loop, 'sync')
}

async function measureAsync(
  op: () => unknown,
  loopOp: () => unknown,
  settings: AllocationSettings,
  gc: () => void,
  first: PromiseLike<unknown>,
): Promise<AllocationFigures> {
  await first
  const chunk = await chunkSizeAsync(op)
  const windowMs = settings.timeMs / WINDOWS
  gc()
  const measured = await settledWindowsAsync(() => timedWindowAsync(op, chunk, windowMs))
  const loopCalls = medianCalls(measured)
  await runAsync(loopOp, Math.min(loopCalls, 10_000))
  gc()
  const loop = await settledWindowsAsync(() => countedWindowAsync(loopOp, loopCalls))
  return figures(measured, loop, 'async')
}
