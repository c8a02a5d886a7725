import { writeFileSync } from 'node:fs'
import { resolve } from 'node:path'
import { entryKey } from '../ci/baseline.js'
import { LeakproofFileError, readSummaryFile } from '../ci/read.js'
import { compareEntries, countLine, type LeakSummaryEntry, summaryJson } from '../summary.js'
import { type CliCommand, EXIT, parseCommandLine, UsageError } from './io.js'

export const mergeCommand: CliCommand = {
  name: 'merge',
  usage: 'merge FILE... --out FILE',
  summary: "join the reporters' JSON of sharded runs into one",
  help: [
    'Joins the JSON files that the leakproof reporter wrote in each shard (`outputFile`; under `--shard` the Jest',
    'reporter names them leaks.shard-1-of-3.json and so on) into one file of the same format, in file and test order.',
    '',
    'Options:',
    '  --out FILE   where to write the merged file (required)',
    '',
    'Exit codes: 0 merged, no failing leak; 1 merged, and a leak that is not known to the baseline is in it;',
    '2 a missing or malformed file, or the same assertion in two files (nothing written).',
  ].join('\n'),
  run(args, io) {
    const { values, positionals } = parseCommandLine(args, ['out'])
    if (!values.out) throw new UsageError('--out FILE is required')
    if (positionals.length === 0) throw new UsageError('give at least one JSON file to merge')
    const seen = new Map<string, string>()
    const entries: LeakSummaryEntry[] = []
    for (const file of positionals) {
      const path = resolve(io.cwd, file)
      for (const entry of readSummaryFile(path).entries) {
        const key = entryKey(entry)
        const earlier = seen.get(key)
        if (earlier !== undefined) {
          throw new LeakproofFileError(
            path,
            `"${entry.test}" (${entry.file ?? 'no file'}, assertion ${entry.index ?? 1}) is also in ${earlier}: ` +
              'each shard ran it? Give each shard’s file once.',
          )
        }
        seen.set(key, path)
        entries.push(entry)
      }
    }
    const merged = summaryJson(entries.sort(compareEntries))
    const out = resolve(io.cwd, values.out)
    writeFileSync(out, `${JSON.stringify(merged, null, 2)}\n`)
    io.stdout(`leakproof merge: ${positionals.length} file(s) → ${values.out}: ${countLine(merged.entries)}\n`)
    return merged.leaks > 0 ? EXIT.failed : EXIT.ok
  },
}
