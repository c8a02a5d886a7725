import { relative } from 'node:path'
import type { AllocationSite, GrowingType, LeakDiagnosis, SourcePosition } from './types.js'

const TYPES_SHOWN = 3
const CALLERS_SHOWN = 2
const MORE_SITES_SHOWN = 2
const MORE_PATHS_SHOWN = 2

interface Paint {
  received: (text: string) => string
  dim: (text: string) => string
}

function count(value: number): string {
  return value >= 100 ? value.toFixed(0) : value.toFixed(2)
}

function bytes(value: number): string {
  if (value >= 10 * 1024) return `${(value / 1024).toFixed(1)} KiB`
  return `${value >= 100 ? value.toFixed(0) : value.toFixed(1)} B`
}

/** A path relative to the working directory when it is inside it: "test/cache.ts:14". */
export function formatPosition(position: SourcePosition): string {
  const inside = position.file.startsWith('/') ? relative(process.cwd(), position.file) : position.file
  const file = inside && !inside.startsWith('..') ? inside : position.file
  return `${file}:${position.line}`
}

function isUserType(type: GrowingType): boolean {
  return (type.kind === 'object' || type.kind === 'closure') && !type.name.startsWith('system /')
}

/** "subscribe src/bus.ts:7 → node:events addListener": the user's function and line, and what it called into. */
function describeSite(site: AllocationSite, paint: Paint): string {
  const into = site.calls ? ` → ${site.calls.package} ${site.calls.function}` : ''
  const precision = site.precision === 'function' ? paint.dim(' (function start: V8 names the function only)') : ''
  return `${site.function} ${formatPosition(site.position)}${into}${precision}`
}

/**
 * The diagnosis section of a failure message: after one line on how it was found, the three answers, one line each:
 * what leaked (types and count per call), where (the user's function and line, its callers), held by (the retainer
 * path). The rest of each answer and what could not be done follow; everything is in `report.diagnosis`.
 */
export function formatDiagnosis(diagnosis: LeakDiagnosis | undefined, paint: Paint): string[] {
  if (!diagnosis) return []
  const lines: string[] = []
  const { types, sites, retainers, notes } = diagnosis
  if (diagnosis.calls === 0 && types.length === 0 && sites.length === 0 && retainers.length === 0) {
    // None was made (no time or no memory left for it): say why on the one line.
    const [why, ...others] = notes
    lines.push(paint.dim(`  diagnosis: none${why ? ` — ${why.replace(/^no diagnosis: /, '')}` : ''}`))
    for (const note of others) lines.push(paint.dim(`    note: ${note}`))
    return lines
  }
  const methods = diagnosis.methods.length > 0 ? `, ${diagnosis.methods.join(' and ')}` : ''
  lines.push(
    paint.dim(
      `  diagnosis: ${diagnosis.calls.toLocaleString('en-US')} more calls, ` +
        `${Math.round(diagnosis.durationMs).toLocaleString('en-US')} ms${methods} (all of it in report.diagnosis)`,
    ),
  )
  if (types.length > 0) {
    // The user's classes and closures first: V8's own kinds (`(object elements)`, strings) come with them.
    const ordered = [...types.filter(isUserType), ...types.filter((type) => !isUserType(type))]
    const shown = ordered.slice(0, TYPES_SHOWN)
    const named = shown.map((type) => `${paint.received(type.name)} ${count(type.countPerCall)}/call`)
    const more = types.length > TYPES_SHOWN ? paint.dim(` +${types.length - TYPES_SHOWN} more`) : ''
    const created = shown[0]?.location ? paint.dim(` (created at ${formatPosition(shown[0].location)})`) : ''
    lines.push(`    what:    ${named.join(', ')}${more}${created}`)
  }
  const [site, ...otherSites] = sites
  if (site) {
    const callers = site.stack.slice(0, CALLERS_SHOWN).map((caller) => ` ← ${caller}`)
    lines.push(`    where:   ${describeSite(site, paint)}${paint.dim(callers.join(''))}`)
  }
  const paths = [...new Set(retainers.map((path) => path.summary))]
  const [path, ...otherPaths] = paths
  if (path) lines.push(`    held by: ${path}`)
  const sized = types.filter((type) => type.bytesPerCall !== undefined).slice(0, TYPES_SHOWN)
  if (sized.length > 0) {
    lines.push(
      paint.dim(
        `    self size: ${sized.map((type) => `${type.name} ${bytes(type.bytesPerCall ?? 0)}/call`).join(', ')}`,
      ),
    )
  }
  for (const other of otherSites.slice(0, MORE_SITES_SHOWN)) {
    lines.push(paint.dim(`    also allocated at: ${describeSite(other, paint)}  ${bytes(other.bytesPerCall)}/call`))
  }
  for (const other of otherPaths.slice(0, MORE_PATHS_SHOWN)) lines.push(paint.dim(`    also held by: ${other}`))
  if (diagnosis.heapSnapshotPath) {
    lines.push(paint.dim(`    heap snapshot: ${diagnosis.heapSnapshotPath} (open in Chrome DevTools › Memory)`))
  }
  for (const note of notes) lines.push(paint.dim(`    note: ${note}`))
  return lines
}
