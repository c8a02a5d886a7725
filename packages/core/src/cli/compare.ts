import { resolve } from 'node:path'
import { DEFAULT_TOLERANCE } from '../ci/baseline.js'
import { compareSummaries, renderComparisonMarkdown } from '../ci/compare.js'
import { readSummaryFile } from '../ci/read.js'
import { type CliCommand, EXIT, parseCommandLine, UsageError } from './io.js'

export const compareCommand: CliCommand = {
  name: 'compare',
  usage: 'compare BASE HEAD [--tolerance N]',
  summary: 'which assertions leak more in HEAD than in BASE (Markdown, for a PR comment)',
  help: [
    'Compares two summaries (the JSON of a run on the base branch and of one on the pull request), assertion by',
    'assertion (test file, full test name, assertion index), and prints Markdown: the leaks that are new or grew,',
    'then those fixed.',
    '',
    'Options:',
    `  --tolerance N   a leak grew when its per-call figure passed base × (1 + N) + budget (default ${DEFAULT_TOLERANCE})`,
    '',
    'Exit codes: 0 nothing new or grown; 1 a leak is new or grew; 2 a missing or malformed file.',
  ].join('\n'),
  run(args, io) {
    const { values, positionals } = parseCommandLine(args, ['tolerance'])
    if (positionals.length !== 2) throw new UsageError('give two JSON files: the base run’s and the head run’s')
    const tolerance = values.tolerance === undefined ? DEFAULT_TOLERANCE : Number(values.tolerance)
    if (!Number.isFinite(tolerance) || tolerance < 0) {
      throw new UsageError(`--tolerance ${values.tolerance}: expected a number ≥ 0 (0.5 means 50%)`)
    }
    const [base, head] = positionals.map((file) => readSummaryFile(resolve(io.cwd, file)).entries) as [
      ReturnType<typeof readSummaryFile>['entries'],
      ReturnType<typeof readSummaryFile>['entries'],
    ]
    const comparison = compareSummaries(base, head, tolerance)
    io.stdout(renderComparisonMarkdown(comparison))
    const worse = comparison.entries.some((entry) => entry.change === 'grew' || entry.change === 'new')
    return worse ? EXIT.failed : EXIT.ok
  },
}
