/** Default tolerance of the baseline and of `leakproof compare`: a known figure may read up to 1.5× plus its budget. */
export const DEFAULT_TOLERANCE = 0.5

import type { LeakSummaryEntry } from '../summary.js'

/** One assertion's identity across runs and shards: test file, full test name, assertion index. */
export function entryKey(entry: Pick<LeakSummaryEntry, 'file' | 'test' | 'index'>): string {
  return JSON.stringify([entry.file ?? '', entry.test, entry.index ?? 1])
}
