import { isOwnFile } from '../own-files.js'
import { formatPosition } from './format.js'
import type { SourceMapper } from './source-map.js'
import type { AllocationSite, GrowingType, RetainerPath, SourcePosition } from './types.js'

/**
 * The share of a site's live bytes allocated inside a dependency for the site to name it. Small: what a listener
 * array or a subscriber list allocates is a few bytes per call, and only what stays alive is in the profile.
 */
const DEPENDENCY_SHARE = 0.01

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

/** A JS frame of any code: not a builtin's, not V8's (GC, program). */
function isScriptFrame(frame: CallFrame): boolean {
  return frame.url !== '' && frame.scriptId !== '0'
}

/** Code the user wrote: not Node's own, not a dependency's (`node_modules`). */
function isUserFrame(frame: CallFrame): boolean {
  return isScriptFrame(frame) && !frame.url.startsWith('node:') && !/[\\/]node_modules[\\/]/.test(frame.url)
}

/** "node:events", "rxjs", "@scope/name": where a dependency's frame comes from. */
export function packageOf(url: string): string {
  if (url.startsWith('node:')) return url
  const match = /[\\/]node_modules[\\/]((?:@[^\\/]+[\\/])?[^\\/]+)/.exec(url.slice(url.lastIndexOf('node_modules') - 1))
  return match ? (match[1] as string).replace('\\', '/') : url
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
  interface Total {
    frame: CallFrame
    bytes: number
    callers: CallFrame[]
    /** Bytes allocated inside each dependency function the user's frame called. */
    dependencies: Map<string, { frame: CallFrame; bytes: number }>
    /** Classes whose constructors, called here, allocated: `new Session(` is the line. */
    constructed: Set<string>
  }
  const totals = new Map<string, Total>()
  const constructors = new Set(growing.filter((type) => type.kind === 'object').map((type) => type.name))
  const constructorFrames = new Map<string, boolean>()
  /** A class constructor (of a growing type, or by its source: `constructor(`, `class`) or a class-field initialiser. */
  const isConstructorFrame = (frame: CallFrame): boolean => {
    if (/^<.+>$/.test(frame.functionName) || constructors.has(frame.functionName)) return true
    const key = `${frame.scriptId}:${frame.lineNumber}:${frame.columnNumber}`
    let known = constructorFrames.get(key)
    if (known === undefined) {
      const start = mapper.map(frame.scriptId, frame.url, frame.lineNumber, frame.columnNumber)
      const line = mapper.sourceText(start.file)?.split('\n')[start.line - 1] ?? ''
      known = /^(constructor\s*\(|class\b)/.test(line.slice(start.column - 1))
      constructorFrames.set(key, known)
    }
    return known
  }
  /** `inFn`: the stack has passed leakproof's call loop into fn. */
  const walk = (node: SamplingProfileNode, stack: CallFrame[], inFn: boolean) => {
    // leakproof calls fn: the frames above its innermost own frame are the harness and the test runner. Below fn, an
    // own frame is one of leakproof's wrappers (the listener probe's around `EventEmitter.prototype.on`): skipped.
    const own = isOwnFrame(node.callFrame)
    const frames = own ? (inFn ? stack : []) : [...stack, node.callFrame]
    const nowInFn = own ? inFn : inFn || (stack.length === 0 && isUserFrame(node.callFrame))
    if (node.selfSize > 0) {
      const user = frames.filter(isUserFrame)
      // What a constructor (or its class-field initialiser) allocates belongs to the `new` that called it.
      let constructed: string | undefined
      while (user.length > 1 && isConstructorFrame(user.at(-1) as CallFrame)) {
        const name = (user.pop() as CallFrame).functionName
        if (!name.startsWith('<')) constructed = name
      }
      const frame = user.at(-1)
      // Allocations by leakproof's own code (the profiler and snapshot plumbing) are not the user's.
      if (frame) {
        const key = `${frame.scriptId}:${frame.lineNumber}:${frame.columnNumber}`
        let entry = totals.get(key)
        if (!entry) {
          entry = {
            frame,
            bytes: 0,
            callers: user.slice(0, -1).reverse().slice(0, 3),
            dependencies: new Map(),
            constructed: new Set(),
          }
          totals.set(key, entry)
        }
        entry.bytes += node.selfSize
        if (constructed) entry.constructed.add(constructed)
        // The first frame past the user's is the dependency function the user's code called into.
        const entered = frames.slice(frames.lastIndexOf(frame) + 1).find(isScriptFrame)
        if (entered && !isUserFrame(entered)) {
          const dependencyKey = `${entered.url}:${entered.functionName}`
          const dependency = entry.dependencies.get(dependencyKey) ?? { frame: entered, bytes: 0 }
          dependency.bytes += node.selfSize
          entry.dependencies.set(dependencyKey, dependency)
        }
      }
    }
    for (const child of node.children) walk(child, frames, nowInFn)
  }
  walk(profile.head, [], false)
  return [...totals.values()]
    .sort((a, b) => b.bytes - a.bytes)
    .slice(0, 10)
    .map(({ frame, bytes, callers, dependencies, constructed }) => {
      const functionPosition = mapper.map(frame.scriptId, frame.url, frame.lineNumber, frame.columnNumber)
      const dependency = [...dependencies.values()].sort((a, b) => b.bytes - a.bytes)[0]
      // A good part of what stayed alive was allocated inside the dependency (a listener array, a subscriber list).
      const into = dependency && dependency.bytes >= bytes * DEPENDENCY_SHARE ? dependency.frame : undefined
      const classes = [...constructed]
        .filter((name) => !growing.some((type) => type.name === name))
        .map((name) => ({ name, kind: 'object', countPerCall: 0 }))
      const statement = findAllocationLine(mapper, functionPosition, [...growing, ...classes], into?.functionName)
      const site: AllocationSite = {
        function: frame.functionName || '(anonymous)',
        position: statement ?? functionPosition,
        functionPosition,
        precision: statement ? 'statement' : 'function',
        bytesPerCall: bytes / calls,
        stack: callers.map((caller) => {
          const where = mapper.map(caller.scriptId, caller.url, caller.lineNumber, caller.columnNumber)
          return `${caller.functionName || '(anonymous)'} (${formatPosition(where)})`
        }),
      }
      if (into) site.calls = { package: packageOf(into.url), function: into.functionName || '(anonymous)' }
      return site
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
  dependencyFunction?: string,
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
  // The call into the dependency: `bus.on(` for EventEmitter's addListener, `subject.subscribe(`.
  const names = dependencyFunction ? callNames(dependencyFunction) : []
  if (names.length > 0) {
    const pattern = new RegExp(`[.\\s(]\\s*(${names.join('|')})\\s*\\(`)
    for (let index = start.line; index <= endLine; index++) {
      const match = pattern.exec(lines[index] ?? '')
      if (match) return { file: start.file, line: index + 1, column: match.index + 2, mapped: start.mapped }
    }
  }
  return undefined
}

/** The names a call to a dependency function may be written with. */
function callNames(functionName: string): string[] {
  const name = functionName.replace(/^.*\./, '').replace(/^(get|set) /, '')
  if (!/^[A-Za-z_$][\w$]*$/.test(name)) return []
  // Node's EventEmitter: `on` is `addListener`, `off` is `removeListener`.
  if (name === 'addListener') return ['addListener', 'on']
  return [name.replace(/\$/g, '\\$')]
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

/**
 * The holder of a leak is often a dependency's object (an EventEmitter's listener array, an rxjs Subject's observer
 * list) whose method the user's function called: the allocation is the user's (the listener closure), what keeps it
 * is the dependency's. When the site's function calls a method on a variable or property of the holder's path
 * (`bus.on(`) and the object there is of a dependency's class, name that package and method, and the line of the call.
 */
export function callIntoHolder(site: AllocationSite, path: RetainerPath, mapper: SourceMapper): AllocationSite {
  if (site.calls) return site
  const text = mapper.sourceText(site.functionPosition.file)
  if (!text) return site
  const lines = text.split('\n')
  const start = site.functionPosition
  const endLine = functionEndLine(lines, start.line - 1, start.column - 1)
  for (const step of path.steps) {
    if (!step.package || !/^[A-Za-z_$][\w$]*$/.test(step.edge)) continue
    const pattern = new RegExp(`\\b${step.edge.replace(/\$/g, '\\$')}\\s*\\??\\.\\s*([A-Za-z_$][\\w$]*)\\s*\\(`)
    for (let index = start.line - 1; index <= endLine; index++) {
      const match = pattern.exec(lines[index] ?? '')
      if (!match) continue
      const position =
        site.precision === 'statement' ? site.position : { ...start, line: index + 1, column: match.index + 1 }
      return {
        ...site,
        position,
        precision: 'statement',
        calls: { package: step.package, function: `${step.node}.${match[1]}` },
      }
    }
  }
  return site
}
