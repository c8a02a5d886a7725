import { writeFileSync } from 'node:fs'
import { relative, resolve } from 'node:path'
import { readSummaryFile } from '../ci/read.js'
import { renderHtmlReport } from '../html/render.js'
import { countLine } from '../summary.js'
import { type CliCommand, EXIT, parseCommandLine, UsageError } from './io.js'

export const reportCommand: CliCommand = {
  name: 'report',
  usage: 'report FILE [--out FILE]',
  summary: 'write one self-contained HTML page: table, charts and diagnosis of every leak assertion',
  help: [
    'Renders FILE (a reporter’s JSON, or a merged one) as one HTML file that opens offline, for a CI artifact:',
    'a sortable table of every assertion (failures first; per-call heap, external, handles, descriptors and',
    'listeners against their budgets, calls, time), a chart per leak of what stayed behind after each GC against',
    'calls with the fitted rate and the budget, its report and diagnosis, and a sparkline per clean assertion.',
    '',
    'Options:',
    '  --out FILE   where to write the page (default: FILE with .html instead of .json, e.g. leaks.html)',
    '',
    'Exit codes: 0 written (whatever the verdicts: use `leakproof merge` or the test run to gate); 2 a bad file or',
    'command line (nothing written).',
  ].join('\n'),
  run(args, io) {
    const { values, positionals } = parseCommandLine(args, ['out'])
    if (positionals.length !== 1) throw new UsageError('give exactly one JSON file')
    const input = positionals[0] as string
    const outName = values.out ?? `${input.replace(/\.json$/i, '')}.html`
    const source = resolve(io.cwd, input)
    const out = resolve(io.cwd, outName)
    if (out === source) throw new UsageError(`--out ${outName} is the input file: give another path`)
    const summary = readSummaryFile(source)
    const html = renderHtmlReport(summary)
    writeFileSync(out, html)
    const shown = relative(io.cwd, out) || out
    io.stdout(`leakproof report: ${countLine(summary.entries)} → ${shown} (${formatKiB(Buffer.byteLength(html))})\n`)
    return EXIT.ok
  },
}

const formatKiB = (bytes: number) => `${Math.max(1, Math.round(bytes / 1024)).toLocaleString('en-US')} KiB`
