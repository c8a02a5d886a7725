// luxon: relative dates against a moving "now", non-English locale (the Intl.RelativeTimeFormat path).
// moment/luxon#600, fixed in 1.22.0. Same user code on both versions.
import { createRequire } from 'node:module'

const { DateTime } = createRequire(import.meta.url)('luxon-leaky')

export const label = 'leak'
export const metric = 'heap'
export const reason =
  'luxon@1.21.3 caches Intl.RelativeTimeFormat under a key that includes opts.base, so every new base adds an entry (moment/luxon#600).'
/**
 * What a user needs named to find the bug: luxon's Intl.RelativeTimeFormat cache (getCachedRTF, intlRelCache) or the
 * leaked formatter type.
 */
export const names = ['getCachedRTF', 'intlRelCache', 'RelativeTimeFormat', 'toRelativeCalendar']

const start = Date.UTC(2024, 0, 1)
let n = 0
export function fn() {
  n++
  const now = DateTime.fromMillis(start + n * 1000)
  return now.minus({ days: 1 }).toRelativeCalendar({ base: now, locale: 'fi' })
}
