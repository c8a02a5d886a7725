import { fileURLToPath } from 'node:url'
import { isOwnFile } from '../own-files.js'

/** Frames kept when capturing a creation stack: enough to get past Node's internals (timers, net, events). */
const STACK_LIMIT = 30

/**
 * Call sites of the current stack, without formatting them. Formatting goes through `Error.prepareStackTrace`, which
 * test runners replace with source-map lookups that cost milliseconds; reading call sites costs microseconds.
 */
function captureCallSites(): NodeJS.CallSite[] {
  const limit = Error.stackTraceLimit
  const prepare = Error.prepareStackTrace
  Error.stackTraceLimit = STACK_LIMIT
  Error.prepareStackTrace = (_error, callSites) => callSites
  const holder: { stack?: unknown } = {}
  try {
    Error.captureStackTrace(holder)
    return Array.isArray(holder.stack) ? (holder.stack as NodeJS.CallSite[]) : []
  } finally {
    Error.stackTraceLimit = limit
    Error.prepareStackTrace = prepare
  }
}

function fileOf(site: NodeJS.CallSite): string | undefined {
  const file = site.getFileName() ?? site.getScriptNameOrSourceURL()
  if (typeof file !== 'string' || file === '') return undefined
  return file.startsWith('file://') ? file.slice('file://'.length) : file
}

function isUserFile(file: string | undefined): file is string {
  if (file === undefined || file.startsWith('node:')) return false
  return !isOwnFile(file)
}

/**
 * The first stack frame outside Node's internals and leakproof, as `functionName (/app/src/cache.ts:12:5)` or
 * `/app/src/cache.ts:12:5` for an anonymous function. Positions are those of the code as it runs (a test runner's
 * transformed code has its own). Undefined when the stack has no such frame (created in a bare Node callback).
 */
export function firstUserFrame(): string | undefined {
  for (const site of captureCallSites()) {
    const file = fileOf(site)
    if (!isUserFile(file)) continue
    const position = `${file}:${site.getLineNumber() ?? 0}:${site.getColumnNumber() ?? 0}`
    const name = site.getFunctionName() ?? site.getMethodName()
    return name ? `${name} (${position})` : position
  }
  return undefined
}

const FRAME_POSITION = /(?:\(|\s)((?:file:\/\/)?[^()\s]+):(\d+):(\d+)\)?$/

/**
 * The line of the innermost frame in `file` on the current stack: where a test file called the matcher. Read from the
 * formatted stack (the runner source-maps it, so the line is the one in the test's source, TypeScript included).
 */
export function lineInFile(file: string): number | undefined {
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 60
  let stack: string | undefined
  try {
    stack = new Error().stack
  } finally {
    Error.stackTraceLimit = limit
  }
  for (const frame of (stack ?? '').split('\n').slice(1)) {
    const match = FRAME_POSITION.exec(frame.trim())
    if (!match) continue
    let path = match[1] as string
    if (path.startsWith('file://')) {
      try {
        path = fileURLToPath(path)
      } catch {
        continue
      }
    }
    if (path === file) return Number(match[2])
  }
  return undefined
}
