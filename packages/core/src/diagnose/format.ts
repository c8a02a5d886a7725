import { relative } from 'node:path'
import type { LeakDiagnosis, SourcePosition } from './types.js'

const TYPES_SHOWN = 5
const SITES_SHOWN = 3
const PATHS_SHOWN = 3

interface Paint {
  received: (text: string) => string
  dim: (text: string) => string
}

function bytes(value: number): string {
  if (value >= 10 * 1024) return `${(value / 1024).toFixed(1)} KiB`
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} B`
}

function count(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toFixed(2)
}

/** A path relative to the working directory when it is inside it: "test/cache.ts:14". */
export function formatPosition(position: SourcePosition): string {
  const inside = position.file.startsWith('/') ? relative(process.cwd(), position.file) : position.file
  const file = inside && !inside.startsWith('..') ? inside : position.file
  return `${file}:${position.line}`
}

/** The diagnosis section of a failure message: the leading entries of each part and where the rest is. */
export function formatDiagnosis(diagnosis: LeakDiagnosis | undefined, paint: Paint): string[] {
  if (!diagnosis) return []
  const lines: string[] = []
  const { types, sites, retainers, notes } = diagnosis
  const method =
    diagnosis.depth === 'sites' ? 'sampling heap profiler' : 'heap snapshot diff and sampling heap profiler'
  lines.push(
    `  diagnosis: ${diagnosis.calls.toLocaleString('en-US')} more calls, ${method}, ` +
      `${Math.round(diagnosis.durationMs).toLocaleString('en-US')} ms ${paint.dim('(all of it in report.diagnosis)')}`,
  )
  if (types.length > 0) {
    lines.push(`    what leaked ${paint.dim('(new live objects per call, self size)')}:`)
    const width = Math.min(40, Math.max(...types.slice(0, TYPES_SHOWN).map((type) => type.name.length)))
    for (const type of types.slice(0, TYPES_SHOWN)) {
      const where = type.location ? paint.dim(`  created at ${formatPosition(type.location)}`) : ''
      lines.push(
        `      ${paint.received(type.name.padEnd(width))}  ${count(type.countPerCall).padStart(6)}/call  ` +
          `${bytes(type.bytesPerCall).padStart(9)}/call${where}`,
      )
    }
    if (types.length > TYPES_SHOWN) lines.push(paint.dim(`      … ${types.length - TYPES_SHOWN} more types`))
  }
  if (sites.length > 0) {
    lines.push(`    allocated at ${paint.dim('(live bytes per call, sampled)')}:`)
    for (const site of sites.slice(0, SITES_SHOWN)) {
      const precision = site.precision === 'function' ? paint.dim(' (function start: V8 names the function only)') : ''
      const caller = site.stack[0] ? paint.dim(` ← ${site.stack[0]}`) : ''
      lines.push(
        `      ${site.function} ${formatPosition(site.position)}  ${bytes(site.bytesPerCall)}/call${precision}${caller}`,
      )
    }
  }
  if (retainers.length > 0) {
    lines.push(`    held by ${paint.dim('(shortest path of strong references)')}:`)
    const seen = new Set<string>()
    for (const path of retainers) {
      if (seen.has(path.summary) || seen.size >= PATHS_SHOWN) continue
      seen.add(path.summary)
      lines.push(`      ${path.summary}`)
    }
  }
  if (diagnosis.heapSnapshotPath) {
    lines.push(paint.dim(`    heap snapshot: ${diagnosis.heapSnapshotPath} (open in Chrome DevTools › Memory)`))
  }
  for (const note of notes) lines.push(paint.dim(`    note: ${note}`))
  return lines
}
