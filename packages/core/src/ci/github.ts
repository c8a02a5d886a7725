import { relative, sep } from 'node:path'
import { formatDiagnosis } from '../diagnose/format.js'
import { summarizeReport } from '../format.js'
import { entryVerdict, type LeakSummaryEntry } from '../summary.js'

const plain = { received: (text: string) => text, expected: (text: string) => text, dim: (text: string) => text }

/** `%`, CR and LF are escaped in an annotation's message; `:` and `,` too in its properties (GitHub's rules). */
const escapeData = (text: string) => text.replaceAll('%', '%25').replaceAll('\r', '%0D').replaceAll('\n', '%0A')
const escapeProperty = (text: string) => escapeData(text).replaceAll(':', '%3A').replaceAll(',', '%2C')

/**
 * One `::error` workflow command per failing leak assertion, pointing at the assertion's line in the test file (the
 * path relative to `GITHUB_WORKSPACE`, which is what GitHub resolves annotations against, else to `cwd`). Known leaks
 * (accepted by the baseline) and clean ones get none.
 */
export function githubAnnotations(
  entries: readonly LeakSummaryEntry[],
  env: Record<string, string | undefined>,
  cwd: string,
): string[] {
  const root = env.GITHUB_WORKSPACE || cwd
  const lines: string[] = []
  for (const entry of entries) {
    if (entryVerdict(entry) !== 'leak') continue
    const { report } = entry
    const absolute = report.assertion?.file
    const file = absolute ? relative(root, absolute).split(sep).join('/') : entry.file
    const line = entry.line ?? report.assertion?.line
    const worse = report.baseline?.status === 'worse'
    const title = `leakproof: ${entry.test} ${worse ? 'leaks more than its baseline entry' : 'leaks'}`
    // The diagnosis's what / where / held-by lines, without its first (calls and time).
    const diagnosis = formatDiagnosis(report.diagnosis, plain)
      .slice(1)
      .map((text) => text.trim())
    const message = [
      `${summarizeReport(report)} (${report.calls.toLocaleString('en-US')} calls).`,
      worse ? 'Known in the baseline, but worse than its entry.' : '',
      ...diagnosis,
    ]
      .filter(Boolean)
      .join('\n')
    const properties = [
      ...(file ? [`file=${escapeProperty(file)}`] : []),
      ...(file && line ? [`line=${line}`] : []),
      `title=${escapeProperty(title)}`,
    ]
    lines.push(`::error ${properties.join(',')}::${escapeData(message)}`)
  }
  return lines
}
