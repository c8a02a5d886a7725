import { isOwnFile } from '../own-files.js'
import type { SourceMapper } from './source-map.js'
import type { AllocationSite, GrowingType, SourcePosition } from './types.js'

interface CallFrame {
  functionName: string
  scriptId: string
  url: string
  lineNumber: number
  columnNumber: number
}

export interface SamplingProfileNode {
  callFrame: CallFrame
  selfSize: number
  children: SamplingProfileNode[]
}

export interface SamplingProfile {
  head: SamplingProfileNode
}

function isOwnFrame(frame: CallFrame): boolean {
  return frame.url !== '' && isOwnFile(frame.url)
}

/** A class constructor of a growing type, or V8's synthetic frames for class fields (`<instance_members_initializer>`). */
function isConstructorFrame(frame: CallFrame, constructors: ReadonlySet<string>): boolean {
  return /^<.+>$/.test(frame.functionName) || constructors.has(frame.functionName)
}

function isUserFrame(frame: CallFrame): boolean {
  return frame.url !== '' && !frame.url.startsWith('node:') && frame.scriptId !== '0'
}

/**
 * Live bytes per allocating function, from a sampling heap profile taken over `calls` calls. Each allocation is
 * charged to the innermost frame of user code (not Node internals, not builtins).
 */
export function allocationSites(
  profile: SamplingProfile,
  calls: number,
  mapper: SourceMapper,
  growing: readonly GrowingType[],
): AllocationSite[] {
  const totals = new Map<string, { frame: CallFrame; bytes: number; callers: CallFrame[] }>()
  const constructors = new Set(growing.filter((type) => type.kind === 'object').map((type) => type.name))
  const walk = (node: SamplingProfileNode, stack: CallFrame[]) => {
    // leakproof calls fn: the frames above its innermost own frame are the harness and the test runner.
    const frames = isOwnFrame(node.callFrame) ? [] : [...stack, node.callFrame]
    if (node.selfSize > 0) {
      const user = frames.filter(isUserFrame)
      // What a constructor (or its class-field initialiser) allocates belongs to the `new` that called it.
      while (user.length > 1 && isConstructorFrame(user.at(-1) as CallFrame, constructors)) user.pop()
      const frame = user.at(-1)
      // Allocations by leakproof's own code (the profiler and snapshot plumbing) are not the user's.
      if (frame) {
        const key = `${frame.scriptId}:${frame.lineNumber}:${frame.columnNumber}`
        const entry = totals.get(key) ?? { frame, bytes: 0, callers: user.slice(0, -1).reverse().slice(0, 3) }
        entry.bytes += node.selfSize
        totals.set(key, entry)
      }
    }
    for (const child of node.children) walk(child, frames)
  }
  walk(profile.head, [])
  return [...totals.values()]
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 10)
    .map(({ frame, bytes, callers }) => {
      const functionPosition = mapper.map(frame.scriptId, frame.url, frame.lineNumber, frame.columnNumber)
      const statement = findAllocationLine(mapper, functionPosition, growing)
      return {
        function: frame.functionName || '(anonymous)',
        position: statement ?? functionPosition,
        functionPosition,
        precision: statement ? 'statement' : 'function',
        bytesPerCall: bytes / calls,
        stack: callers.map((caller) => {
          const where = mapper.map(caller.scriptId, caller.url, caller.lineNumber, caller.columnNumber)
          return `${caller.functionName || '(anonymous)'} (${where.file}:${where.line})`
        }),
      } satisfies AllocationSite
    })
}

/**
 * V8 names the allocating function, not the line. Within that function's source, find the line that creates one of
 * the growing types: `new Session(` for a class, the position V8 gives for a leaked closure.
 */
function findAllocationLine(
  mapper: SourceMapper,
  start: SourcePosition,
  growing: readonly GrowingType[],
): SourcePosition | undefined {
  const text = mapper.sourceText(start.file)
  if (!text) return undefined
  const lines = text.split('\n')
  const endLine = functionEndLine(lines, start.line - 1, start.column - 1)
  for (const type of growing) {
    if (type.kind === 'closure' && type.location && type.location.file === start.file) {
      const line = type.location.line
      if (line > start.line && line <= endLine + 1) return type.location
      continue
    }
    if (type.kind !== 'object' || !/^[A-Za-z_$][\w$]*$/.test(type.name) || type.name === 'Object') continue
    const pattern = new RegExp(`\\bnew\\s+${type.name.replace(/\$/g, '\\$')}\\b`)
    for (let index = start.line - 1; index <= endLine; index++) {
      const match = pattern.exec(lines[index] ?? '')
      if (match) return { file: start.file, line: index + 1, column: match.index + 1, mapped: start.mapped }
    }
  }
  return undefined
}

/** 0-based index of the line where the function starting at (line, column) ends, by bracket depth. */
function functionEndLine(lines: readonly string[], line: number, column: number): number {
  let depth = 0
  let opened = false
  const lastLine = Math.min(lines.length - 1, line + 300)
  for (let index = line; index <= lastLine; index++) {
    const text = lines[index] ?? ''
    for (let position = index === line ? column : 0; position < text.length; position++) {
      const char = text[position]
      if (char === '/' && text[position + 1] === '/') break
      if (char === '{' || char === '(' || char === '[') {
        depth++
        if (char === '{') opened = true
      } else if (char === '}' || char === ')' || char === ']') {
        depth--
        if (opened && depth === 0) return index
      }
    }
    // An arrow function with an expression body ends on its line.
    if (!opened && depth <= 0) return index
  }
  return lastLine
}
