// luxon: relative dates against a moving "now", non-English locale (the Intl.RelativeTimeFormat path).
// moment/luxon#600, fixed in 1.22.0. Same user code on both versions.
import { createRequire } from 'node:module'

const { DateTime } = createRequire(import.meta.url)('luxon-fixed')

export const label = 'clean'
export const metric = 'heap'
export const reason =
  'luxon@1.22.0 leaves base out of the cache key (fix of moment/luxon#600): the cache holds one formatter.'

const start = Date.UTC(2024, 0, 1)
let n = 0
export function fn() {
  n++
  const now = DateTime.fromMillis(start + n * 1000)
  return now.minus({ days: 1 }).toRelativeCalendar({ base: now, locale: 'fi' })
}
