import { resolve } from 'node:path'
import { readSummaryFile } from '../ci/read.js'
import { renderSummaryMarkdown, renderSummaryTable } from '../summary.js'
import { type CliCommand, EXIT, parseCommandLine, UsageError } from './io.js'

export const summaryCommand: CliCommand = {
  name: 'summary',
  usage: 'summary FILE [--format markdown|text]',
  summary: 'print the table of every leak assertion (Markdown for $GITHUB_STEP_SUMMARY)',
  help: [
    'Prints one row per measured metric of every leak assertion in FILE (a reporter’s JSON, or a merged one):',
    'test, metric, per call, budget, verdict (LEAK, known, ok) and time.',
    '',
    'Options:',
    '  --format markdown   GitHub-flavoured Markdown (default): `leakproof summary leaks.json >> $GITHUB_STEP_SUMMARY`',
    '  --format text       the plain table the reporters print',
    '',
    'Exit codes: 0 printed (whatever the verdicts: use `leakproof merge` or the test run to gate); 2 a bad file.',
  ].join('\n'),
  run(args, io) {
    const { values, positionals } = parseCommandLine(args, ['format'])
    if (positionals.length !== 1) throw new UsageError('give exactly one JSON file')
    const format = values.format ?? 'markdown'
    if (format !== 'markdown' && format !== 'text') {
      throw new UsageError(`--format ${format}: expected markdown or text`)
    }
    const { entries } = readSummaryFile(resolve(io.cwd, positionals[0] as string))
    io.stdout(format === 'markdown' ? renderSummaryMarkdown(entries) : `${renderSummaryTable(entries)}\n`)
    return EXIT.ok
  },
}
