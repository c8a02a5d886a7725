import { relative } from 'node:path'
import type { LeakReport } from '../report.js'
import {
  type BaselineChange,
  type RanTests,
  readBaseline,
  serializeBaseline,
  UPDATE_ENV,
  updateBaseline,
  updateMode,
  writeBaseline,
} from './baseline.js'

const describe = (change: BaselineChange) =>
  `${change.file} › ${change.test}${change.index > 1 ? ` (toLeak #${change.index})` : ''}`

const figures = (change: BaselineChange) =>
  Object.entries(change.figures)
    .map(([metric, value]) => `${metric} ${value}`)
    .join(', ')

/**
 * The end of a run, for a reporter: writes the baseline when `LEAKPROOF_UPDATE` asks for it, and returns the lines to
 * print (what changed, or the stale entries whose leak is gone). Nothing when no baseline is in effect.
 */
export function settleBaseline(
  path: string,
  reports: readonly LeakReport[],
  ran: RanTests,
  env: Record<string, string | undefined>,
  cwd: string,
): string[] {
  const mode = updateMode(env)
  const previous = readBaseline(path)
  if (!previous && mode === 'off') return []
  const shown = relative(cwd, path) || path
  const update = updateBaseline(previous, reports, ran, mode)
  const lines: string[] = []
  if (mode === 'off') {
    if (update.removed.length > 0) {
      lines.push(
        `leakproof: ${update.removed.length} entr${update.removed.length === 1 ? 'y' : 'ies'} of ${shown} ` +
          `no longer leak${update.removed.length === 1 ? 's' : ''} (stale); remove with ${UPDATE_ENV}=1:`,
        ...update.removed.map((change) => `  ${describe(change)}`),
      )
    }
    return lines
  }
  const text = serializeBaseline(update.next)
  if (!previous || serializeBaseline(previous) !== text) writeBaseline(path, update.next)
  const counts = [
    `${update.added.length} added`,
    `${update.lowered.length} lowered`,
    ...(mode === 'all' ? [`${update.raised.length} raised`] : []),
    `${update.removed.length} removed`,
  ]
  lines.push(`leakproof: ${shown} updated (${UPDATE_ENV}=${env[UPDATE_ENV]}): ${counts.join(', ')}`)
  for (const change of update.added) lines.push(`  added    ${describe(change)}: ${figures(change)}`)
  for (const change of update.lowered) lines.push(`  lowered  ${describe(change)}: ${figures(change)}`)
  for (const change of update.raised) lines.push(`  raised   ${describe(change)}: ${figures(change)}`)
  for (const change of update.removed) lines.push(`  removed  ${describe(change)} (its leak is gone)`)
  for (const change of update.kept) {
    lines.push(`  kept     ${describe(change)}: worse than its entry, which ${UPDATE_ENV}=1 never raises (use all)`)
  }
  return lines
}
