import { readdirSync } from 'node:fs'
import { join } from 'node:path'
import { fileURLToPath } from 'node:url'

export const casesDir = fileURLToPath(new URL('../cases/', import.meta.url))

/** Case files, sorted, optionally filtered by a substring of their name. */
export function caseFiles(only) {
  return readdirSync(casesDir)
    .filter((file) => file.endsWith('.mjs') && (!only || file.includes(only)))
    .sort()
    .map((file) => ({ name: file.replace(/\.mjs$/, ''), file: join(casesDir, file) }))
}

/** Reads `--key value` flags. */
export function flag(name, fallback) {
  const at = process.argv.indexOf(`--${name}`)
  return at === -1 ? fallback : process.argv[at + 1]
}

export function median(values) {
  if (values.length === 0) return Number.NaN
  const sorted = values.slice().sort((a, b) => a - b)
  const middle = sorted.length >> 1
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2
}

/** Nearest-rank quantile (q in 0..1): the smallest value with at least q of the values at or below it. */
export function quantile(values, q) {
  if (values.length === 0) return Number.NaN
  const sorted = values.slice().sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))]
}

export function markdownTable(header, rows) {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => String(r[i]).length)))
  const line = (r) => `| ${r.map((c, i) => String(c).padEnd(widths[i])).join(' | ')} |`
  return [line(header), `| ${widths.map((w) => '-'.repeat(w)).join(' | ')} |`, ...rows.map(line)].join('\n')
}
